/**
 * Kyso to Kyso, with two real services (each its own process, embedded FerretDB and data folder): a
 * document goes from agency A (instance 1) to agency B (instance 2) as an edXML package, arrives verified,
 * B accepts it and A sees 03; instance 2 stopped during a send gets the document exactly once when it is
 * back; A recalls a document and B answers the recall (13, 15) across; a package tampered in transit is
 * returned (02) with its reason and A sees it. Between the two sits
 * a relay in this test process that forwards packages and, when asked, tampers with one.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { loadPeerIdentity, PEER_TOKEN_SCHEME } from '../../src/federation';
import { OUTPUT, PKI } from '../helpers/fixtures';
import { sealedSample } from '../helpers/service';
import { RunningService, startService, stopService, until } from '../helpers/service-process';

const DELIVERY_ENV = { KYSO_DELIVERY_POLL_MS: '200', KYSO_DELIVERY_BACKOFF_MS: '200', KYSO_DELIVERY_MAX_BACKOFF_MS: '800' };

interface Recipient { organId: string; status: string; history: Array<{ status: string; reason?: string }> }

async function call(base: string, key: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}${url}`, {
    method, headers: { Authorization: `Bearer ${key}`, ...(body !== undefined && !(body instanceof FormData) ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) as Record<string, unknown> : {} };
}

/** Forwards peer requests to `target()`; with `tamper` set, flips a byte of the next document and re-signs as the sender would. */
function startRelay(target: () => string, senderKeyFile: string, audience: () => string) {
  const state = { tamper: false, forwarded: 0 };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      const headers: Record<string, string> = { 'content-type': String(req.headers['content-type']), 'idempotency-key': String(req.headers['idempotency-key']), authorization: String(req.headers.authorization) };
      if (state.tamper && body.includes('ContentTransferEncoded')) {
        state.tamper = false;
        const text = body.toString('utf8');
        const open = text.indexOf('>', text.indexOf('<edXML:ContentTransferEncoded')) + 1;
        const close = text.indexOf('</edXML:ContentTransferEncoded>', open);
        const pdf = Buffer.from(text.slice(open, close), 'base64');
        pdf[2500] ^= 0x04;
        body = Buffer.from(text.slice(0, open) + pdf.toString('base64') + text.slice(close), 'utf8');
        // A gateway that holds the sender's key (or a sender whose files were altered) signs what it sends.
        const token = loadPeerIdentity(senderKeyFile).tokenFor(audience(), createHash('sha256').update(body).digest('hex'));
        headers.authorization = `${PEER_TOKEN_SCHEME} ${token}`;
      }
      fetch(`${target()}${req.url}`, { method: 'POST', headers, body }).then(async (answer) => {
        state.forwarded++;
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
        res.end(Buffer.from(await answer.arrayBuffer()));
      }, () => {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ detail: 'the receiving instance is not reachable' }));
      });
    });
  });
  return new Promise<{ url: string; state: typeof state; close: () => Promise<void> }>((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, state, close: () => new Promise((r) => server.close(() => r())),
  })));
}

describe('two Kyso instances exchanging edXML packages', () => {
  const dir = path.join(OUTPUT, `federation-${process.pid}`);
  const trust = path.join(dir, 'trust');
  let one: RunningService;
  let two: RunningService;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let aClerk: string;
  let bReceiver: string;
  let twoInstanceId: string;
  let signed: Buffer;
  const operatorOf = (s: RunningService) => readFileSync(path.join(s.dataDir, 'operator-api-key'), 'utf8').trim();
  const startTwo = () => startService(path.join(dir, 'two'), { ...DELIVERY_ENV, KYSO_TRUST_DIRS: trust });

  async function agencyWithKey(s: RunningService, organId: string, name: string, role: string): Promise<string> {
    expect((await call(s.base, operatorOf(s), 'POST', '/v1/admin/agencies', { organId, name })).status).toBe(201);
    const key = await call(s.base, operatorOf(s), 'POST', `/v1/admin/agencies/${organId}/api-keys`, { role });
    expect(key.status).toBe(201);
    return String(key.json.apiKey);
  }

  async function send(number: string): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([signed], { type: 'application/pdf' }), 'cong-van.pdf');
    form.append('metadata', JSON.stringify({ to: ['B.01'], codeNumber: number, codeNotation: 'A-VP', issuedDate: '2026-11-27', subject: 'V/v phối hợp liên thông' }));
    const sent = await call(one.base, aClerk, 'POST', '/v1/exchanges', form, { 'Idempotency-Key': `federation-${number}` });
    expect(sent.status).toBe(201);
    return String(sent.json.exchangeId);
  }
  const recipientAtA = async (exchangeId: string) => ((await call(one.base, aClerk, 'GET', `/v1/exchanges/${exchangeId}`)).json.recipients as Recipient[])[0];
  const inboxOfB = async () => (await call(two.base, bReceiver, 'GET', '/v1/exchanges?box=inbox')).json.items as Array<Record<string, unknown> & { recipients: Recipient[] }>;

  beforeAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(trust, { recursive: true });
    copyFileSync(path.join(PKI, 'root-ca.pem'), path.join(trust, 'test-root.pem'));
    signed = await sealedSample();
    [one, two] = await Promise.all([
      startService(path.join(dir, 'one'), { ...DELIVERY_ENV, KYSO_TRUST_DIRS: trust }),
      startTwo(),
    ]);
    const identity = async (s: RunningService) => (await (await fetch(`${s.base}/v1/peer/identity`)).json()) as { instanceId: string; publicKey: string };
    const [idOne, idTwo] = await Promise.all([identity(one), identity(two)]);
    twoInstanceId = idTwo.instanceId;
    relay = await startRelay(() => two.base, path.join(one.dataDir, 'peer-identity.key'), () => twoInstanceId);
    aClerk = await agencyWithKey(one, 'A.01', 'Sở Nội vụ tỉnh A', 'clerk');
    bReceiver = await agencyWithKey(two, 'B.01', 'Sở Tư pháp tỉnh B', 'receiver');
    // Each operator registers the other instance: the agencies it serves, where it listens, its public key.
    const onOne = await call(one.base, operatorOf(one), 'POST', '/v1/admin/peers', { name: 'Kyso tỉnh B', baseUrl: relay.url, publicKey: idTwo.publicKey, organIds: ['B.01'] });
    expect([onOne.status, onOne.json.peerId]).toEqual([201, idTwo.instanceId]);
    const onTwo = await call(two.base, operatorOf(two), 'POST', '/v1/admin/peers', { name: 'Kyso tỉnh A', baseUrl: one.base, publicKey: idOne.publicKey, prefixes: ['A.'] });
    expect(onTwo.status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([one && stopService(one), two && stopService(two), relay?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('when A sends to an agency on the peer, then A sees "đang chuyển" until B\'s Kyso confirms 01; B accepts and A sees 03', async () => {
    const exchangeId = await send('1');
    const arrived = await until(() => recipientAtA(exchangeId), (r) => r.status !== '00', 20_000);
    expect(arrived.history.map((h) => h.status)).toEqual(['00', '01']);
    const inbox = await inboxOfB();
    expect(inbox.map((e) => [e.fromOrganId, e.codeNumber, e.codeNotation, e.recipients[0].status])).toEqual([['A.01', '1', 'A-VP', '01']]);
    expect((inbox[0].verification as { signatures: Array<{ intact: boolean }> }).signatures[0].intact).toBe(true);
    const accepted = await call(two.base, bReceiver, 'POST', `/v1/exchanges/${String(inbox[0].exchangeId)}/status`, { status: '03' });
    expect(accepted.status).toBe(200);
    const seen = await until(() => recipientAtA(exchangeId), (r) => r.status === '03', 20_000);
    expect(seen.history.map((h) => h.status)).toEqual(['00', '01', '03']);
  }, 60_000);

  it('when B\'s Kyso is stopped during a send, then the document waits and arrives exactly once after it is back', async () => {
    await stopService(two);
    const exchangeId = await send('2');
    await new Promise((r) => setTimeout(r, 1500));
    expect((await recipientAtA(exchangeId)).status).toBe('00');
    two = await startTwo();
    const arrived = await until(() => recipientAtA(exchangeId), (r) => r.status !== '00', 30_000);
    expect(arrived.history.map((h) => h.status)).toEqual(['00', '01']);
    const copies = (await inboxOfB()).filter((e) => e.codeNumber === '2');
    expect(copies.length).toBe(1);
  }, 90_000);

  it('when A recalls a document B holds, then the recall travels to B\'s Kyso (13 with the reason), B accepts it (15) and A sees 15', async () => {
    const exchangeId = await send('4');
    await until(() => recipientAtA(exchangeId), (r) => r.status === '01', 20_000);
    const recalled = await call(one.base, aClerk, 'POST', `/v1/exchanges/${exchangeId}/recall`, { reason: 'Ban hành nhầm, sẽ gửi lại bản khác' });
    expect(recalled.status).toBe(200);
    const copyAtB = async () => (await inboxOfB()).find((e) => e.codeNumber === '4') as Record<string, unknown> & { recipients: Recipient[] };
    const atB = await until(copyAtB, (e) => e.recipients[0].status === '13', 20_000);
    expect(atB.recipients[0].history.map((h) => [h.status, h.reason ?? null])).toEqual([['01', null], ['13', 'Ban hành nhầm, sẽ gửi lại bản khác']]);
    const accepted = await call(two.base, bReceiver, 'POST', `/v1/exchanges/${String(atB.exchangeId)}/status`, { status: '15' });
    expect(accepted.status).toBe(200);
    const seen = await until(() => recipientAtA(exchangeId), (r) => r.status === '15', 20_000);
    expect(seen.history.map((h) => h.status)).toEqual(['00', '01', '13', '15']);
    // The recalled copy at B no longer gives out its document.
    expect((await call(two.base, bReceiver, 'GET', `/v1/exchanges/${String(atB.exchangeId)}/document`)).status).toBe(404);
  }, 60_000);

  it('when a package is tampered with on its way, then B\'s Kyso returns it (02) with the failing check and A sees the reason', async () => {
    relay.state.tamper = true;
    const exchangeId = await send('3');
    const returned = await until(() => recipientAtA(exchangeId), (r) => r.status !== '00', 20_000);
    expect(returned.history.map((h) => h.status)).toEqual(['00', '01', '02']);
    expect(returned.history[2].reason).toContain('HASH_FAILURE');
    const atB = (await inboxOfB()).find((e) => e.codeNumber === '3');
    expect(atB?.recipients[0].status).toBe('02');
  }, 60_000);

  it('when a request to the peer endpoint is not signed by a registered peer, then it is refused with 401 and nothing is kept', async () => {
    const res = await fetch(`${two.base}/v1/peer/messages`, { method: 'POST', headers: { Authorization: `${PEER_TOKEN_SCHEME} e30.AAAA`, 'Content-Type': 'application/xml', 'Idempotency-Key': 'forged-0001' }, body: '<edXML/>' });
    expect(res.status).toBe(401);
    expect((await inboxOfB()).length).toBe(4);
  });
});
