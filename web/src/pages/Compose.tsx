/**
 * Compose and send: the signed PDF (checked by the service before anything is sent), the agency seal placed
 * by drawing a rectangle on the page, attachments, and the header validated as it is typed.
 */
import { useEffect, useState } from 'preact/hooks';
import { Agency, api, Me, Report } from '../api';
import { Drawn, PdfView, boxesOf } from '../components/PdfView';
import { SignaturesPanel, VerdictBanner } from '../components/Verdict';
import { t } from '../i18n';
import { navigate } from '../router';

const today = () => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);

export function Compose({ me }: { me: Me }) {
  const [agencies, setAgencies] = useState<Agency[]>([]);
  const [pdf, setPdf] = useState<ArrayBuffer | null>(null);
  const [fileName, setFileName] = useState('van-ban.pdf');
  const [report, setReport] = useState<Report | null>(null);
  const [seal, setSeal] = useState<Drawn | null>(null);
  const [attachments, setAttachments] = useState<File[]>([]);
  const [form, setForm] = useState({ to: [] as string[], codeNumber: '', codeNotation: '', issuedDate: today(), subject: '', dueDate: '', priority: '0' });
  const [message, setMessage] = useState('');
  const [place, setPlace] = useState('');

  // A signed draft from the clerk's queue (/compose?draft=ID) comes loaded.
  const draftId = new URLSearchParams(location.search).get('draft');
  useEffect(() => {
    void api.get<{ items: Agency[] }>('/v1/agencies').then((r) => setAgencies(r.items.filter((a) => a.active && a.organId !== me.caller.organId)));
    if (draftId) {
      void api.get<{ subject: string; fileName: string }>(`/v1/drafts/${draftId}`).then((d) => { setForm((f) => ({ ...f, subject: d.subject })); setFileName(d.fileName); });
      void api.bytes(`/v1/drafts/${draftId}/document`).then(async (bytes) => { setPdf(bytes); await check(bytes); });
    }
  }, []);
  const check = async (bytes: ArrayBuffer) => setReport(await api.post<Report>('/v1/verifications', new Blob([bytes], { type: 'application/pdf' }), { 'Content-Type': 'application/pdf' }));
  const pick = async (file: File) => {
    const bytes = await file.arrayBuffer();
    setFileName(file.name);
    setPdf(bytes);
    setSeal(null);
    await check(bytes);
  };
  const applySeal = async () => {
    if (!pdf || !seal) return;
    const visible = `${seal.page + 1}:${Math.round(seal.x1)}:${Math.round(seal.y1)}:${Math.round(seal.x2)}:${Math.round(seal.y2)}`;
    try {
      const sealed = await api.post<ArrayBuffer>(`/v1/signatures?field=DauCoQuan&visible=${visible}`, new Blob([pdf], { type: 'application/pdf' }), { 'Content-Type': 'application/pdf' });
      setPdf(sealed);
      setSeal(null);
      await check(sealed);
      setMessage(t('sealed'));
    } catch (e) {
      setMessage((e as Error).message);
    }
  };
  // Issuing (cấp số): the next number of the outgoing register and the date, written by the seal's signature.
  const issue = async () => {
    if (!pdf || !form.codeNotation.trim()) return;
    const query = new URLSearchParams({ notation: form.codeNotation.trim(), ...(place.trim() ? { place: place.trim() } : {}) });
    if (seal) query.set('seal', `${seal.page + 1}:${Math.round(seal.x1)}:${Math.round(seal.y1)}:${Math.round(seal.x2)}:${Math.round(seal.y2)}`);
    try {
      const { bytes, headers } = await api.pdf(`/v1/issuances?${query}`, pdf);
      const number = headers.get('Kyso-Register-Number') ?? '';
      setPdf(bytes);
      setSeal(null);
      setForm((f) => ({ ...f, codeNumber: number, issuedDate: headers.get('Kyso-Issued-Date') ?? f.issuedDate }));
      await check(bytes);
      setMessage(`${t('issuedAs')} ${number}/${form.codeNotation.trim()}`);
    } catch (e) {
      setMessage((e as Error).message);
    }
  };
  const problems: string[] = [];
  if (form.to.length === 0) problems.push(t('recipients'));
  if (!form.codeNumber.trim() || /[\u0000-\u001f]/.test(form.codeNumber)) problems.push(t('number'));
  if (!form.codeNotation.trim()) problems.push(t('number'));
  if (!form.subject.trim()) problems.push(t('subject'));
  if (!form.issuedDate || form.issuedDate > today()) problems.push(t('issued'));
  const send = async (e: Event) => {
    e.preventDefault();
    if (!pdf || problems.length) return;
    const body = new FormData();
    body.append('file', new Blob([pdf], { type: 'application/pdf' }), fileName);
    for (const a of attachments) body.append('attachments', a, a.name);
    body.append('metadata', JSON.stringify({
      to: form.to, codeNumber: form.codeNumber.trim(), codeNotation: form.codeNotation.trim(), issuedDate: form.issuedDate, subject: form.subject.trim(),
      priority: Number(form.priority), ...(form.dueDate ? { dueDate: `${form.dueDate}T17:00:00+07:00` } : {}),
    }));
    try {
      const sent = await api.post<{ exchangeId: string }>('/v1/exchanges', body, { 'Idempotency-Key': `web-${crypto.randomUUID()}` });
      if (draftId) await api.post(`/v1/drafts/${draftId}/sent`, { exchangeId: sent.exchangeId });
      navigate(`/exchanges/${sent.exchangeId}`);
    } catch (err) {
      setMessage((err as Error).message);
    }
  };
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  return (
    <main id="main">
      <h1>{t('compose')}</h1>
      <form class="card form compose" onSubmit={send}>
        <label for="file">{t('file')}</label>
        <input id="file" type="file" accept="application/pdf,.pdf" data-testid="compose-file" onChange={(e) => { const f = (e.target as HTMLInputElement).files?.[0]; if (f) void pick(f); }} />
        <label for="to">{t('recipients')}</label>
        <select id="to" multiple size={4} onChange={(e) => setForm({ ...form, to: Array.from((e.target as HTMLSelectElement).selectedOptions).map((o) => o.value) })}>
          {agencies.map((a) => <option value={a.organId} key={a.organId}>{a.name} ({a.organId})</option>)}
        </select>
        <div class="row">
          <span><label for="codeNumber">Số</label><input id="codeNumber" value={form.codeNumber} onInput={set('codeNumber')} aria-invalid={!form.codeNumber.trim()} /></span>
          <span><label for="codeNotation">Ký hiệu</label><input id="codeNotation" value={form.codeNotation} onInput={set('codeNotation')} aria-invalid={!form.codeNotation.trim()} /></span>
          <span><label for="issuedDate">{t('issued')}</label><input id="issuedDate" type="date" max={today()} value={form.issuedDate} onInput={set('issuedDate')} /></span>
        </div>
        {me.caller.role === 'clerk' && <div class="row">
          <span><label for="place">{t('issuePlace')}</label><input id="place" value={place} placeholder="Hà Nội" onInput={(e) => setPlace((e.target as HTMLInputElement).value)} /></span>
          <span class="align-end"><button type="button" data-testid="issue" disabled={!pdf || !form.codeNotation.trim()} onClick={() => void issue()}>{t('issueIt')}</button></span>
        </div>}
        <label for="subject">{t('subject')}</label>
        <textarea id="subject" rows={2} value={form.subject} onInput={set('subject')} aria-invalid={!form.subject.trim()} />
        <div class="row">
          <span><label for="dueDate">{t('due')}</label><input id="dueDate" type="date" value={form.dueDate} onInput={set('dueDate')} /></span>
          <span><label for="priority">{t('priority')}</label><select id="priority" value={form.priority} onChange={set('priority')}><option value="0">Thường</option><option value="1">Khẩn</option><option value="2">Thượng khẩn</option><option value="3">Hỏa tốc</option></select></span>
        </div>
        <label for="attachments">{t('attachments')}</label>
        <input id="attachments" type="file" multiple onChange={(e) => setAttachments(Array.from((e.target as HTMLInputElement).files ?? []))} />
        {problems.length > 0 && pdf && <p class="hint" role="status">{[...new Set(problems)].join(', ')}</p>}
        <div class="buttons">
          {me.caller.role === 'clerk' && <button type="button" disabled={!seal} onClick={() => void applySeal()}>{t('sealIt')}</button>}
          <button type="submit" disabled={!pdf || problems.length > 0 || report?.indication === 'TOTAL_FAILED' || report?.indication === 'NO_SIGNATURE'}>{t('send')}</button>
        </div>
        {message && <p role="status" data-testid="compose-message">{message}</p>}
      </form>
      {report && <><h2>{t('verifyBeforeSend')}</h2><VerdictBanner report={report} /></>}
      {pdf && <p class="hint">{t('drawSeal')}</p>}
      <div class="two-columns">
        {report && <SignaturesPanel report={report} />}
        {pdf && <PdfView data={pdf} boxes={report ? boxesOf(report) : []} onDraw={setSeal} />}
      </div>
    </main>
  );
}
