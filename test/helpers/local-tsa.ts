/** A real RFC 3161 time-stamping authority on 127.0.0.1: `openssl ts -reply` behind a tiny HTTP server. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PKI } from './fixtures';

export async function startLocalTsa(): Promise<{ url: string; close: () => Promise<void>; requests: () => number }> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'kyso-tsa-'));
      writeFileSync(path.join(dir, 'q.tsq'), Buffer.concat(chunks));
      execFile('openssl', ['ts', '-reply', '-config', path.join(PKI, 'tsa.cnf'), '-queryfile', path.join(dir, 'q.tsq'), '-out', path.join(dir, 'r.tsr')], (error) => {
        if (error) res.writeHead(500).end();
        else res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(readFileSync(path.join(dir, 'r.tsr')));
        rmSync(dir, { recursive: true, force: true });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/tsa`, close: () => new Promise((r) => server.close(() => r())), requests: () => requests };
}
