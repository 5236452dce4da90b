/** Inbox and outbox: filters, counts per status, pages of 20, overdue and needs-review marked. */
import { useEffect, useState } from 'preact/hooks';
import { Agency, api, Exchange } from '../api';
import { formatDate, formatTime } from '../format';
import { STATUS_CODES, statusName, t } from '../i18n';
import { navigate } from '../router';

const PAGE_SIZE = 20;
type List = { total: number; page: number; pageSize: number; counts: Record<string, number>; items: Exchange[] };

export const isOverdue = (e: Exchange, status: string): boolean => !!e.dueDate && new Date(e.dueDate) < new Date() && !['06', '02', '15'].includes(status);

export function Boxes({ box }: { box: 'inbox' | 'outbox' }) {
  const [filters, setFilters] = useState({ status: '', counterpart: '', from: '', to: '', number: '', q: '' });
  const [page, setPage] = useState(1);
  const [list, setList] = useState<List | null>(null);
  const [agencies, setAgencies] = useState<Agency[]>([]);
  const [error, setError] = useState('');

  useEffect(() => { void api.get<{ items: Agency[] }>('/v1/agencies').then((r) => setAgencies(r.items), () => undefined); }, []);
  const load = (p: number, f = filters) => {
    const q = new URLSearchParams({ box, page: String(p), pageSize: String(PAGE_SIZE) });
    for (const [k, v] of Object.entries(f)) if (v) q.set(k, k === 'to' ? `${v}T23:59:59+07:00` : k === 'from' ? `${v}T00:00:00+07:00` : v);
    api.get<List>(`/v1/exchanges?${q}`).then((r) => { setList(r); setError(''); }, (e: Error) => setError(e.message));
  };
  useEffect(() => { setPage(1); load(1); }, [box]);
  const set = (k: keyof typeof filters) => (e: Event) => setFilters({ ...filters, [k]: (e.target as HTMLInputElement).value });
  const submit = (e: Event) => { e.preventDefault(); setPage(1); load(1); };
  const pages = list ? Math.max(1, Math.ceil(list.total / PAGE_SIZE)) : 1;

  return (
    <main id="main">
      <h1>{box === 'inbox' ? t('inbox') : t('outbox')}</h1>
      {list && (
        <ul class="counts" aria-label={t('status')}>
          {Object.entries(list.counts).sort().map(([code, n]) => <li key={code}><span class={`status s${code}`}>{statusName(code)}</span> {n}</li>)}
        </ul>
      )}
      <form class="filters" onSubmit={submit}>
        <label>{t('status')}<select value={filters.status} onChange={set('status')}><option value="">{t('all')}</option>{STATUS_CODES.map((c) => <option value={c} key={c}>{c} — {statusName(c)}</option>)}</select></label>
        <label>{box === 'inbox' ? t('sender') : t('recipient')}<select value={filters.counterpart} onChange={set('counterpart')}><option value="">{t('all')}</option>{agencies.map((a) => <option value={a.organId} key={a.organId}>{a.name}</option>)}</select></label>
        <label>{t('from')}<input type="date" value={filters.from} onInput={set('from')} /></label>
        <label>{t('to')}<input type="date" value={filters.to} onInput={set('to')} /></label>
        <label>{t('number')}<input value={filters.number} onInput={set('number')} placeholder="15/VPCP-KSTT" /></label>
        <label>{t('subject')}<input value={filters.q} onInput={set('q')} /></label>
        <button type="submit">{t('search')}</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {list && list.items.length === 0 && <p>{t('noItems')}</p>}
      {list && list.items.length > 0 && (
        <table class="exchanges">
          <thead><tr><th>{t('number')}</th><th>{t('subject')}</th><th>{box === 'inbox' ? t('sender') : t('recipient')}</th><th>{t('issued')}</th><th>{t('due')}</th><th>{t('status')}</th></tr></thead>
          <tbody>
            {list.items.map((e) => {
              const r = e.recipients[0];
              const status = box === 'inbox' ? r?.status ?? '' : e.recipients.map((x) => x.status).sort()[0] ?? '';
              return (
                <tr key={e.exchangeId} class={isOverdue(e, status) ? 'overdue' : ''}>
                  <td><a href={`/exchanges/${e.exchangeId}`} onClick={(ev) => { ev.preventDefault(); navigate(`/exchanges/${e.exchangeId}`); }}>{e.codeNumber}/{e.codeNotation}</a></td>
                  <td>{e.subject}</td>
                  <td>{box === 'inbox' ? e.fromOrganName : e.to.map((x) => x.organName).join(', ')}</td>
                  <td>{formatDate(e.issuedDate)}</td>
                  <td>{e.dueDate ? formatTime(e.dueDate).slice(0, 10) : '—'}{isOverdue(e, status) && <span class="flag flag-bad"> {t('overdue')}</span>}</td>
                  <td><span class={`status s${status}`}>{statusName(status)}</span>{e.recipients.some((x) => x.needsReview) && <span class="flag flag-warn"> {t('needsReview')}</span>}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {list && pages > 1 && (
        <nav class="pager" aria-label={t('page')}>
          <button type="button" disabled={page <= 1} onClick={() => { setPage(page - 1); load(page - 1); }}>{t('previous')}</button>
          <span>{t('page')} {page} {t('of')} {pages}</span>
          <button type="button" disabled={page >= pages} onClick={() => { setPage(page + 1); load(page + 1); }}>{t('next')}</button>
        </nav>
      )}
    </main>
  );
}
