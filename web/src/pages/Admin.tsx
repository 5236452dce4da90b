/** The agency admin's screen: its users (create, reset a password, disable) and its API keys. */
import { useEffect, useState } from 'preact/hooks';
import { Agency, api, Me } from '../api';
import { formatTime } from '../format';
import { roleName, t } from '../i18n';

interface User { username: string; fullName: string; role: string; disabled: boolean; locked: boolean; createdAt: string }
interface Key { keyId: string; role: string; createdAt: string; revokedAt: string | null }
const ROLES = ['signer', 'clerk', 'receiver', 'archivist', 'admin'];

export function Admin({ me }: { me: Me }) {
  const organId = me.caller.organId;
  const [users, setUsers] = useState<User[]>([]);
  const [keys, setKeys] = useState<Key[]>([]);
  const [agencies, setAgencies] = useState<Array<Agency & { history?: Array<{ organId: string; name: string }> }>>([]);
  const [form, setForm] = useState({ username: '', fullName: '', role: 'clerk' });
  const [shown, setShown] = useState('');
  const [error, setError] = useState('');
  const load = () => {
    api.get<{ items: User[] }>('/v1/admin/users').then((r) => setUsers(r.items), (e: Error) => setError(e.message));
    api.get<{ items: Key[] }>(`/v1/admin/agencies/${organId}/api-keys`).then((r) => setKeys(r.items), (e: Error) => setError(e.message));
    api.get<{ items: typeof agencies }>('/v1/agencies').then((r) => setAgencies(r.items), (e: Error) => setError(e.message));
  };
  useEffect(load, []);
  const act = async (fn: () => Promise<unknown>) => {
    setError('');
    try {
      await fn();
      load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <main id="main">
      <h1>{t('admin')} — {me.caller.organName}</h1>
      {error && <p class="error" role="alert">{error}</p>}
      {shown && <p class="card secret" role="status" data-testid="shown-secret">{shown}</p>}
      <section class="card" aria-label={t('users')}>
        <h2>{t('users')}</h2>
        <form class="filters" onSubmit={(e) => { e.preventDefault(); void act(async () => { const r = await api.post<{ password: string }>('/v1/admin/users', form); setShown(`${t('newPassword')}: ${form.username} — ${r.password}`); }); }}>
          <label>{t('username')}<input value={form.username} onInput={(e) => setForm({ ...form, username: (e.target as HTMLInputElement).value })} required /></label>
          <label>{t('fullName')}<input value={form.fullName} onInput={(e) => setForm({ ...form, fullName: (e.target as HTMLInputElement).value })} /></label>
          <label>{t('role')}<select value={form.role} onChange={(e) => setForm({ ...form, role: (e.target as HTMLSelectElement).value })}>{ROLES.map((r) => <option value={r} key={r}>{roleName(r)}</option>)}</select></label>
          <button type="submit">{t('create')}</button>
        </form>
        <table>
          <thead><tr><th>{t('username')}</th><th>{t('fullName')}</th><th>{t('role')}</th><th>{t('status')}</th><th>{t('actions')}</th></tr></thead>
          <tbody>{users.map((u) => (
            <tr key={u.username}>
              <td>{u.username}</td><td>{u.fullName}</td><td>{roleName(u.role)}</td><td>{u.disabled ? t('disabled') : u.locked ? t('accountLocked').split('.')[0] : '✓'}</td>
              <td class="buttons">
                <button type="button" onClick={() => void act(async () => { const r = await api.post<{ password: string }>(`/v1/admin/users/${u.username}/password`, {}); setShown(`${t('newPassword')}: ${u.username} — ${r.password}`); })}>{t('resetPassword')}</button>
                <button type="button" onClick={() => void act(() => api.post(`/v1/admin/users/${u.username}/${u.disabled ? 'enable' : 'disable'}`))}>{u.disabled ? t('enable') : t('disable')}</button>
              </td>
            </tr>
          ))}</tbody>
        </table>
      </section>
      <section class="card" aria-label={t('apiKeys')}>
        <h2>{t('apiKeys')}</h2>
        <div class="buttons">{ROLES.map((r) => <button type="button" key={r} onClick={() => void act(async () => { const k = await api.post<{ apiKey: string }>(`/v1/admin/agencies/${organId}/api-keys`, { role: r }); setShown(`${roleName(r)}: ${k.apiKey}`); })}>+ {roleName(r)}</button>)}</div>
        <table>
          <thead><tr><th>Key id</th><th>{t('role')}</th><th>{t('time')}</th><th>{t('actions')}</th></tr></thead>
          <tbody>{keys.map((k) => (
            <tr key={k.keyId} class={k.revokedAt ? 'muted' : ''}>
              <td class="mono">{k.keyId}</td><td>{roleName(k.role)}</td><td>{formatTime(k.createdAt)}</td>
              <td>{k.revokedAt ? formatTime(k.revokedAt) : <button type="button" onClick={() => void act(() => api.del(`/v1/admin/api-keys/${k.keyId}`))}>{t('revoke')}</button>}</td>
            </tr>
          ))}</tbody>
        </table>
      </section>
      <section class="card" aria-label={t('agencies')}>
        <h2>{t('agencies')}</h2>
        <table>
          <thead><tr><th>OrganId</th><th>{t('agency')}</th><th>{t('history')}</th></tr></thead>
          <tbody>{agencies.map((a) => (
            <tr key={a.organId}><td class="mono">{a.organId}</td><td>{a.name}</td><td>{(a.history ?? []).map((h) => `${h.organId} ${h.name}`).join('; ') || '—'}</td></tr>
          ))}</tbody>
        </table>
      </section>
    </main>
  );
}
