/** The agency admin's screen: its users (create, reset a password, disable) and its API keys. */
import { useEffect, useState } from 'preact/hooks';
import { Agency, api, Me } from '../api';
import { AgencyKeys, AgencyUsers } from '../components/AgencyAccess';
import { formatTime } from '../format';
import { t } from '../i18n';

export function Admin({ me }: { me: Me }) {
  const organId = me.caller.organId;
  const [agencies, setAgencies] = useState<Array<Agency & { history?: Array<{ organId: string; name: string; validTo: string }> }>>([]);
  const [error, setError] = useState('');
  useEffect(() => { api.get<{ items: typeof agencies }>('/v1/agencies').then((r) => setAgencies(r.items), (e: Error) => setError(e.message)); }, []);
  return (
    <main id="main">
      <h1>{t('admin')} — {me.caller.organName}</h1>
      {error && <p class="error" role="alert">{error}</p>}
      <AgencyUsers organId={organId} />
      <AgencyKeys organId={organId} />
      <section class="card" aria-label={t('agencies')}>
        <h2>{t('agencies')}</h2>
        <table>
          <thead><tr><th>{t('organId')}</th><th>{t('agency')}</th><th>{t('formerNames')}</th></tr></thead>
          <tbody>{agencies.map((a) => (
            <tr key={a.organId}><td class="mono">{a.organId}</td><td>{a.name}</td><td>{(a.history ?? []).map((h) => `${h.organId} — ${h.name} (${formatTime(h.validTo)})`).join('; ') || '—'}</td></tr>
          ))}</tbody>
        </table>
      </section>
    </main>
  );
}
