/**
 * One exchange: its edXML header, the document rendered with its signatures outlined, the signatures panel,
 * attachments, each recipient's history as a timeline, and the moves the user's role allows.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, Copy, Exchange, Me, Report } from '../api';
import { boxesOf, PdfView } from '../components/PdfView';
import { SignaturesPanel, VerdictBanner } from '../components/Verdict';
import { formatBytes, formatDate, formatTime } from '../format';
import { priorityName, statusName, t } from '../i18n';

/** Moves a recipient may make from each status (the service enforces the same table). */
const MOVES: Record<string, string[]> = { '01': ['03', '02'], '03': ['04', '05', '06'], '04': ['05', '06'], '05': ['06'], '13': ['15', '16'], '16': ['03', '04', '05', '06'] };
const MOVE_LABEL: Record<string, Parameters<typeof t>[0]> = { '02': 'returnDoc', '03': 'accept', '04': 'assign', '05': 'inProgress', '06': 'done', '15': 'acceptRecall', '16': 'refuseRecall' };

export function ExchangeDetail({ id, me }: { id: string; me: Me }) {
  const [exchange, setExchange] = useState<Exchange | null>(null);
  const [pdf, setPdf] = useState<ArrayBuffer | null>(null);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [reason, setReason] = useState('');
  const [notice, setNotice] = useState('');
  const [copies, setCopies] = useState<Copy[]>([]);
  const [forwardTo, setForwardTo] = useState('');
  const [pages, setPages] = useState('1');

  const load = () => {
    api.get<Exchange>(`/v1/exchanges/${encodeURIComponent(id)}`).then((e) => {
      setExchange(e);
      api.bytes(`/v1/exchanges/${encodeURIComponent(id)}/document`).then(setPdf, () => setPdf(null));
      api.get<{ items: Copy[] }>(`/v1/exchanges/${encodeURIComponent(id)}/copies`).then((c) => setCopies(c.items), () => setCopies([]));
    }, (e: ApiError) => setError({ code: e.code, message: e.message }));
  };
  useEffect(load, [id]);

  if (error) return <main id="main"><h1>{t('document')}</h1><p class="error" role="alert" data-testid="not-found">{error.code === 'NOT_FOUND' ? t('notFound') : error.message}</p></main>;
  if (!exchange) return <main id="main"><p>{t('loading')}</p></main>;
  const role = me.caller.role;
  // The agency's current and earlier codes: a copy received under an old code is still its own.
  const codes = me.caller.organIds;
  const mine = exchange.recipients.find((r) => codes.includes(r.organId));
  const isSender = codes.includes(exchange.fromOrganId) && !exchange.inboundTo;
  const report: Report = mine?.verification ?? exchange.verification;
  // Only where a move exists: a returned or finished copy shows no empty action panel.
  const canMove = !!mine && (role === 'receiver' || role === 'clerk') && (MOVES[mine.status] ?? []).length > 0;

  const move = async (status: string) => {
    if ((status === '02' || status === '16') && !reason.trim()) {
      setNotice(t('reasonRequired'));
      return;
    }
    try {
      const staff = me.user ? { name: me.user.fullName || me.user.username } : undefined;
      setExchange(await api.post<Exchange>(`/v1/exchanges/${exchange.exchangeId}/status`, { status, reason: reason.trim() || undefined, staff }));
      setReason('');
      setNotice(statusName(status));
    } catch (e) {
      setNotice((e as Error).message);
    }
  };
  const clerical = async (url: string, body: object) => {
    try {
      await api.post(`/v1/exchanges/${encodeURIComponent(exchange.exchangeId)}/${url}`, body);
      setNotice('');
      load();
    } catch (e) {
      setNotice((e as Error).message);
    }
  };
  const canStamp = !!mine && !mine.documentRemoved && (role === 'receiver' || role === 'clerk');
  const canCopy = role === 'clerk' && (isSender || (!!mine && !mine.documentRemoved));
  const recall = async () => {
    if (!reason.trim()) return setNotice(t('reasonRequired'));
    try {
      setExchange(await api.post<Exchange>(`/v1/exchanges/${exchange.exchangeId}/recall`, { reason: reason.trim() }));
      setNotice(t('recall'));
    } catch (e) {
      setNotice((e as Error).message);
    }
  };

  return (
    <main id="main" class="detail">
      <h1>{exchange.codeNumber}/{exchange.codeNotation} — {exchange.subject}</h1>
      <VerdictBanner report={report} />
      <div class="two-columns">
        <div>
          <section class="card" aria-label={t('header')}>
            <h2>{t('header')}</h2>
            <dl class="header-fields">
              <dt>{t('documentId')}</dt><dd>{exchange.documentId}</dd>
              <dt>{t('sender')}</dt><dd>{exchange.fromOrganName} ({exchange.fromOrganId})</dd>
              <dt>{t('recipients')}</dt><dd>{exchange.to.map((x) => x.organName).join('; ')}</dd>
              <dt>{t('issued')}</dt><dd>{formatDate(exchange.issuedDate)}{exchange.promulgationPlace ? `, ${exchange.promulgationPlace}` : ''}</dd>
              <dt>{t('signerInfo')}</dt><dd>{[exchange.signerCompetence, exchange.signerPosition, exchange.signerFullName].filter(Boolean).join(' — ') || '—'}</dd>
              <dt>{t('priority')}</dt><dd>{priorityName(exchange.priority)}</dd>
              <dt>{t('due')}</dt><dd>{exchange.dueDate ? formatTime(exchange.dueDate) : '—'}</dd>
              <dt>{t('document')}</dt><dd>{exchange.fileName} · {formatBytes(exchange.size)} · {exchange.pageAmount} tr.</dd>
            </dl>
            <p><a class="button" href={`/v1/exchanges/${encodeURIComponent(exchange.exchangeId)}/edxml`} download data-testid="edxml-link">{t('edxmlPackage')}</a></p>
            {exchange.attachments.length > 0 && (
              <>
                <h3>{t('attachments')}</h3>
                <ul>{exchange.attachments.map((a, i) => <li key={a.sha256}><a href={`/v1/exchanges/${exchange.exchangeId}/attachments/${i}`}>{a.name}</a> ({formatBytes(a.size)})</li>)}</ul>
              </>
            )}
          </section>
          <section class="card" aria-label={t('history')}>
            <h2>{t('history')}</h2>
            {exchange.recipients.map((r) => (
              <div key={r.organId}>
                <h3>{r.organName} — <span class={`status s${r.status}`}>{statusName(r.status)}</span></h3>
                <ol class="timeline">
                  {r.history.map((h, i) => (
                    <li key={i}><time>{formatTime(h.at)}</time> <span class={`status s${h.status}`}>{h.status} {statusName(h.status)}</span>
                      {h.staffName && <> · {h.staffName}{h.staffPosition ? ` (${h.staffPosition})` : ''}</>}
                      {h.reason && <p class="reason" data-testid="history-reason">{h.reason}</p>}
                    </li>
                  ))}
                </ol>
              </div>
            ))}
          </section>
          {(canMove || (isSender && role === 'clerk' && exchange.state !== 'recalled')) && (
            <section class="card" aria-label={t('actions')}>
              <h2>{t('actions')}</h2>
              <label for="reason">{t('reason')}</label>
              <textarea id="reason" rows={2} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
              <div class="buttons">
                {canMove && (MOVES[mine.status] ?? []).map((s) => <button type="button" key={s} onClick={() => void move(s)}>{t(MOVE_LABEL[s])}</button>)}
                {isSender && role === 'clerk' && exchange.state !== 'recalled' && <button type="button" class="danger" onClick={() => void recall()}>{t('recall')}</button>}
              </div>
              {notice && <p role="status">{notice}</p>}
            </section>
          )}
          {(canStamp || canCopy) && (
            <section class="card" aria-label={t('clerical')} data-testid="clerical">
              <h2>{t('clerical')}</h2>
              {canStamp && mine && (mine.arrival
                ? <p><a href={`/v1/exchanges/${encodeURIComponent(exchange.exchangeId)}/arrival/document`} data-testid="arrival-link">{t('arrivalCopy')} — {mine.arrival.number}/{mine.arrival.year}</a></p>
                : (
                  <div class="buttons">
                    <label for="forward-to">{t('forwardTo')}</label>
                    <input id="forward-to" value={forwardTo} onInput={(e) => setForwardTo((e.target as HTMLInputElement).value)} />
                    <button type="button" onClick={() => void clerical('arrival', { forwardTo })}>{t('stampArrival')}</button>
                  </div>
                ))}
              {canCopy && (
                <div class="buttons">
                  <label for="copy-pages">{t('copyPages')}</label>
                  <input id="copy-pages" value={pages} size={6} onInput={(e) => setPages((e.target as HTMLInputElement).value)} />
                  {['SAO Y', 'SAO LỤC', 'TRÍCH SAO'].map((form) => (
                    <button type="button" key={form} onClick={() => void clerical('copies', { form, pages: pages.split(/[ ,;]+/).filter(Boolean).map(Number) })}>{form}</button>
                  ))}
                </div>
              )}
              {copies.length > 0 && (
                <>
                  <h3>{t('copies')}</h3>
                  <ul data-testid="copies">{copies.map((c) => (
                    <li key={c.copyId}><a href={`/v1/exchanges/${encodeURIComponent(exchange.exchangeId)}/copies/${c.copyId}/document`}>{c.form} {c.symbol}</a> · {formatTime(c.at)}</li>
                  ))}</ul>
                </>
              )}
            </section>
          )}
          <SignaturesPanel report={report} />
        </div>
        {pdf && <PdfView data={pdf} boxes={boxesOf(report)} />}
      </div>
    </main>
  );
}
