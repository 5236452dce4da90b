/**
 * Plain HTTP(S) GET/POST for time-stamps and revocation data, one connection per request (some OCSP responders, OpenSSL's
 * among them, serve one request per connection), with a timeout and a size cap. Undefined on any failure.
 */
import * as http from 'node:http';
import * as https from 'node:https';

const MAX_BYTES = 20 * 1024 * 1024;

export function fetchOverHttp(url: string, timeoutMs: number, body?: { type: string; data: Buffer }): Promise<Buffer | undefined> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve(undefined);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return Promise.resolve(undefined);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const request = client.request(
      target,
      {
        method: body ? 'POST' : 'GET',
        agent: false,
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
