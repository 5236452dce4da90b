/**
 * A real RFC 3161 time-stamping authority on 127.0.0.1: `openssl ts -reply` behind a tiny HTTP server.
 * Each instance has its own serial-number file and answers one request at a time: `openssl ts` updates
 * the serial file without locking, so concurrent replies (other test files run in parallel) would clash.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createHttpTimestampAuthority, TimestampAuthority } from '../../src/network';
import { PKI } from './fixtures';

export async function startLocalTsa(): Promise<{ url: string; authority: TimestampAuthority; close: () => Promise<void>; requests: () => number }> {
  const home = mkdtempSync(path.join(tmpdir(), 'kyso-tsa-home-'));
  const config = path.join(home, 'tsa.cnf');
  writeFileSync(config, readFileSync(path.join(PKI, 'tsa.cnf'), 'utf8').replace('serial = $dir/tsa-serial', `serial = ${path.join(home, 'serial')}`));
  writeFileSync(path.join(home, 'serial'), '01\n');
  let requests = 0;
  let queue: Promise<void> = Promise.resolve();
  const reply = (query: Buffer): Promise<Buffer | undefined> => new Promise((resolve) => {
    const dir = mkdtempSync(path.join(home, 'q-'));
    writeFileSync(path.join(dir, 'q.tsq'), query);
    execFile('openssl', ['ts', '-reply', '-config', config, '-queryfile', path.join(dir, 'q.tsq'), '-out', path.join(dir, 'r.tsr')], (error) => {
      resolve(error ? undefined : readFileSync(path.join(dir, 'r.tsr')));
      rmSync(dir, { recursive: true, force: true });
    });
  });
  const server: Server = createServer((req, res) => {
    requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      queue = queue.then(async () => {
        const answer = await reply(Buffer.concat(chunks));
        if (answer) res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(answer);
        else res.writeHead(500).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    authority: createHttpTimestampAuthority(`http://127.0.0.1:${port}/tsa`),
    close: () => new Promise((r) => server.close(() => {
      rmSync(home, { recursive: true, force: true });
      r();
    })),
    requests: () => requests,
  };
}
