/**
 * A CA that publishes a fresh CRL on every request, as a real CA's distribution point does between
 * issues: `openssl ca -gencrl` over a private copy of the test PKI's CA databases (its own crlnumber, so
 * test files running at the same time do not share a counter), served as DER over HTTP.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CrlServer {
  url: string;
  /** CRLs issued so far. */
  issued: () => number;
  close: () => Promise<void>;
}

export async function startCrlServer(pkiDir: string, port = 0, names = ['root-ca.crl', 'issuing-ca.crl']): Promise<CrlServer> {
  const home = mkdtempSync(path.join(tmpdir(), 'kyso-crl-'));
  for (const entry of readdirSync(pkiDir)) {
    const from = path.join(pkiDir, entry);
    if (statSync(from).isDirectory() || /\.(pem|key)$/.test(entry)) cpSync(from, path.join(home, entry), { recursive: true });
  }
  for (const ca of ['root-ca', 'issuing-ca']) {
    const cnf = path.join(home, ca, 'ca.cnf');
    writeFileSync(cnf, readFileSync(cnf, 'utf8').split(pkiDir).join(home));
  }
  let issued = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const issue = (ca: 'root-ca' | 'issuing-ca'): Promise<Buffer> => {
    const job = queue.then(async () => {
      const pem = path.join(home, `${ca}.crl.pem`);
      await run('openssl', ['ca', '-gencrl', '-config', path.join(home, ca, 'ca.cnf'), '-keyfile', path.join(home, `${ca}.key`), '-cert', path.join(home, `${ca}.pem`), '-out', pem]);
      const der = (await run('openssl', ['crl', '-in', pem, '-outform', 'DER'], { encoding: 'buffer' })).stdout as unknown as Buffer;
      issued++;
      return der;
    });
    queue = job.catch(() => undefined);
    return job;
  };
  const server: Server = createServer((req, res) => {
    const name = (req.url ?? '').slice(1);
    if (!names.includes(name) || (name !== 'root-ca.crl' && name !== 'issuing-ca.crl')) {
      res.writeHead(404).end();
      return;
    }
    issue(name === 'root-ca.crl' ? 'root-ca' : 'issuing-ca').then(
      (der) => res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(der),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    issued: () => issued,
    close: () => new Promise((resolve) => server.close(() => {
      rmSync(home, { recursive: true, force: true });
      resolve();
    })),
  };
}
