import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { positiveInteger, timestampRequest } from '../../../src/network';

/** What OpenSSL's TSA reads from a query: `openssl ts -query -text`, or its error. */
function opensslReads(query: Buffer): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kyso-tsq-'));
  try {
    writeFileSync(path.join(dir, 'q.tsq'), query);
    return execFileSync('openssl', ['ts', '-query', '-in', path.join(dir, 'q.tsq'), '-text'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  } catch (error) {
    return `refused: ${String((error as { stderr?: Buffer }).stderr)}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('time-stamp requests (RFC 3161 §2.4.1) that every TSA can read', () => {
  it.each([
    ['a zero first byte followed by a byte below 0x80', '0001020304050607', '0x4001020304050607'],
    ['a zero first byte followed by a byte above 0x80', '0081020304050607', '0x4081020304050607'],
    ['a first byte with its high bit set', 'ff01020304050607', '0x7F01020304050607'],
  ])('when the random bytes start with %s, then the nonce is a positive minimal INTEGER that OpenSSL reads back', (_case, random, expected) => {
    const nonce = positiveInteger(Buffer.from(random, 'hex'));
    const text = opensslReads(timestampRequest(Buffer.alloc(32, 7), 'sha256', nonce));
    expect(text.match(/Nonce: (\S+)/)?.[1] ?? text).toBe(expected);
  });
});
