/**
 * The embedded database: a FerretDB 1.24 child process (SQLite backend, data kept under the data folder)
 * on a free loopback port, started and stopped with the service. MONGODB_URI replaces it in production.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import * as path from 'node:path';

export interface EmbeddedDatabase {
  uri: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      if (child.exitCode !== null) return reject(new Error(`FerretDB exited with code ${child.exitCode}`));
      const socket = connect(port, '127.0.0.1', () => {
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

export async function startEmbeddedFerretDb(binary: string, dataDir: string, database = 'kyso'): Promise<EmbeddedDatabase> {
  if (!existsSync(binary)) throw new Error(`FerretDB is not built at ${binary} (run scripts/install-ferretdb.sh)`);
  const dir = path.join(dataDir, 'ferretdb');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child = spawn(
    binary,
    ['--handler=sqlite', `--sqlite-url=file:${dir}/`, `--state-dir=${dir}`, `--listen-addr=127.0.0.1:${port}`, '--telemetry=disable', '--log-level=error', '--debug-addr=-'],
    // Its own log file: inheriting stderr would keep a parent's pipes open after the parent is done.
    { stdio: ['ignore', 'ignore', openSync(path.join(dir, 'ferretdb.log'), 'a')] },
  );
  await waitForPort(port, child, 15_000);
  return {
    uri: `mongodb://127.0.0.1:${port}/${database}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
