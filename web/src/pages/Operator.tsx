/**
 * The service operator's screen: registering agencies, renaming them and changing their codes (earlier names
 * and codes stay in each agency's history), the people and keys of any agency, the peer Kyso instances
 * this one exchanges with, and the audit trail of every agency. The operator acts for no agency and reads
 * no exchange.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { AgencyKeys, AgencyUsers } from '../components/AgencyAccess';
import { AuditTrail } from '../components/AuditTrail';
import { formatTime } from '../format';
import { t } from '../i18n';
import { useAction } from '../use-action';

interface AgencyRow { organId: string; name: string; active: boolean; history?: Array<{ organId: string; name: string; validTo: string }> }
interface Peer { peerId: string; name: string; baseUrl: string; organIds: string[]; prefixes: string[] }

const list = (text: string): string[] => text.split(',').map((s) => s.trim()).filter(Boolean);

export function Operator() {
  const [agencies, setAgencies] = useState<AgencyRow[]>([]);
  const [peers, setPeers] = useState<Peer[]>([]);
  const [selected, setSelected] = useState('');
  const [agency, setAgency] = useState({ organId: '', name: '', acceptPublicCa: true });
  const [edit, setEdit] = useState({ name: '', organId: '' });
  const [peer, setPeer] = useState({ name: '', baseUrl: '', organIds: '', prefixes: '', publicKey: '' });
  const load = () => {
    api.get<{ items: AgencyRow[] }>('/v1/agencies').then((r) => setAgencies(r.items), fail);
    api.get<{ items: Peer[] }>('/v1/admin/peers').then((r) => setPeers(r.items), fail);
  };
  const { error, act, fail } = useAction(load);
  useEffect(load, []);
  const current = agencies.find((a) => a.organId === selected);
  /** The value and input handler of one text field of a form's state. */
  const field = <F extends Record<string, string>>(value: F, set: (v: F) => void, key: keyof F & string) => ({
    value: value[key],
    onInput: (e: Event) => set({ ...value, [key]: (e.target as HTMLInputElement).value }),
  });
  return (
    <main id="main">
      <h1>{t('operatorTitle')}</h1>
      {error && <p class="error" role="alert">{error}</p>}
      <section class="card" aria-label={t('agencies')}>
        <h2>{t('agencies')}</h2>
        <form class="filters" aria-label={t('registerAgency')} onSubmit={(e) => { e.preventDefault(); void act(async () => { await api.post('/v1/admin/agencies', agency); setSelected(agency.organId); setAgency({ organId: '', name: '', acceptPublicCa: true }); }); }}>
          <label>{t('organId')}<input value={agency.organId} onInput={(e) => setAgency({ ...agency, organId: (e.target as HTMLInputElement).value })} required placeholder="000.00.00.H00" /></label>
          <label class="wide">{t('agencyName')}<input value={agency.name} onInput={(e) => setAgency({ ...agency, name: (e.target as HTMLInputElement).value })} required /></label>
          <label class="check"><input type="checkbox" checked={agency.acceptPublicCa} onChange={(e) => setAgency({ ...agency, acceptPublicCa: (e.target as HTMLInputElement).checked })} />{t('acceptPublicCa')}</label>
          <button type="submit">{t('registerAgency')}</button>
        </form>
        <table>
          <thead><tr><th>{t('organId')}</th><th>{t('agency')}</th><th>{t('formerNames')}</th><th>{t('actions')}</th></tr></thead>
          <tbody>{agencies.map((a) => (
            <tr key={a.organId} aria-current={a.organId === selected ? 'true' : undefined}>
              <td class="mono">{a.organId}</td><td>{a.name}</td>
              <td>{(a.history ?? []).map((h) => `${h.organId} — ${h.name} (${formatTime(h.validTo)})`).join('; ') || '—'}</td>
              <td><button type="button" onClick={() => { setSelected(a.organId); setEdit({ name: a.name, organId: a.organId }); }} aria-label={`${t('manage')} ${a.organId}`}>{t('manage')}</button></td>
            </tr>
          ))}</tbody>
        </table>
      </section>
      {current && (
        <>
          <section class="card" aria-label={`${t('managing')} ${current.organId}`}>
            <h2>{t('managing')}: {current.name} <span class="mono">({current.organId})</span></h2>
            <form class="filters" onSubmit={(e) => { e.preventDefault(); void act(() => api.post(`/v1/admin/agencies/${encodeURIComponent(current.organId)}/rename`, { name: edit.name })); }}>
              <label class="wide">{t('newName')}<input {...field(edit, setEdit, 'name')} required /></label>
              <button type="submit">{t('rename')}</button>
            </form>
            <form class="filters" onSubmit={(e) => { e.preventDefault(); void act(async () => { await api.post(`/v1/admin/agencies/${encodeURIComponent(current.organId)}/code`, { organId: edit.organId }); setSelected(edit.organId); }); }}>
              <label>{t('newCode')}<input {...field(edit, setEdit, 'organId')} required /></label>
              <button type="submit">{t('changeCode')}</button>
            </form>
          </section>
          <AgencyUsers organId={current.organId} />
          <AgencyKeys organId={current.organId} />
        </>
      )}
      <section class="card" aria-label={t('peers')}>
        <h2>{t('peers')}</h2>
        <form class="filters" aria-label={t('registerPeer')} onSubmit={(e) => { e.preventDefault(); void act(async () => { await api.post('/v1/admin/peers', { name: peer.name, baseUrl: peer.baseUrl, organIds: list(peer.organIds), prefixes: list(peer.prefixes), publicKey: peer.publicKey }); setPeer({ name: '', baseUrl: '', organIds: '', prefixes: '', publicKey: '' }); }); }}>
          <label>{t('peerName')}<input {...field(peer, setPeer, 'name')} required /></label>
          <label>{t('baseUrl')}<input {...field(peer, setPeer, 'baseUrl')} required placeholder="https://kyso.example.gov.vn/" /></label>
          <label>{t('servedCodes')}<input {...field(peer, setPeer, 'organIds')} /></label>
          <label>{t('servedPrefixes')}<input {...field(peer, setPeer, 'prefixes')} /></label>
          <label class="wide">{t('publicKey')}<textarea rows={3} value={peer.publicKey} onInput={(e) => setPeer({ ...peer, publicKey: (e.target as HTMLTextAreaElement).value })} required /></label>
          <button type="submit">{t('registerPeer')}</button>
        </form>
        {peers.length === 0 ? <p class="hint">{t('none')}</p> : (
          <table>
            <thead><tr><th>{t('peerName')}</th><th>{t('baseUrl')}</th><th>{t('serves')}</th><th>{t('peerId')}</th></tr></thead>
            <tbody>{peers.map((p) => (
              <tr key={p.peerId}><td>{p.name}</td><td class="mono">{p.baseUrl}</td><td>{[...p.organIds, ...p.prefixes.map((x) => `${x}*`)].join(', ')}</td><td class="mono">{p.peerId}</td></tr>
            ))}</tbody>
          </table>
        )}
      </section>
      <AuditTrail agencies={agencies} />
    </main>
  );
}
