/**
 * Drafts: the official's documents waiting for a signature (select several, review, sign them all with one
 * confirmation — the PIN is asked by the signing agent, once), a draft opened to place the signature, and the
 * clerk's queue of signed drafts to seal and send.
 */
import { useEffect, useState } from 'preact/hooks';
import { agent, AgentError, agentAddress, AgentStatus, setAgentAddress } from '../agent';
import { api, Me } from '../api';
import { Drawn, PdfView } from '../components/PdfView';
import { formatTime } from '../format';
import { lang, t } from '../i18n';
import { navigate } from '../router';

export interface Draft { draftId: string; subject: string; fileName: string; pageCount: number; status: string; createdAt: string; signedAt: string | null; signedBy: string | null }
interface Session { sessionId: string; agentToken: string; dataToSign: string; digestAlgorithm: string; scheme: string }

const L = (vi: string, en: string) => (lang.get() === 'vi' ? vi : en);

/** Pairing and the token's state, as the agent reports them. */
function AgentPanel({ onReady }: { onReady: (ready: boolean) => void }) {
  const [status, setStatus] = useState<AgentStatus | null>(null);
  const [error, setError] = useState('');
  const [code, setCode] = useState('');
  const [address, setAddress] = useState(agentAddress());
  const refresh = () => {
    setError('');
    agent.status().then((s) => { setStatus(s); onReady(s.paired && s.token.ok); }, (e: AgentError) => { setStatus(null); setError(e.message); onReady(false); });
  };
  useEffect(refresh, []);
  return (
    <section class="card" aria-label={L('Chương trình ký số', 'Signing agent')}>
      <h2>{L('Chương trình ký số trên máy', 'Signing agent on this PC')}</h2>
      {error && <p class="error" role="alert" data-testid="agent-error">{error}</p>}
      {status && !status.token.ok && <p class="error" role="alert" data-testid="agent-error">{lang.get() === 'vi' ? status.token.message : status.token.messageEn}</p>}
      {status?.token.ok && <p class="ok" data-testid="agent-token">{status.token.subject} · {L('hết hạn', 'expires')} {formatTime(status.token.notAfter)}</p>}
      {status && !status.paired && (
        <form class="filters" onSubmit={(e) => { e.preventDefault(); agent.pair(code).then(refresh, (err: AgentError) => setError(err.message)); }}>
          <label>{L('Mã ghép nối hiển thị trên chương trình ký số', 'Pairing code shown by the agent')}<input value={code} inputMode="numeric" onInput={(e) => setCode((e.target as HTMLInputElement).value)} /></label>
          <button type="submit">{L('Ghép nối', 'Pair')}</button>
        </form>
      )}
      <details>
        <summary>{L('Địa chỉ chương trình ký số', 'Agent address')}</summary>
        <form class="filters" onSubmit={(e) => { e.preventDefault(); setAgentAddress(address); refresh(); }}>
          <label>{L('Địa chỉ', 'Address')}<input value={address} onInput={(e) => setAddress((e.target as HTMLInputElement).value)} /></label>
          <button type="submit">OK</button>
        </form>
      </details>
    </section>
  );
}

/** Opens one signing session per draft, has the agent sign them all, completes each: one failure stops no other. */
const SIGNATURE_KEY = 'kyso.signature-image';

async function signDrafts(drafts: Draft[], placements: Record<string, Drawn | undefined>): Promise<Record<string, string>> {
  const signatureImage = localStorage.getItem(SIGNATURE_KEY) ?? undefined;
  const { items } = await agent.certificates();
  const chain = items[0]?.chainPem;
  if (!chain) throw new AgentError('KEY_NOT_FOUND', L('Không có chứng thư số trên USB ký số', 'no certificate on the token'));
  const outcome: Record<string, string> = {};
  const sessions: Array<{ draft: Draft; session: Session }> = [];
  for (const draft of drafts) {
    const p = placements[draft.draftId];
    try {
      const session = await api.post<Session>(`/v1/drafts/${draft.draftId}/signing-sessions`, {
        certificateChain: chain, ...(p ? { placement: { page: p.page + 1, x1: p.x1, y1: p.y1, x2: p.x2, y2: p.y2 }, signatureImage } : {}),
      });
      sessions.push({ draft, session });
    } catch (e) {
      outcome[draft.draftId] = (e as Error).message;
    }
  }
  if (sessions.length === 0) return outcome;
  const { results } = await agent.signBatch(sessions.map(({ session }) => ({ server: location.origin, ...session })));
  for (const { draft, session } of sessions) {
    const r = results.find((x) => x.sessionId === session.sessionId);
    if (!r?.ok || !r.signatureValue) {
      outcome[draft.draftId] = (lang.get() === 'vi' ? r?.message : r?.messageEn) ?? 'error';
      continue;
    }
    try {
      await api.put(`/v1/signing-sessions/${session.sessionId}`, { signatureValue: r.signatureValue });
      outcome[draft.draftId] = 'ok';
    } catch (e) {
      outcome[draft.draftId] = (e as Error).message;
    }
  }
  return outcome;
}

export function Drafts({ me }: { me: Me }) {
  const isSigner = me.caller.role === 'signer';
  const [drafts, setDrafts] = useState<Draft[]>([]);
  const [selected, setSelected] = useState<string[]>([]);
  const [ready, setReady] = useState(false);
  const [outcome, setOutcome] = useState<Record<string, string>>({});
  const [names, setNames] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [subject, setSubject] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState('');
  const load = () => api.get<{ items: Draft[] }>(`/v1/drafts?status=${isSigner ? 'awaiting-signature' : 'signed'}`).then((r) => setDrafts(r.items), (e: Error) => setError(e.message));
  useEffect(() => { void load(); }, []);
  const upload = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    const form = new FormData();
    form.append('file', file, file.name);
    form.append('subject', subject);
    try {
      await api.post('/v1/drafts', form);
      setSubject('');
      if (isSigner) await load();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const signSelected = async () => {
    setBusy(true);
    setError('');
    try {
      const chosen = drafts.filter((d) => selected.includes(d.draftId));
      setNames(Object.fromEntries(chosen.map((d) => [d.draftId, d.subject])));
      setOutcome(await signDrafts(chosen, {}));
      setSelected([]);
      await load();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main">
      <h1>{isSigner ? L('Văn bản chờ ký', 'Drafts to sign') : L('Văn bản đã ký chờ phát hành', 'Signed drafts to issue')}</h1>
      {isSigner && <AgentPanel onReady={setReady} />}
      {error && <p class="error" role="alert">{error}</p>}
      <form class="card filters" onSubmit={upload}>
        <label>{L('Dự thảo (PDF)', 'Draft (PDF)')}<input type="file" accept="application/pdf,.pdf" data-testid="draft-file" onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} /></label>
        <label>{t('subject')}<input value={subject} onInput={(e) => setSubject((e.target as HTMLInputElement).value)} required /></label>
        <button type="submit" disabled={!file}>{L('Tải lên dự thảo', 'Upload draft')}</button>
      </form>
      {drafts.length === 0 ? <p>{t('noItems')}</p> : (
        <table>
          <thead><tr>{isSigner && <th><span class="sr">{L('Chọn', 'Select')}</span></th>}<th>{t('subject')}</th><th>{t('page')}</th><th>{t('time')}</th><th>{t('status')}</th></tr></thead>
          <tbody>{drafts.map((d) => (
            <tr key={d.draftId}>
              {isSigner && <td><input type="checkbox" aria-label={d.subject} checked={selected.includes(d.draftId)} onChange={(e) => setSelected((e.target as HTMLInputElement).checked ? [...selected, d.draftId] : selected.filter((x) => x !== d.draftId))} /></td>}
              <td><a href={`/drafts/${d.draftId}`} onClick={(e) => { e.preventDefault(); navigate(`/drafts/${d.draftId}`); }}>{d.subject}</a></td>
              <td>{d.pageCount}</td>
              <td>{formatTime(d.signedAt ?? d.createdAt)}</td>
              <td data-testid="draft-outcome">{outcome[d.draftId] === undefined ? d.status : outcome[d.draftId] === 'ok' ? L('Đã ký', 'Signed') : outcome[d.draftId]}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
      {Object.entries(outcome).length > 0 && (
        <ul class="card" data-testid="batch-results">{Object.entries(outcome).map(([id, o]) => <li key={id}>{names[id] ?? id}: {o === 'ok' ? L('Đã ký', 'Signed') : o}</li>)}</ul>
      )}
      {isSigner && (
        <p class="buttons">
          <button type="button" disabled={!ready || busy || selected.length === 0} onClick={() => void signSelected()}>
            {L(`Ký số ${selected.length} văn bản`, `Sign ${selected.length} documents`)}
          </button>
        </p>
      )}
    </main>
  );
}

/** The official's handwritten signature image (PNG, in blue), kept in this browser for the stamp. */
function SignatureImagePicker() {
  const [image, setImage] = useState(localStorage.getItem(SIGNATURE_KEY));
  const pick = async (file: File) => {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    const b64 = btoa(binary);
    localStorage.setItem(SIGNATURE_KEY, b64);
    setImage(b64);
  };
  return (
    <p class="filters">
      <label>{L('Ảnh chữ ký tay (PNG, mực xanh)', 'Handwritten signature image (PNG, blue)')}<input type="file" accept="image/png" data-testid="signature-image" onChange={(e) => { const f = (e.target as HTMLInputElement).files?.[0]; if (f) void pick(f); }} /></label>
      {image && <img class="signature-preview" alt={L('Chữ ký tay', 'Handwritten signature')} src={`data:image/png;base64,${image}`} />}
    </p>
  );
}

export function DraftDetail({ id, me }: { id: string; me: Me }) {
  const [draft, setDraft] = useState<Draft | null>(null);
  const [pdf, setPdf] = useState<ArrayBuffer | null>(null);
  const [place, setPlace] = useState<Drawn | undefined>(undefined);
  const [ready, setReady] = useState(false);
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const load = () => {
    api.get<Draft>(`/v1/drafts/${id}`).then(setDraft, (e: Error) => setError(e.message));
    api.bytes(`/v1/drafts/${id}/document`).then(setPdf, (e: Error) => setError(e.message));
  };
  useEffect(load, [id]);
  if (error) return <main id="main"><p class="error" role="alert" data-testid="not-found">{error}</p></main>;
  if (!draft) return <main id="main"><p>{t('loading')}</p></main>;
  const sign = async () => {
    setMessage('');
    try {
      const outcome = await signDrafts([draft], { [draft.draftId]: place });
      setMessage(outcome[draft.draftId] === 'ok' ? L('Đã ký số; văn bản chuyển sang văn thư', 'Signed; the draft went to the clerk') : outcome[draft.draftId]);
      load();
    } catch (e) {
      setMessage((e as Error).message);
    }
  };
  return (
    <main id="main">
      <h1>{draft.subject}</h1>
      {me.caller.role === 'signer' && draft.status === 'awaiting-signature' && (
        <>
          <AgentPanel onReady={setReady} />
          <p class="hint">{L('Kéo chuột trên trang để chọn vị trí chữ ký (nơi ký), rồi bấm "Ký số"', 'Drag on the page to place the signature, then click "Sign"')}</p>
          <SignatureImagePicker />
          <p class="buttons"><button type="button" disabled={!ready} onClick={() => void sign()}>{L('Ký số', 'Sign')}</button></p>
        </>
      )}
      {me.caller.role === 'clerk' && draft.status === 'signed' && (
        <p class="buttons"><button type="button" onClick={() => navigate(`/compose?draft=${draft.draftId}`)}>{L('Đóng dấu và gửi', 'Seal and send')}</button></p>
      )}
      {message && <p role="status" data-testid="sign-message">{message}</p>}
      <p>{t('status')}: <strong data-testid="draft-status">{draft.status}</strong>{draft.signedAt ? ` · ${formatTime(draft.signedAt)}` : ''}</p>
      {pdf && <PdfView data={pdf} onDraw={me.caller.role === 'signer' ? setPlace : undefined} />}
    </main>
  );
}
