/**
 * POST /v1/signatures writes the upload to a file of the request's own, signs it from there and streams
 * it back: the answer is the upload byte for byte followed by the update, and the file is gone when the
 * request is over, whether it was signed, refused, over the limit or cut off by the client.
 */
import * as http from 'node:http';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import type { Service } from '../../src/compose';
import { spoolUpload } from '../../src/http/spool-upload';
import { findSignatures, PdfFile } from '../../src/pdf';
import { Pkcs12Signer } from '../../src/signers';
import { p12Passphrase, pkiFile, sample } from '../helpers/fixtures';
import { bearer, binaryBody, openTestService, seedAgencies } from '../helpers/service';

const A = { organId: 'U.01', name: 'Sở Tư pháp' };
const LIMIT = 200_000;

describe('signing an upload written to disk', () => {
  let service: Service;
  let server: http.Server;
  let clerk: Record<string, string>;
  const spoolDir = mkdtempSync(path.join(os.tmpdir(), 'kyso-spool-'));
  const spooled = () => readdirSync(spoolDir);
  const original = sample('cong-van.pdf');

  beforeAll(async () => {
    service = await openTestService({ serverSigner: Pkcs12Signer.open({ data: pkiFile('seal-rsa.p12'), passphrase: p12Passphrase() }), uploadLimitBytes: LIMIT, spoolDir });
    clerk = bearer((await seedAgencies(service, [A]))[A.organId].clerk);
    server = http.createServer(service.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await service.close();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  /** Waits for the response's 'close' handlers (they run after the client has read the answer). */
  const settled = () => new Promise((resolve) => setTimeout(resolve, 50));

  it('when a PDF is sent as application/pdf, then the answer is the upload followed by one signed update, and no file is left', async () => {
    const res = await request(server).post('/v1/signatures?field=DauCoQuan').set(clerk).set('Content-Type', 'application/pdf').send(original).buffer(true).parse(binaryBody);
    expect(res.status).toBe(200);
    const signed = res.body as Buffer;
    expect(Number(res.headers['content-length'])).toBe(signed.length);
    expect(signed.subarray(0, original.length).equals(original)).toBe(true);
    expect(findSignatures(PdfFile.parse(signed)).map((s) => s.fieldName)).toEqual(['DauCoQuan']);
    await settled();
    expect(spooled()).toEqual([]);
  });

  it('when a PDF is sent as multipart field "file", then it is signed the same way and no file is left', async () => {
    const res = await request(server).post('/v1/signatures').set(clerk).attach('file', original, 'cv.pdf').buffer(true).parse(binaryBody);
    expect(res.status).toBe(200);
    expect((res.body as Buffer).subarray(0, original.length).equals(original)).toBe(true);
    await settled();
    expect(spooled()).toEqual([]);
  });

  it('when the upload is not a PDF, then 422 PDF_MALFORMED and no file is left', async () => {
    const res = await request(server).post('/v1/signatures').set(clerk).set('Content-Type', 'application/pdf').send(Buffer.from('không phải PDF'));
    expect([res.status, res.body.code]).toEqual([422, 'PDF_MALFORMED']);
    await settled();
    expect(spooled()).toEqual([]);
  });

  it('when a chunked upload without a length passes the limit, then 413 PAYLOAD_TOO_LARGE and no file is left', async () => {
    const { status, body } = await chunkedPost(server, clerk, [Buffer.alloc(150_000, 0x20), Buffer.alloc(150_000, 0x20)]);
    expect([status, JSON.parse(body).code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    await settled();
    expect(spooled()).toEqual([]);
  });

  it('when the client goes away in the middle of an upload, then no file is left and the service goes on signing', async () => {
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => {
      const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/v1/signatures', headers: { ...clerk, 'Content-Type': 'application/pdf', 'Content-Length': '150000' } });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(50_000, 0x20), () => setTimeout(() => {
        req.destroy();
        resolve();
      }, 100));
    });
    await settled();
    expect(spooled()).toEqual([]);
    const after = await request(server).post('/v1/signatures').set(clerk).set('Content-Type', 'application/pdf').send(original);
    expect(after.status).toBe(200);
  });
});

describe('the upload folder at start', () => {
  it('when uploads were left by a process that stopped over an hour ago, then they are removed and recent ones kept', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-spool-stale-'));
    try {
      for (const name of ['upload-old.pdf', 'upload-recent.pdf', 'other-old.txt']) writeFileSync(path.join(dir, name), 'x');
      const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
      utimesSync(path.join(dir, 'upload-old.pdf'), twoHoursAgo, twoHoursAgo);
      utimesSync(path.join(dir, 'other-old.txt'), twoHoursAgo, twoHoursAgo);
      spoolUpload(dir, LIMIT);
      expect(readdirSync(dir).sort()).toEqual(['other-old.txt', 'upload-recent.pdf']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A POST with Transfer-Encoding: chunked (no Content-Length), its pieces written one by one. */
function chunkedPost(server: http.Server, headers: Record<string, string>, pieces: Buffer[]): Promise<{ status: number; body: string }> {
  const port = (server.address() as AddressInfo).port;
  return new Promise((resolve, reject) => {
    const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/v1/signatures', headers: { ...headers, 'Content-Type': 'application/pdf', 'Transfer-Encoding': 'chunked' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    for (const piece of pieces) req.write(piece);
    req.end();
  });
}
