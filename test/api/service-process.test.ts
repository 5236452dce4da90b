/**
 * The service as an operator runs it (dist/main.js, its own embedded FerretDB): the database is supervised
 * (restarted when it dies, /healthz fails when it cannot come back), it does not outlive a killed service, a
 * stale instance is stopped at start, the data folder is private, the operator key is made at the first
 * start, and a client that trickles its body is cut off.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import * as path from 'node:path';
import { isProcessAlive } from '../../src/exchange/embedded-ferretdb';
import { OUTPUT, ROOT } from '../helpers/fixtures';
import { startService, stopService, until } from '../helpers/service-process';

const FERRETDB = path.join(ROOT, '.cache', 'ferretdb', 'bin', 'ferretdb');

const dbPid = (dataDir: string): number => Number(readFileSync(path.join(dataDir, 'ferretdb', 'ferretdb.pid'), 'utf8').trim());
const status = async (url: string, init: RequestInit = {}): Promise<number> => (await fetch(url, { ...init, signal: AbortSignal.timeout(5000) }).catch(() => ({ status: 0 }))).status;

describe('the service process and its embedded database', () => {
  const dirs: string[] = [];
  const fresh = (name: string): string => {
    const dir = path.join(OUTPUT, `${name}-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('when the embedded database is killed, then it is restarted and requests succeed again; the data folder and keys are private', async () => {
    const running = await startService(fresh('db-restart'));
    try {
      const keyFile = path.join(running.dataDir, 'operator-api-key');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(statSync(running.dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(path.join(running.dataDir, 'ferretdb', 'kyso.sqlite')).mode & 0o777).toBe(0o600);
      const operator = { headers: { Authorization: `Bearer ${readFileSync(keyFile, 'utf8').trim()}` } };
      expect(await status(`${running.base}/v1/agencies`, operator)).toBe(200);
      const first = dbPid(running.dataDir);
      process.kill(first, 'SIGKILL');
      const back = await until(() => status(`${running.base}/v1/agencies`, operator), (s) => s === 200, 15_000);
      expect(back).toBe(200);
      expect(dbPid(running.dataDir)).not.toBe(first);
      expect(await status(`${running.base}/healthz`)).toBe(200);
    } finally {
      await stopService(running);
    }
  }, 90_000);

  it('when the embedded database cannot be brought back, then /healthz fails so the orchestrator restarts the service', async () => {
    const dataDir = fresh('db-gone');
    // A FerretDB that starts once; every later start fails at once (its files are gone, say).
    const wrapper = path.join(OUTPUT, `ferretdb-once-${process.pid}.sh`);
    dirs.push(wrapper);
    writeFileSync(wrapper, `#!/bin/sh\nif [ -e "${dataDir}.started" ]; then exit 3; fi\ntouch "${dataDir}.started"\nexec "${FERRETDB}" "$@"\n`);
    chmodSync(wrapper, 0o755);
    dirs.push(`${dataDir}.started`);
    const running = await startService(dataDir, { KYSO_FERRETDB_BIN: wrapper, KYSO_DB_MAX_RESTARTS: '2', KYSO_DB_RESTART_BACKOFF_MS: '50' });
    try {
      expect(await status(`${running.base}/healthz`)).toBe(200);
      process.kill(dbPid(dataDir), 'SIGKILL');
      const health = await until(() => status(`${running.base}/healthz`), (s) => s === 503, 10_000);
      expect(health).toBe(503);
      const body = await (await fetch(`${running.base}/healthz`)).json() as { status: string; reason: string };
      expect(body.status).toBe('failed');
      expect(body.reason).toContain('giving up');
    } finally {
      await stopService(running);
    }
  });

  it('when the service is killed, then its database goes with it; a stale database found at start is stopped first', async () => {
    const dataDir = fresh('db-orphan');
    const first = await startService(dataDir);
    const db = dbPid(dataDir);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    expect(await until(async () => isProcessAlive(db), (a) => !a, 5000)).toBe(false);

    // A FerretDB left running on the same files (as by a service killed where no parent-death signal exists).
    const socket = path.join(OUTPUT, `stale-${process.pid}.sock`);
    dirs.push(socket);
    const stale = spawn(FERRETDB, ['--handler=sqlite', `--sqlite-url=file:${dataDir}/ferretdb/`, `--state-dir=${dataDir}/ferretdb`, '--listen-addr=', `--listen-unix=${socket}`, '--telemetry=disable', '--debug-addr=-'], { stdio: 'ignore', detached: true });
    stale.unref();
    writeFileSync(path.join(dataDir, 'ferretdb', 'ferretdb.pid'), `${stale.pid}\n`);
    await until(async () => existsSync(socket), (e) => e, 5000);
    const second = await startService(dataDir);
    try {
      expect(isProcessAlive(stale.pid as number)).toBe(false);
      expect(await status(`${second.base}/readyz`)).toBe(200);
    } finally {
      await stopService(second);
    }
  });

  it('when a client trickles its body, then the request is cut off with 408 when the request time is up', async () => {
    const running = await startService(fresh('slow-body'), { KYSO_REQUEST_TIMEOUT_S: '5' });
    try {
      const port = Number(new URL(running.base).port);
      const key = readFileSync(path.join(running.dataDir, 'operator-api-key'), 'utf8').trim();
      const started = Date.now();
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(`POST /v1/verifications HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/pdf\r\nContent-Length: 100000\r\n\r\n%PDF-1.7\n`);
          const drip = setInterval(() => socket.write(' '), 500);
          let got = '';
          socket.on('data', (c: Buffer) => (got += c.toString()));
          socket.on('close', () => {
            clearInterval(drip);
            resolve(got);
          });
          socket.on('error', () => undefined);
        });
      });
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await stopService(running);
    }
  });
});
