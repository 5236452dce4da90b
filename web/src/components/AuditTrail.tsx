/**
 * The audit trail as the archivist, the agency admin and the operator read it: search by subject, actor and
 * dates (and, for the operator, by agency), and the check of the whole chain. What the caller may read is
 * decided by the service (an agency's own events; the operator any agency's).
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { formatTime } from '../format';
import { t } from '../i18n';

interface AuditEvent { chain?: string; seq: number; at: string; type: string; organId: string | null; keyId: string | null; subject: string | null }
interface ChainCheck { intact: boolean; events: number; chains: number; brokenAt: number | null; brokenChain?: string }

/** `agencies`: the operator chooses among them (or all). */
export function AuditTrail({ agencies }: { agencies?: Array<{ organId: string; name: string }> }) {
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [query, setQuery] = useState({ subject: '', actor: '', from: '', to: '', organId: '' });
  const [chain, setChain] = useState<ChainCheck | null>(null);
  const [error, setError] = useState('');
  const search = (e?: Event) => {
    e?.preventDefault();
    setError('');
    const q = new URLSearchParams();
    if (query.subject) q.set('subject', query.subject);
    if (query.actor) q.set('actor', query.actor);
    if (query.from) q.set('from', `${query.from}T00:00:00+07:00`);
    if (query.to) q.set('to', `${query.to}T23:59:59+07:00`);
    if (query.organId) q.set('organId', query.organId);
    api.get<{ items: AuditEvent[] }>(`/v1/audit?${q}`).then((r) => setEvents(r.items), (err: Error) => setError(err.message));
  };
  useEffect(() => search(), []);
  const text = (key: 'subject' | 'actor' | 'from' | 'to') => ({ value: query[key], onInput: (e: Event) => setQuery({ ...query, [key]: (e.target as HTMLInputElement).value }) });
  return (
    <section class="card" aria-label={t('audit')}>
      <h2>{t('audit')}</h2>
      {error && <p class="error" role="alert">{error}</p>}
      <form class="filters" onSubmit={search}>
        {agencies && (
          <label>{t('agency')}<select value={query.organId} onChange={(e) => setQuery({ ...query, organId: (e.target as HTMLSelectElement).value })}>
            <option value="">{t('allAgencies')}</option>
            {agencies.map((a) => <option value={a.organId} key={a.organId}>{a.organId} — {a.name}</option>)}
          </select></label>
        )}
        <label>{t('subjectFilter')}<input {...text('subject')} /></label>
        <label>{t('actor')}<input {...text('actor')} /></label>
        <label>{t('from')}<input type="date" {...text('from')} /></label>
        <label>{t('to')}<input type="date" {...text('to')} /></label>
        <button type="submit">{t('search')}</button>
        <button type="button" onClick={() => void api.get<ChainCheck>('/v1/audit/verify').then(setChain, (err: Error) => setError(err.message))}>{t('chainCheck')}</button>
      </form>
      {chain && <p role="status" class={chain.intact ? 'ok' : 'error'}>{chain.intact ? `${t('chainIntact')} (${chain.events})` : `${t('chainBroken')} ${chain.brokenAt}${chain.brokenChain ? ` (${chain.brokenChain.slice(0, 8)})` : ''}`}</p>}
      <table>
        <thead><tr><th>#</th><th>{t('time')}</th><th>{t('event')}</th><th>{t('actor')}</th><th>{t('subjectFilter')}</th></tr></thead>
        <tbody>{events.slice(-200).reverse().map((e) => <tr key={`${e.chain ?? ''}:${e.seq}`}><td>{e.seq}</td><td>{formatTime(e.at)}</td><td>{e.type}</td><td>{e.keyId ?? '—'}</td><td class="mono">{e.subject ?? '—'}</td></tr>)}</tbody>
      </table>
    </section>
  );
}
