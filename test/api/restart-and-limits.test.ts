import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import * as path from 'node:path';
import request from 'supertest';
import { startEmbeddedFerretDb } from '../../src/exchange';
import { Pkcs12Signer } from '../../src/signers';
import { findSignatures, listFormFields, PdfFile, PdfStream } from '../../src/pdf';
import { OUTPUT, p12Passphrase, pkiFile, ROOT, sample } from '../helpers/fixtures';
import { bearer, binaryBody, openTestService, sealedSample, seedAgencies } from '../helpers/service';

const FERRETDB = path.join(ROOT, '.cache', 'ferretdb', 'bin', 'ferretdb');

describe('durability and limits', () => {
  it('when the service and its database restart between sending and reading, then nothing acknowledged is lost', async () => {
    const dataDir = path.join(OUTPUT, `restart-${process.pid}`);
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    const signed = await sealedSample();

    let db = await startEmbeddedFerretDb(FERRETDB, dataDir);
    let service = await openTestService({ uri: db.uri });
    const keys = await seedAgencies(service, [{ organId: 'A.01', name: 'Cơ quan A' }, { organId: 'B.02', name: 'Cơ quan B' }]);
    const sent = await request(service.app).post('/v1/exchanges').set(bearer(keys['A.01'].clerk)).set('Idempotency-Key', 'restart-test-0001')
      .attach('file', signed, 'cv.pdf')
      .field('metadata', JSON.stringify({ to: ['B.02'], codeNumber: '7', codeNotation: 'A-VP', issuedDate: '2026-11-26', subject: 'V/v thử khởi động lại' }));
    expect(sent.status).toBe(201);
    await service.close();
    await db.stop();

    db = await startEmbeddedFerretDb(FERRETDB, dataDir);
    service = await openTestService({ uri: db.uri });
    try {
      const inbox = await request(service.app).get('/v1/exchanges?box=inbox').set(bearer(keys['B.02'].receiver));
      expect(inbox.body.items.map((e: { exchangeId: string }) => e.exchangeId)).toEqual([sent.body.exchangeId]);
      const doc = await request(service.app).get(`/v1/exchanges/${sent.body.exchangeId}/document`).set(bearer(keys['B.02'].receiver))
        .buffer(true).parse(binaryBody);
      expect(Buffer.compare(doc.body, signed)).toBe(0);
      const replay = await request(service.app).post('/v1/exchanges').set(bearer(keys['A.01'].clerk)).set('Idempotency-Key', 'restart-test-0001')
        .attach('file', signed, 'cv.pdf')
        .field('metadata', JSON.stringify({ to: ['B.02'], codeNumber: '7', codeNotation: 'A-VP', issuedDate: '2026-11-26', subject: 'V/v thử khởi động lại' }));
      expect([replay.status, replay.body.exchangeId]).toEqual([200, sent.body.exchangeId]);
      expect((await service.audit.verify()).intact).toBe(true);
    } finally {
      await service.close();
      await db.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('when the port is taken, then the service says so, exits 1 and leaves no database process behind', async () => {
    const busy = createNetServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
    const port = (busy.address() as { port: number }).port;
    const dataDir = path.join(OUTPUT, `port-taken-${process.pid}`);
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', KYSO_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
      delete env.MONGODB_URI; // the embedded database, started and then stopped again
      const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'main.js')], {
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect([code, stderr.trim()]).toEqual([1, `kyso: cannot start: port ${port} on 127.0.0.1 is in use (set PORT)`]);
      const left = spawnSync('pgrep', ['-f', dataDir], { encoding: 'utf8' }).stdout.trim();
      expect(left).toBe('');
    } finally {
      busy.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('when an upload exceeds the limit, then 413 PAYLOAD_TOO_LARGE for raw and multipart bodies', async () => {
    const service = await openTestService({ uploadLimitBytes: 10_000 });
    try {
      const keys = await seedAgencies(service, [{ organId: 'L.01', name: 'Cơ quan L' }]);
      const big = sample('cong-van.pdf');
      expect(big.length).toBeGreaterThan(10_000);
      const raw = await request(service.app).post('/v1/verifications').set(bearer(keys['L.01'].receiver)).set('Content-Type', 'application/pdf').send(big);
      expect([raw.status, raw.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
      const multi = await request(service.app).post('/v1/verifications').set(bearer(keys['L.01'].receiver)).attach('file', big, 'big.pdf');
      expect([multi.status, multi.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    } finally {
      await service.close();
    }
  });

  it('when a signing session has expired, then completing it answers 410 SESSION_EXPIRED', async () => {
    const service = await openTestService({ ttl: 1 });
    try {
      const keys = await seedAgencies(service, [{ organId: 'S.01', name: 'Cơ quan S' }]);
      const opened = await request(service.app).post('/v1/signing-sessions').set(bearer(keys['S.01'].signer))
        .attach('file', sample('cong-van.pdf'), 'cv.pdf').field('certificateChain', pkiFile('official-rsa.chain.pem').toString());
      expect(opened.status).toBe(201);
      await new Promise((r) => setTimeout(r, 1500));
      const late = await request(service.app).put(`/v1/signing-sessions/${opened.body.sessionId}`).set(bearer(keys['S.01'].signer)).send({ signatureValue: 'AAAA' });
      expect([late.status, late.body.code]).toEqual([410, 'SESSION_EXPIRED']);
    } finally {
      await service.close();
    }
  });
});

describe('server-side keys per agency', () => {
  it("when an agency has its own seal key, then /v1/signatures uses it; an agency without one gets 503 SIGNER_NOT_CONFIGURED", async () => {
    const signers = new Map([['K.01', Pkcs12Signer.open({ data: pkiFile('seal-ec384.p12'), passphrase: p12Passphrase() }) as never]]);
    const service = await openTestService({ agencySigners: signers, sealImages: new Map([['K.01', sample('con-dau-mau.png')]]) });
    try {
      const keys = await seedAgencies(service, [{ organId: 'K.01', name: 'Cơ quan có khóa' }, { organId: 'K.02', name: 'Cơ quan chưa có khóa' }]);
      const signed = await request(service.app).post('/v1/signatures').set(bearer(keys['K.01'].clerk)).set('Content-Type', 'application/pdf')
        .send(sample('cong-van.pdf')).buffer(true).parse(binaryBody);
      expect(signed.status).toBe(200);
      const verified = await request(service.app).post('/v1/verifications').set(bearer(keys['K.01'].clerk)).set('Content-Type', 'application/pdf').send(signed.body);
      expect(verified.body.signatures[0].signer.subject).toContain('(P-384)');
      // visible=…: the agency's red seal image is the appearance of its signature (Decree 30 Appendix I).
      const sealed = await request(service.app).post('/v1/signatures?field=DauCoQuan&visible=1:360:380:420:440').set(bearer(keys['K.01'].clerk))
        .set('Content-Type', 'application/pdf').send(signed.body).buffer(true).parse(binaryBody);
      expect(sealed.status).toBe(200);
      const file = PdfFile.parse(sealed.body);
      const widget = findSignatures(file).find((s) => s.fieldName === 'DauCoQuan');
      const field = listFormFields(file).find((f) => f.fullName === 'DauCoQuan');
      const form = file.resolve(file.resolveDict(field?.dict.get('AP'))?.get('N')) as PdfStream;
      const seal = file.resolve(file.resolveDict(file.resolveDict(form.dict.get('Resources'))?.get('XObject'))?.get('Im1')) as PdfStream;
      expect([widget?.fieldName, seal.dict.get('Width'), seal.dict.has('SMask')]).toEqual(['DauCoQuan', 240, true]);
      const both = await request(service.app).post('/v1/verifications').set(bearer(keys['K.01'].clerk)).set('Content-Type', 'application/pdf').send(sealed.body);
      expect(both.body.signatures.map((s: { intact: boolean; modificationsAllowed: boolean }) => [s.intact, s.modificationsAllowed])).toEqual([[true, true], [true, true]]);
      const misplaced = await request(service.app).post('/v1/signatures?visible=0:1:2').set(bearer(keys['K.01'].clerk)).set('Content-Type', 'application/pdf').send(sample('cong-van.pdf'));
      expect([misplaced.status, misplaced.body.code]).toEqual([400, 'USAGE']);
      const none = await request(service.app).post('/v1/signatures').set(bearer(keys['K.02'].clerk)).set('Content-Type', 'application/pdf').send(sample('cong-van.pdf'));
      expect([none.status, none.body.code]).toEqual([503, 'SIGNER_NOT_CONFIGURED']);
    } finally {
      await service.close();
    }
  });
});
