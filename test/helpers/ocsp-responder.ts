/** A real OpenSSL OCSP responder over a test CA's database, on the port its certificates name. */
import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import * as path from 'node:path';

/**
 * `responder`: `ocsp` signs with the delegated responder certificate (id-kp-OCSPSigning, ocsp-nocheck);
 * `issuing-ca` signs with the issuing CA's own key (RFC 6960 §4.2.2.2, the first case).
 */
export async function startOcspResponder(pkiDir: string, port: number, responder: 'ocsp' | 'issuing-ca' = 'ocsp'): Promise<ChildProcess> {
  const p = (f: string) => path.join(pkiDir, f);
  const child = spawn('openssl', ['ocsp', '-index', p('issuing-ca/index.txt'), '-port', String(port), '-rsigner', p(`${responder}.pem`), '-rkey', p(`${responder}.key`), '-CA', p('issuing-ca.pem'), '-ignore_err'], { stdio: ['ignore', 'ignore', 'pipe'] });
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

/** A port nothing listens on at the moment (for a responder that takes a port number). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}
