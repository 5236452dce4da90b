/**
 * Sign in with a username and password (a lock after repeated wrong passwords is explained), or, for the
 * service operator, with the operator key.
 */
import { useState } from 'preact/hooks';
import { api, ApiError, Me, setCsrfToken } from '../api';
import { t } from '../i18n';

export function Login({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [operatorKey, setOperatorKey] = useState('');
  const [keyError, setKeyError] = useState('');
  /** Opens a session with `credentials`; a refusal goes to `refused`, which says why. */
  const signIn = async (e: Event, credentials: object, refused: (err: unknown) => void) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    setKeyError('');
    try {
      const signed = await api.post<{ csrfToken: string }>('/v1/session', credentials);
      setOperatorKey(''); // the key is not kept in the page once used
      setCsrfToken(signed.csrfToken);
      onSignedIn(await api.get<Me>('/v1/session'));
    } catch (err) {
      refused(err);
    } finally {
      setBusy(false);
    }
  };
  const submitKey = (e: Event) => signIn(e, { operatorKey }, (err) => {
    setKeyError(err instanceof ApiError && err.code === 'LOGIN_FAILED' ? t('keyFailed') : String((err as Error).message));
  });
  const submit = (e: Event) => signIn(e, { username, password }, (err) => {
    if (err instanceof ApiError && err.code === 'ACCOUNT_LOCKED') {
      const seconds = Number(err.details?.retryAfterSeconds ?? 900);
      setError(`${t('accountLocked')} ${Math.ceil(seconds / 60)} ${t('minutes')}.`);
    } else setError(err instanceof ApiError && err.code === 'LOGIN_FAILED' ? t('loginFailed') : String((err as Error).message));
  });
  return (
    <main id="main" class="login">
      <h1>{t('signIn')}</h1>
      <form onSubmit={submit} class="card form">
        <label for="username">{t('username')}</label>
        <input id="username" name="username" autocomplete="username" value={username} onInput={(e) => setUsername((e.target as HTMLInputElement).value)} required />
        <label for="password">{t('password')}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} required />
        {error && <p class="error" role="alert" data-testid="login-error">{error}</p>}
        <button type="submit" disabled={busy}>{t('signIn')}</button>
      </form>
      <details class="card operator-sign-in">
        <summary>{t('operatorSignIn')}</summary>
        <form onSubmit={submitKey} class="form">
          <label for="operator-key">{t('operatorKey')}</label>
          <input id="operator-key" name="operator-key" type="password" autocomplete="off" spellcheck={false} value={operatorKey} onInput={(e) => setOperatorKey((e.target as HTMLInputElement).value)} required />
          <p class="hint">{t('operatorHint')}</p>
          {keyError && <p class="error" role="alert" data-testid="key-error">{keyError}</p>}
          <button type="submit" disabled={busy}>{t('signInWithKey')}</button>
        </form>
      </details>
      <p><a href="/verify">{t('verifyPublic')}</a></p>
    </main>
  );
}
