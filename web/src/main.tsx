/**
 * The web application: who is signed in, the menu their role needs, and the pages. Vietnamese first; every
 * page reaches data through the /v1 API only.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, Me, setCsrfToken } from './api';
import { lang, roleName, setLang, t } from './i18n';
import { Admin } from './pages/Admin';
import { Archive } from './pages/Archive';
import { Boxes } from './pages/Boxes';
import { Compose } from './pages/Compose';
import { DraftDetail, Drafts } from './pages/Drafts';
import { ExchangeDetail } from './pages/ExchangeDetail';
import { Login } from './pages/Login';
import { Operator } from './pages/Operator';
import { Registers } from './pages/Registers';
import { Verify } from './pages/Verify';
import { navigate, path } from './router';
import { useSignal } from './signal';
import './styles.css';

const MENU: Array<{ to: string; label: Parameters<typeof t>[0]; roles: string[] }> = [
  { to: '/inbox', label: 'inbox', roles: ['clerk', 'receiver', 'archivist', 'signer'] },
  { to: '/outbox', label: 'outbox', roles: ['clerk', 'receiver', 'archivist', 'signer'] },
  { to: '/drafts', label: 'drafts', roles: ['signer', 'clerk'] },
  { to: '/compose', label: 'compose', roles: ['clerk'] },
  { to: '/registers', label: 'registers', roles: ['clerk', 'receiver', 'archivist'] },
  { to: '/archive', label: 'archive', roles: ['archivist', 'admin'] },
  { to: '/admin', label: 'admin', roles: ['admin'] },
  { to: '/operator', label: 'operator', roles: ['operator'] },
  { to: '/verify', label: 'verifyPublic', roles: ['clerk', 'receiver', 'archivist', 'signer', 'admin', 'operator'] },
];
const HOME: Record<string, string> = { admin: '/admin', archivist: '/archive', signer: '/drafts', operator: '/operator' };

function App() {
  useSignal(lang);
  const current = useSignal(path);
  const [me, setMe] = useState<Me | null | undefined>(undefined);

  useEffect(() => {
    api.get<Me>('/v1/session').then((m) => {
      setCsrfToken(m.csrfToken ?? '');
      setMe(m);
    }, () => setMe(null));
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang.get();
    document.title = t('appName');
  });

  const signedIn = (m: Me) => {
    setMe(m);
    navigate(HOME[m.caller.role] ?? '/inbox');
  };
  const signOut = async () => {
    await api.del('/v1/session').catch(() => undefined);
    setCsrfToken('');
    setMe(null);
    navigate('/login');
  };

  if (current === '/verify' && !me) {
    return <Shell me={null} onSignOut={signOut}><Verify /></Shell>;
  }
  if (me === undefined) return <p class="loading">{t('loading')}</p>;
  if (me === null) return <Shell me={null} onSignOut={signOut}><Login onSignedIn={signedIn} /></Shell>;
  const role = me.caller.role;
  let page;
  if (current === '/verify') page = <Verify />;
  else if (current === '/outbox') page = <Boxes box="outbox" />;
  else if (current === '/compose') page = <Compose me={me} />;
  else if (current === '/drafts') page = <Drafts me={me} />;
  else if (current.startsWith('/drafts/')) page = <DraftDetail id={decodeURIComponent(current.slice('/drafts/'.length))} me={me} />;
  else if (current === '/archive') page = <Archive />;
  else if (current === '/registers') page = <Registers />;
  else if (current === '/admin') page = <Admin me={me} />;
  else if (current === '/operator' && role === 'operator') page = <Operator />;
  else if (current.startsWith('/exchanges/')) page = <ExchangeDetail id={decodeURIComponent(current.slice('/exchanges/'.length))} me={me} />;
  else if (current === '/inbox') page = <Boxes box="inbox" />;
  else {
    navigate(HOME[role] ?? '/inbox');
    return null;
  }
  return <Shell me={me} onSignOut={signOut}>{page}</Shell>;
}

function Shell({ me, onSignOut, children }: { me: Me | null; onSignOut: () => void; children: preact.ComponentChildren }) {
  const current = useSignal(path);
  return (
    <>
      <a class="skip" href="#main">{t('skip')}</a>
      <header class="top">
        <span class="brand">Kyso</span>
        {me && (
          <nav aria-label="menu">
            {MENU.filter((m) => m.roles.includes(me.caller.role)).map((m) => (
              <a href={m.to} key={m.to} aria-current={current === m.to ? 'page' : undefined} onClick={(e) => { e.preventDefault(); navigate(m.to); }}>{t(m.label)}</a>
            ))}
          </nav>
        )}
        <span class="spacer" />
        {me && <span class="who" data-testid="who">{me.user ? `${me.user.fullName || me.user.username} · ${roleName(me.caller.role)} · ${me.caller.organName}` : roleName(me.caller.role)}</span>}
        <button type="button" class="link" onClick={() => setLang(lang.get() === 'vi' ? 'en' : 'vi')}>{t('language')}</button>
        {me && <button type="button" class="link" onClick={onSignOut} data-testid="sign-out">{t('signOut')}</button>}
      </header>
      {children}
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
