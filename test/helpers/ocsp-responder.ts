/** A real OpenSSL OCSP responder over a test CA's database, on the port its certificates name. */
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';

export async function startOcspResponder(pkiDir: string, port: number): Promise<ChildProcess> {
  const p = (f: string) => path.join(pkiDir, f);
  const child = spawn('openssl', ['ocsp', '-index', p('issuing-ca/index.txt'), '-port', String(port), '-rsigner', p('ocsp.pem'), '-rkey', p('ocsp.key'), '-CA', p('issuing-ca.pem'), '-ignore_err'], { stdio: ['ignore', 'ignore', 'pipe'] });
  // The responder serves one connection at a time, so readiness is read from its log, not probed.
  await new Promise<void>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`the OpenSSL OCSP responder did not start: ${log}`)), 5000);
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('waiting for OCSP client connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => reject(new Error(`the OpenSSL OCSP responder exited: ${log}`)));
  });
  return child;
}

export function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill();
  });
}
