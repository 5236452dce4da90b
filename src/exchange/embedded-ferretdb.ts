/**
 * The embedded database: a FerretDB 1.24 child process (SQLite backend, data kept under the data folder),
 * supervised. It listens on a Unix socket in a folder only the service's user can enter (no TCP port other
 * local users could reach), dies with the service (PR_SET_PDEATHSIG through setpriv on Linux), and an
 * instance left by a killed service is found through its pid file and stopped before a new one opens the
 * same SQLite files. If it exits on its own it is restarted with growing back-off; when it cannot be brought
 * back, `state()` says so and /healthz fails, so an orchestrator restarts the whole service.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Logger } from 'pino';

export interface EmbeddedDatabase {
  uri: string;
  /** ok: running (or being restarted within its attempts); not ok: given up, the service must restart. */
  state(): { ok: boolean; reason?: string; restarts: number; pid?: number };
  stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  logger?: Logger;
  /** Restarts in a row (each one failing within STABLE_MS) before giving up. */
  maxRestarts?: number;
  /** First back-off; it doubles with each failed restart. */
  backoffMs?: number;
}

const START_TIMEOUT_MS = 15_000;
/** A run this long resets the back-off. */
const STABLE_MS = 30_000;
/** Unix socket paths are limited to 108 bytes (sockaddr_un). */
const MAX_SOCKET_PATH = 100;
const SETPRIV = '/usr/bin/setpriv';

function waitForSocket(socketPath: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`FerretDB exited (${child.exitCode ?? child.signalCode}) while starting; see its log`));
      const socket = connect(socketPath, () => {
        socket.end();
        resolve();
      });
      socket.on('error', () => {
        if (Date.now() > deadline) reject(new Error('FerretDB did not start in time'));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/** Whether a process with this id is running (signal 0 only asks). */
export const isProcessAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Stops a FerretDB left running on this data folder by a service that was killed. */
async function stopStaleInstance(pidFile: string, logger?: Logger): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  let command = '';
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    command = '';
  }
  if (Number.isInteger(pid) && pid > 1 && isProcessAlive(pid) && (command === '' ? process.platform !== 'linux' : command.includes('ferretdb'))) {
    logger?.warn({ dbPid: pid }, 'a FerretDB left by an earlier run holds the data folder; stopping it');
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 50 && isProcessAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 20 && isProcessAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  }
  unlinkSync(pidFile);
}

export async function startEmbeddedFerretDb(binary: string, dataDir: string, database = 'kyso', options: EmbeddedDatabaseOptions = {}): Promise<EmbeddedDatabase> {
  if (!existsSync(binary)) throw new Error(`FerretDB is not built at ${binary} (run scripts/install-ferretdb.sh)`);
  const logger = options.logger;
  const maxRestarts = options.maxRestarts ?? 5;
  const backoffMs = options.backoffMs ?? 500;
  const dir = path.join(dataDir, 'ferretdb');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  chmodSync(dir, 0o700);
  const pidFile = path.join(dir, 'ferretdb.pid');
  await stopStaleInstance(pidFile, logger);
  // The socket sits in the data folder (0700); a path too long for a socket gets a private temporary folder.
  let socketDir = dir;
  if (path.join(dir, 'ferretdb.sock').length > MAX_SOCKET_PATH) socketDir = mkdtempSync(path.join(os.tmpdir(), 'kyso-db-'));
  chmodSync(socketDir, 0o700);
  const socketPath = path.join(socketDir, 'ferretdb.sock');

  const args = ['--handler=sqlite', `--sqlite-url=file:${dir}/`, `--state-dir=${dir}`, '--listen-addr=', `--listen-unix=${socketPath}`, '--telemetry=disable', '--log-level=error', '--debug-addr=-'];
  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;
  let failedInARow = 0;
  let gaveUp: string | undefined;
  let retry: NodeJS.Timeout | undefined;

  const launch = async (): Promise<void> => {
    rmSync(socketPath, { force: true });
    // On Linux the child gets SIGKILL when the service dies, however it dies.
    const [command, argv] = process.platform === 'linux' && existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'KILL', '--', binary, ...args]] : [binary, args];
    // Its own log file: inheriting stderr would keep a parent's pipes open after the parent is done.
    // Its garbage collector runs at a quarter of Go's default rate (a send's documents are short-lived
    // garbage): a few tens of MB more memory for a tenth less database CPU. An operator's GOGC wins.
    const env = { ...process.env, GOGC: process.env.GOGC ?? '400', GOMEMLIMIT: process.env.GOMEMLIMIT ?? '512MiB' };
    const started = spawn(command, argv, { env, stdio: ['ignore', 'ignore', openSync(path.join(dir, 'ferretdb.log'), 'a', 0o600)] });
    child = started;
    const startedAt = Date.now();
    started.once('exit', (code, signal) => {
      if (started.pid) rmSync(pidFile, { force: true });
      if (stopping || child !== started) return;
      const ranMs = Date.now() - startedAt;
      failedInARow = ranMs > STABLE_MS ? 1 : failedInARow + 1;
      if (failedInARow > maxRestarts) {
        gaveUp = `the embedded database exited ${failedInARow} times in a row (last: ${code ?? signal}); giving up`;
        logger?.error({ code, signal }, gaveUp);
        return;
      }
      const delay = backoffMs * 2 ** (failedInARow - 1);
      logger?.warn({ code, signal, ranMs, attempt: failedInARow, delayMs: delay }, 'the embedded database exited; restarting it');
      retry = setTimeout(() => {
        restarts++;
        launch().then(
          () => logger?.info({ dbPid: child?.pid, restarts }, 'the embedded database is back'),
          (error: unknown) => logger?.warn({ err: error }, 'the embedded database did not come back yet'),
        );
      }, delay);
      retry.unref();
    });
    if (started.pid) writeFileSync(pidFile, `${started.pid}\n`, { mode: 0o600 });
    await waitForSocket(socketPath, started, START_TIMEOUT_MS);
  };

  await launch();
  return {
    uri: `mongodb://${encodeURIComponent(socketPath)}/${database}`,
    state: () => (gaveUp ? { ok: false, reason: gaveUp, restarts } : { ok: true, restarts, pid: child?.pid }),
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        if (retry) clearTimeout(retry);
        const current = child;
        const done = (): void => {
          if (socketDir !== dir) rmSync(socketDir, { recursive: true, force: true });
          resolve();
        };
        if (!current || current.exitCode !== null || current.signalCode !== null) return done();
        current.once('exit', done);
        current.kill('SIGTERM');
      }),
  };
}
