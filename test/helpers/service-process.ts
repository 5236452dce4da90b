/** The service as an operator runs it (dist/main.js with its own embedded FerretDB and data folder), for tests that need real processes. */
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from './fixtures';

export interface RunningService { child: ChildProcess; base: string; dataDir: string; output: () => string }

export async function startService(dataDir: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<RunningService> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', KYSO_DATA_DIR: dataDir, LOG_LEVEL: 'warn', KYSO_OFFLINE: '1', ...extraEnv };
  // Each service its own embedded database, unless the test gives a shared one.
  if (!extraEnv.MONGODB_URI) delete env.MONGODB_URI;
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /Kyso listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`the service exited (${code}): ${err}`)));
  });
  return { child, base, dataDir, output: () => out + err };
}

export async function stopService(running: RunningService): Promise<void> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  const exited = new Promise((resolve) => running.child.once('exit', resolve));
  running.child.kill('SIGTERM');
  await exited;
}

/** Polls until `ok` holds or the time is up; returns the last value. */
export async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, everyMs));
    last = await probe();
  }
  return last;
}
