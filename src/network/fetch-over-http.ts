/**
 * Plain HTTP(S) GET/POST for time-stamps and revocation data, one connection per request (some OCSP responders, OpenSSL's
 * among them, serve one request per connection), with a timeout and a size cap. Undefined on any failure.
 */
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { rootCertificates } from 'node:tls';

const MAX_BYTES = 20 * 1024 * 1024;

/** The authorities trusted beside Node.js's roots, read once per file name (trustedAuthorities). */
let extraAuthorities: { file: string; pems: string[] } | undefined;

/**
 * What an HTTPS request trusts: Node.js's defaults, or, when the command line started Node.js without
 * NODE_EXTRA_CA_CERTS and handed the file on as KYSO_EXTRA_CA_CERTS (bin/kyso), Node.js's roots and that
 * file's certificates, as Node.js would have trusted them. Throws when the file cannot be read.
 */
function trustedAuthorities(): string[] | undefined {
  const file = process.env.KYSO_EXTRA_CA_CERTS;
  if (!file) return undefined;
  if (extraAuthorities?.file !== file) extraAuthorities = { file, pems: [...rootCertificates, readFileSync(file, 'latin1')] };
  return extraAuthorities.pems;
}

export function fetchOverHttp(url: string, timeoutMs: number, body?: { type: string; data: Buffer }): Promise<Buffer | undefined> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve(undefined);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return Promise.resolve(undefined);
  const client = target.protocol === 'https:' ? https : http;
  let ca: string[] | undefined;
  try {
    ca = target.protocol === 'https:' ? trustedAuthorities() : undefined;
  } catch {
    return Promise.resolve(undefined); // the authorities cannot be read: the request cannot be trusted
  }
  return new Promise((resolve) => {
    const request = client.request(
      target,
      {
        method: body ? 'POST' : 'GET',
        agent: false,
        ...(ca ? { ca } : {}),
        timeout: timeoutMs,
        headers: body ? { 'content-type': body.type, 'content-length': body.data.length, connection: 'close' } : { connection: 'close' },
      },
      (response) => {
        if ((response.statusCode ?? 500) >= 300) {
          response.resume();
          resolve(undefined);
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BYTES) request.destroy();
          else chunks.push(chunk);
        });
        response.on('end', () => resolve(size > MAX_BYTES ? undefined : Buffer.concat(chunks)));
        response.on('error', () => resolve(undefined));
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
    request.end(body?.data);
  });
}
