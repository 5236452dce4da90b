/**
 * The people and API keys of one agency, as its admin and the operator manage them: users (create, reset a
 * password, disable or enable) and keys (issue one per role, revoke). A new password or key is shown once.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { formatTime } from '../format';
import { roleName, t } from '../i18n';
import { useAction } from '../use-action';

interface User { username: string; fullName: string; role: string; disabled: boolean; locked: boolean; createdAt: string }
interface Key { keyId: string; role: string; createdAt: string; revokedAt: string | null }
const ROLES = ['signer', 'clerk', 'receiver', 'archivist', 'admin'];

/**
 * One agency's list (its users or its keys), read from `url` again after each change and whenever the
 * agency changes; `shown` is the password or key just made, shown once.
 */
function useAgencyList<T>(url: string) {
  const [items, setItems] = useState<T[]>([]);
  const [shown, setShown] = useState('');
  const load = () => { api.get<{ items: T[] }>(url).then((r) => setItems(r.items), fail); };
  const { error, act, fail } = useAction(load);
  useEffect(() => {
    setShown('');
    load();
  }, [url]);
  return { items, shown, setShown, error, act };
}

/** The heading of a list's card, its error and the secret just made. */
function ListHead({ title, error, shown, testId }: { title: string; error: string; shown: string; testId: string }) {
  return (
    <>
      <h2>{title}</h2>
      {error && <p class="error" role="alert">{error}</p>}
      {shown && <p class="card secret" role="status" data-testid={testId}>{shown}</p>}
    </>
  );
}

export function AgencyUsers({ organId }: { organId: string }) {
  const { items: users, shown, setShown, error, act } = useAgencyList<User>(`/v1/admin/users?organId=${encodeURIComponent(organId)}`);
  const [form, setForm] = useState({ username: '', fullName: '', role: 'clerk' });
  return (
    <section class="card" aria-label={t('users')}>
      <ListHead title={t('users')} error={error} shown={shown} testId="shown-secret" />
      <form class="filters" onSubmit={(e) => { e.preventDefault(); void act(async () => { const r = await api.post<{ password: string }>('/v1/admin/users', { ...form, organId }); setShown(`${t('newPassword')}: ${form.username} — ${r.password}`); setForm({ username: '', fullName: '', role: form.role }); }); }}>
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
            <td><div class="buttons">
              <button type="button" onClick={() => void act(async () => { const r = await api.post<{ password: string }>(`/v1/admin/users/${u.username}/password`, {}); setShown(`${t('newPassword')}: ${u.username} — ${r.password}`); })}>{t('resetPassword')}</button>
              <button type="button" onClick={() => void act(() => api.post(`/v1/admin/users/${u.username}/${u.disabled ? 'enable' : 'disable'}`))}>{u.disabled ? t('enable') : t('disable')}</button>
            </div></td>
          </tr>
        ))}</tbody>
      </table>
    </section>
  );
}

export function AgencyKeys({ organId }: { organId: string }) {
  const { items: keys, shown, setShown, error, act } = useAgencyList<Key>(`/v1/admin/agencies/${encodeURIComponent(organId)}/api-keys`);
  return (
    <section class="card" aria-label={t('apiKeys')}>
      <ListHead title={t('apiKeys')} error={error} shown={shown} testId="shown-key" />
      <div class="buttons">{ROLES.map((r) => <button type="button" key={r} onClick={() => void act(async () => { const k = await api.post<{ apiKey: string }>(`/v1/admin/agencies/${encodeURIComponent(organId)}/api-keys`, { role: r }); setShown(`${roleName(r)}: ${k.apiKey}`); })}>+ {roleName(r)}</button>)}</div>
      {keys.length === 0 ? <p class="hint">{t('none')}</p> : <table>
        <thead><tr><th>{t('keyId')}</th><th>{t('role')}</th><th>{t('time')}</th><th>{t('actions')}</th></tr></thead>
        <tbody>{keys.map((k) => (
          <tr key={k.keyId} class={k.revokedAt ? 'muted' : ''}>
            <td class="mono">{k.keyId}</td><td>{roleName(k.role)}</td><td>{formatTime(k.createdAt)}</td>
            <td>{k.revokedAt ? `${t('revokedAt')} ${formatTime(k.revokedAt)}` : <button type="button" onClick={() => void act(() => api.del(`/v1/admin/api-keys/${k.keyId}`))}>{t('revoke')}</button>}</td>
          </tr>
        ))}</tbody>
      </table>}
    </section>
  );
}
