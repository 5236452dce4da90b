/**
 * Hostile and malformed input: compression bombs refused within one decoded-bytes budget per document,
 * bodies that used to give 500 (cut multipart, wrong JSON shapes, unknown charset or encoding, deep
 * nesting, absurd predictor parameters), the security headers, and the brake on guessed keys.
 */
import request from 'supertest';
import { Pkcs12Signer } from '../../src/signers';
import type { Service } from '../../src/compose';
import { buildObjectStreamPdf } from '../helpers/compression-bomb';
import { p12Passphrase, pkiFile } from '../helpers/fixtures';
import { bearer, binaryBody, openTestService, sealedSample, seedAgencies } from '../helpers/service';

const A = { organId: 'K.01', name: 'Sở Khoa học và Công nghệ' };
const B = { organId: 'K.02', name: 'Sở Thông tin và Truyền thông' };
const C = { organId: 'K.03', name: 'Sở Xây dựng' };

describe('hostile and malformed input', () => {
  let service: Service;
  let keys: Record<string, Record<string, string>>;
  // 40 object streams of 1 MiB each: every one alone is harmless, together they pass the 16 MiB budget
  // a 49 kB document gets.
  const bomb = buildObjectStreamPdf({ streams: 40, decodedEach: 1 << 20 });
  const harmless = buildObjectStreamPdf({ streams: 40, decodedEach: 1000 });

  beforeAll(async () => {
    service = await openTestService({ serverSigner: Pkcs12Signer.open({ data: pkiFile('seal-rsa.p12'), passphrase: p12Passphrase() }) });
    keys = await seedAgencies(service, [A, B, C]);
  });
  afterAll(() => service.close());

  const storedFiles = async () => service.connection.db!.collection('documents.files').countDocuments();

  it('when a PDF\'s object streams together decode past its budget, then verification answers 422 PDF_DECODE_BUDGET_EXCEEDED', async () => {
    const res = await request(service.app).post('/v1/verifications').set(bearer(keys[A.organId].receiver)).set('Content-Type', 'application/pdf').send(bomb);
    expect([res.status, res.body.code]).toEqual([422, 'PDF_DECODE_BUDGET_EXCEEDED']);
    const fine = await request(service.app).post('/v1/verifications').set(bearer(keys[A.organId].receiver)).set('Content-Type', 'application/pdf').send(harmless);
    expect([fine.status, fine.body.indication]).toEqual([200, 'NO_SIGNATURE']);
  });

  it('when a bomb is sent to be signed or received from outside, then 422 and nothing is stored', async () => {
    const signed = await request(service.app).post('/v1/signatures').set(bearer(keys[A.organId].clerk)).set('Content-Type', 'application/pdf').send(bomb);
    expect([signed.status, signed.body.code]).toEqual([422, 'PDF_DECODE_BUDGET_EXCEEDED']);
    const before = await storedFiles();
    const arrived = await request(service.app).post('/v1/exchanges/inbound').set(bearer(keys[B.organId].receiver)).set('Idempotency-Key', 'bomb-inbound-01')
      .attach('file', bomb, 'bom.pdf').field('metadata', JSON.stringify({ from: { organId: 'X.01', organName: 'Ngoài' }, codeNumber: '1', codeNotation: 'X', issuedDate: '2026-11-20', subject: 'bom' }));
    expect([arrived.status, arrived.body.code]).toEqual([422, 'PDF_DECODE_BUDGET_EXCEEDED']);
    expect(await storedFiles()).toBe(before);
  });

  it('when a large bomb is being refused, then a request sent alongside it is answered as well', async () => {
    const order: string[] = [];
    const big = buildObjectStreamPdf({ streams: 200, decodedEach: 4 << 20 });
    const refusing = request(service.app).post('/v1/verifications').set(bearer(keys[B.organId].receiver)).set('Content-Type', 'application/pdf').send(big)
      .then((r) => order.push(`bomb ${r.status}`));
    const health = request(service.app).get('/healthz').then((r) => order.push(`health ${r.status}`));
    await Promise.all([refusing, health]);
    expect(order.sort()).toEqual(['bomb 422', 'health 200']);
  });

  it('when one agency keeps sending bombs, then after three refusals its documents wait with 429 and Retry-After while others are served', async () => {
    const verify = (organId: string, pdf: Buffer) => request(service.app).post('/v1/verifications').set(bearer(keys[organId].receiver)).set('Content-Type', 'application/pdf').send(pdf);
    const refused = [];
    for (let i = 0; i < 3; i++) refused.push((await verify(C.organId, bomb)).body.code);
    expect(refused).toEqual(['PDF_DECODE_BUDGET_EXCEEDED', 'PDF_DECODE_BUDGET_EXCEEDED', 'PDF_DECODE_BUDGET_EXCEEDED']);
    // The fourth, and any document of that agency, is not validated until the minute since the first passes.
    for (const pdf of [bomb, harmless]) {
      const braked = await verify(C.organId, pdf);
      expect([braked.status, braked.body.code, braked.headers.connection]).toEqual([429, 'TOO_MANY_REQUESTS', 'close']);
      expect(Number(braked.headers['retry-after'])).toBeGreaterThan(50);
      expect(Number(braked.headers['retry-after'])).toBeLessThanOrEqual(60);
    }
    // Another agency is served as before.
    const other = await verify(A.organId, harmless);
    expect([other.status, other.body.indication]).toEqual([200, 'NO_SIGNATURE']);
  });

  it('when an xref stream claims absurd predictor parameters, then signing it is refused with 422 PDF_MALFORMED', async () => {
    const absurd = buildObjectStreamPdf({ streams: 1, decodedEach: 100, absurdPredictor: true });
    const res = await request(service.app).post('/v1/signatures').set(bearer(keys[A.organId].clerk)).set('Content-Type', 'application/pdf').send(absurd);
    expect([res.status, res.body.code]).toEqual([422, 'PDF_MALFORMED']);
  });

  it('when a multipart body is cut off, then 400 INVALID_REQUEST and no upload is left behind', async () => {
    const before = await storedFiles();
    const boundary = 'kyso-cut-boundary';
    const cut = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cv.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
      (await sealedSample()).subarray(0, 5000),
    ]);
    const res = await request(service.app).post('/v1/exchanges').set(bearer(keys[A.organId].clerk)).set('Idempotency-Key', 'cut-multipart-01')
      .set('Content-Type', `multipart/form-data; boundary=${boundary}`).send(cut);
    expect([res.status, res.body.code]).toEqual([400, 'INVALID_REQUEST']);
    expect(await storedFiles()).toBe(before);
  });

  it('when admin and status bodies have the wrong JSON shape, charset or encoding, or nest too deeply, then 4xx', async () => {
    const key = bearer(keys[A.organId].admin);
    const array = await request(service.app).post(`/v1/admin/agencies/${A.organId}/api-keys`).set(key).set('Content-Type', 'application/json').send('["clerk"]');
    expect([array.status, array.body.code]).toEqual([400, 'INVALID_REQUEST']);
    const roleObject = await request(service.app).post(`/v1/admin/agencies/${A.organId}/api-keys`).set(key).send({ role: { $ne: null } });
    expect([roleObject.status, roleObject.body.code]).toEqual([400, 'INVALID_REQUEST']);
    const charset = await request(service.app).post(`/v1/admin/agencies/${A.organId}/api-keys`).set(key).set('Content-Type', 'application/json; charset=klingon-8').send('{"role":"clerk"}');
    expect([charset.status, charset.body.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const encoding = await request(service.app).post(`/v1/admin/agencies/${A.organId}/api-keys`).set(key).set('Content-Type', 'application/json').set('Content-Encoding', 'x-squash').send('{"role":"clerk"}');
    expect([encoding.status, encoding.body.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const nested = await request(service.app).post(`/v1/admin/agencies/${A.organId}/api-keys`).set(key).set('Content-Type', 'application/json').send(deep);
    expect([nested.status, nested.body.code]).toEqual([400, 'INVALID_REQUEST']);
    const status = await request(service.app).post('/v1/exchanges/00000000-0000-0000-0000-000000000000/status').set(bearer(keys[A.organId].receiver)).set('Content-Type', 'application/json').send('"03"');
    expect([status.status, status.body.code]).toEqual([400, 'INVALID_REQUEST']);
  });

  it('when an upload is over the limit, then the 413 states the limit in MB', async () => {
    const small = await openTestService({ uploadLimitBytes: 1024 * 1024 });
    try {
      const k = await seedAgencies(small, [{ organId: 'K.09', name: 'Cơ quan K' }]);
      const res = await request(small.app).post('/v1/verifications').set(bearer(k['K.09'].receiver)).set('Content-Type', 'application/pdf').send(Buffer.alloc(2 * 1024 * 1024, 0x20));
      expect([res.status, res.body.detail]).toEqual([413, 'the upload exceeds the limit of 1 MB (1048576 bytes)']);
    } finally {
      await small.close();
    }
  });

  it('when any answer goes out, then it carries nosniff and a content security policy; documents and keys are not cached', async () => {
    const health = await request(service.app).get('/healthz');
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    expect(health.headers['content-security-policy']).toContain("default-src 'self'");
    expect(health.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const sealed = await request(service.app).post('/v1/signatures').set(bearer(keys[A.organId].clerk)).set('Content-Type', 'application/pdf')
      .send(harmless).buffer(true).parse(binaryBody);
    expect([sealed.status, sealed.headers['cache-control']]).toEqual([200, 'no-store']);
  });

  it('when keys are guessed, then 401 with WWW-Authenticate, and after 20 failures 429 with Retry-After, even for a valid key', async () => {
    const guess = () => request(service.app).get('/v1/agencies').set('Authorization', 'Bearer kyso_0123456789abcdef_notthesecretnotthesecret');
    const first = await guess();
    expect([first.status, first.headers['www-authenticate']]).toEqual([401, 'Bearer realm="kyso"']);
    for (let i = 0; i < 19; i++) await guess();
    const blocked = await request(service.app).get('/v1/agencies').set(bearer(keys[A.organId].clerk));
    expect([blocked.status, blocked.body.code]).toEqual([429, 'TOO_MANY_REQUESTS']);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(60);
  });
});
