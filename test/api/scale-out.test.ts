/**
 * Several service instances on one database, as production runs them: the embedded FerretDB as its own
 * process (`node dist/main.js database`) and two Kyso processes with MONGODB_URI pointing at it. Concurrent
 * sends through both (replays under one Idempotency-Key at both at once) make each exchange once and keep
 * one intact audit chain; a key revoked through one instance is refused by the other within 2 s; one
 * instance killed mid-run leaves the other serving.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { OUTPUT, ROOT } from '../helpers/fixtures';
import { sealedSample } from '../helpers/service';
import { RunningService, startService, stopService } from '../helpers/service-process';

const dir = path.join(OUTPUT, `scale-out-${process.pid}`);

async function call(base: string, key: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${url}`, {
    method, headers: { Authorization: `Bearer ${key}`, ...(body !== undefined && !(body instanceof FormData) ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** The database alone: `node dist/main.js database`, until it prints the address to use. */
async function startDatabase(dataDir: string): Promise<{ child: ChildProcess; uri: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, KYSO_DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  delete env.MONGODB_URI;
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'main.js'), 'database'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const uri = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /MONGODB_URI=(\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`the database process exited (${code}): ${out}`)));
  });
  return { child, uri };
}

describe('two service instances on one database', () => {
  let database: { child: ChildProcess; uri: string };
  let one: RunningService;
  let two: RunningService;
  let operator: string;
  let signed: Buffer;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    signed = await sealedSample();
    database = await startDatabase(path.join(dir, 'db'));
    one = await startService(path.join(dir, 'one'), { MONGODB_URI: database.uri });
    two = await startService(path.join(dir, 'two'), { MONGODB_URI: database.uri });
    // The first instance made the operator key; the second found it in the shared database.
    operator = readFileSync(path.join(one.dataDir, 'operator-api-key'), 'utf8').trim();
    for (const [organId, name] of [['S.01', 'Sở Kế hoạch tỉnh S'], ['S.02', 'Sở Xây dựng tỉnh S']]) {
      expect((await call(one.base, operator, 'POST', '/v1/admin/agencies', { organId, name })).status).toBe(201);
    }
    for (const [organId, role] of [['S.01', 'clerk'], ['S.01', 'admin'], ['S.02', 'receiver'], ['S.01', 'archivist']]) {
      keys[`${organId}:${role}`] = String((await call(two.base, operator, 'POST', `/v1/admin/agencies/${organId}/api-keys`, { role })).json.apiKey);
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all([one && stopService(one), two && stopService(two)]);
    if (database?.child.exitCode === null) {
      const exited = new Promise((r) => database.child.once('exit', r));
      database.child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (base: string, key: string) => {
    const form = new FormData();
    form.append('file', new Blob([signed], { type: 'application/pdf' }), 'cong-van.pdf');
    form.append('metadata', JSON.stringify({ to: ['S.02'], codeNumber: key.replace(/\D/g, ''), codeNotation: 'SKH-VP', issuedDate: '2026-11-27', subject: 'V/v nhiều máy chủ' }));
    return call(base, keys['S.01:clerk'], 'POST', '/v1/exchanges', form, { 'Idempotency-Key': key });
  };

  it('when sends go through both instances at once, each key also replayed at the other, then every exchange exists once and the audit chain is intact', async () => {
    const sendKeys = Array.from({ length: 16 }, (_, i) => `scale-out-${String(i + 1).padStart(3, '0')}`);
    const answers = await Promise.all(sendKeys.flatMap((key, i) => [send(i % 2 ? one.base : two.base, key), send(i % 2 ? two.base : one.base, key)]));
    expect(answers.every((a) => a.status === 201 || a.status === 200)).toBe(true);
    // Each pair answered with the same exchange: one made it (201), the other replayed it.
    for (let i = 0; i < sendKeys.length; i++) {
      const [a, b] = [answers[2 * i], answers[2 * i + 1]];
      expect([a.json.exchangeId === b.json.exchangeId, [a.status, b.status].sort()]).toEqual([true, [200, 201]]);
    }
    const inbox = await call(one.base, keys['S.02:receiver'], 'GET', '/v1/exchanges?box=inbox&limit=100');
    expect((inbox.json.items as unknown[]).length).toBe(16);
    // One chain per instance (each wrote some of the events), walked together.
    const chain = await call(two.base, keys['S.01:archivist'], 'GET', '/v1/audit/verify');
    expect(chain.json.intact).toBe(true);
    expect(chain.json.chains).toBe(2);
  }, 60_000);

  it('when a key is revoked through one instance, then the other refuses it within 2 s', async () => {
    const victim = String((await call(one.base, keys['S.01:admin'], 'POST', '/v1/admin/agencies/S.01/api-keys', { role: 'receiver' })).json.apiKey);
    expect((await call(two.base, victim, 'GET', '/v1/exchanges?box=inbox')).status).toBe(200);
    const keyId = victim.split('_')[1];
    expect((await call(one.base, keys['S.01:admin'], 'DELETE', `/v1/admin/api-keys/${keyId}`)).status).toBe(204);
    const revokedAt = Date.now();
    let status = 200;
    while (status !== 401 && Date.now() - revokedAt < 5000) {
      status = (await call(two.base, victim, 'GET', '/v1/exchanges?box=inbox')).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(2000);
  });

  it('when one instance is killed mid-run, then the other keeps serving every request', async () => {
    const sends = Array.from({ length: 12 }, (_, i) => (async () => {
      await new Promise((r) => setTimeout(r, i * 40));
      return send(two.base, `scale-kill-${101 + i}`);
    })());
    setTimeout(() => one.child.kill('SIGKILL'), 150);
    const answers = await Promise.all(sends);
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(201));
    expect(one.child.signalCode ?? (await new Promise((r) => one.child.once('exit', (_c, s) => r(s))))).toBe('SIGKILL');
    expect((await fetch(`${two.base}/readyz`)).status).toBe(200);
    const inbox = await call(two.base, keys['S.02:receiver'], 'GET', '/v1/exchanges?box=inbox&limit=100');
    expect((inbox.json.items as unknown[]).length).toBe(28);
  }, 60_000);
});
