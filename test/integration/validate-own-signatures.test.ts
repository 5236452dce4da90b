import { ChildProcess, execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { Pkcs11Module, Pkcs11Signer, Pkcs12Signer, Signer } from '../../src/signers';
import { joinParts, signPdf } from '../../src/signing';
import { findSignatures, name, PdfDict, PdfFile, PdfRef, PdfStream, PdfString, writeIncrementalUpdate } from '../../src/pdf';
import { extendSignatures } from '../../src/extension';
import { createHttpFetcher, createHttpTimestampAuthority } from '../../src/network';
import pino from 'pino';
import { createValidationContext, TrustStore, validatePdf } from '../../src/validation';
import { parseCertificate } from '../../src/cms';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { OUTPUT, p12Passphrase, pin, PKI, pkiFile, sample, SOFTHSM_MODULE, TOKEN_LABEL } from '../helpers/fixtures';
import { startLocalTsa } from '../helpers/local-tsa';
import { CrlServer, startCrlServer } from '../helpers/crl-server';
import { startOcspResponder, stopProcess } from '../helpers/ocsp-responder';
import { pdfsig, pyhankoAdesVerify } from '../helpers/peers';
import request from 'supertest';
import { createHash } from 'node:crypto';
import { openService } from '../../src/compose';
import { bearer, binaryBody, sealedSample, seedAgencies, testDatabaseUri } from '../helpers/service';

// The test PKI's signers name http://127.0.0.1:39082/issuing-ca.crl as their CRL distribution point, its
// issuing CAs http://127.0.0.1:39082/root-ca.crl; each request gets a freshly issued CRL.
const serveCrl = (names?: string[]): Promise<CrlServer> => startCrlServer(PKI, 39082, names);

const startOcsp = () => startOcspResponder(PKI, 39081);
const stop = stopProcess;

const trust = new TrustStore();
trust.add(pkiFile('root-ca.der'));
const online = createValidationContext({ trust, offline: false, fetchTimeoutMs: 2000 });

describe('validating Kyso signatures', () => {
  let module: Pkcs11Module;
  let official: Signer;
  let seal: Signer;
  let signedTwice: Buffer;
  let crlServer: CrlServer | undefined;
  let ocsp: ChildProcess | undefined;

  beforeAll(async () => {
    module = Pkcs11Module.load(SOFTHSM_MODULE);
    official = await Pkcs11Signer.open({ module, tokenLabel: TOKEN_LABEL, pin: pin(), keyLabel: 'official-ec' });
    seal = Pkcs12Signer.open({ data: pkiFile('seal-rsa.p12'), passphrase: p12Passphrase() });
    const once = joinParts(await signPdf(sample('cong-van.pdf'), official, { reason: 'Ký ban hành' }));
    signedTwice = joinParts(await signPdf(once, seal, { fieldName: 'DauCoQuan' }));
    crlServer = await serveCrl();
    ocsp = await startOcsp();
  });
  afterAll(async () => {
    await stop(ocsp);
    await official.close();
    module.close();
    await crlServer?.close();
  });

  it('when the OCSP responder says good, then both signatures are TOTAL_PASSED at B-B with OCSP as evidence', async () => {
    const report = await validatePdf(signedTwice, online);
    expect(report.indication).toBe('TOTAL_PASSED');
    expect(report.signatures.map((s) => [s.field, s.indication, s.level, s.revocation.status, s.revocation.source])).toEqual([
      ['Signature1', 'TOTAL_PASSED', 'B-B', 'good', 'http://127.0.0.1:39081'],
      ['DauCoQuan', 'TOTAL_PASSED', 'B-B', 'good', 'http://127.0.0.1:39081'],
    ]);
    // The OCSP response itself is kept, so the verdict can be replayed later.
    // The issuing CA was checked against the root's CRL.
    expect(report.signatures[0].revocation.authorities?.map((a) => [a.subject.includes('Kyso Test Issuing CA'), a.status, a.source])).toEqual([
      [true, 'good', 'http://127.0.0.1:39082/root-ca.crl'],
    ]);
    const evidence = report.signatures[0].revocation.evidence;
    expect(evidence?.kind).toBe('ocsp');
    expect(Buffer.from(evidence?.base64 ?? '', 'base64')[0]).toBe(0x30);
    expect(report.signatures[0].modificationsAfter).toBe('FORM_FILLING');
    const path = report.signatures[0].certificatePath.map((c) => c.subject);
    expect(path).toHaveLength(3);
    expect(path[0]).toContain('CN=Trần Thị Bình');
    expect(path[1]).toContain('CN=Kyso Test Issuing CA');
    expect(path[2]).toContain('CN=Kyso Test Root CA');
  });

  it('when the signer was revoked before signing, then TOTAL_FAILED / REVOKED from OCSP', async () => {
    const revoked = Pkcs12Signer.open({ data: pkiFile('revoked.p12'), passphrase: p12Passphrase() });
    const report = await validatePdf(joinParts(await signPdf(sample('cong-van.pdf'), revoked)), online);
    expect([report.signatures[0].indication, report.signatures[0].subIndication, report.signatures[0].revocation.source]).toEqual(['TOTAL_FAILED', 'REVOKED', 'http://127.0.0.1:39081']);
  });

  it('when the OCSP responder is down, then the CRL decides (good → TOTAL_PASSED, revoked → REVOKED)', async () => {
    await stop(ocsp);
    const revoked = Pkcs12Signer.open({ data: pkiFile('revoked.p12'), passphrase: p12Passphrase() });
    const good = await validatePdf(signedTwice, online);
    const bad = await validatePdf(joinParts(await signPdf(sample('cong-van.pdf'), revoked)), online);
    expect(good.signatures.map((s) => [s.indication, s.revocation.source])).toEqual([
      ['TOTAL_PASSED', 'http://127.0.0.1:39082/issuing-ca.crl'],
      ['TOTAL_PASSED', 'http://127.0.0.1:39082/issuing-ca.crl'],
    ]);
    expect(bad.signatures[0].subIndication).toBe('REVOKED');
    ocsp = await startOcsp();
  });

  it('when both the OCSP responder and the CRL server are down, then INDETERMINATE / TRY_LATER (never passed)', async () => {
    const context = createValidationContext({ trust, offline: false, fetchTimeoutMs: 500 });
    await stop(ocsp);
    await crlServer?.close();
    crlServer = undefined;
    const report = await validatePdf(signedTwice, context);
    expect(report.signatures.map((s) => [s.indication, s.subIndication])).toEqual([
      ['INDETERMINATE', 'TRY_LATER'],
      ['INDETERMINATE', 'TRY_LATER'],
    ]);
    crlServer = await serveCrl();
    ocsp = await startOcsp();
  });

  it('when the issuing CA was revoked by the root before signing, then INDETERMINATE / REVOKED_CA_NO_POE', async () => {
    const signer = Pkcs12Signer.open({ data: pkiFile('under-revoked-ca.p12'), passphrase: p12Passphrase() });
    const report = await validatePdf(joinParts(await signPdf(sample('cong-van.pdf'), signer)), online);
    const sig = report.signatures[0];
    expect([sig.indication, sig.subIndication]).toEqual(['INDETERMINATE', 'REVOKED_CA_NO_POE']);
    expect(sig.revocation.authorities?.[0]).toMatchObject({ status: 'revoked', source: 'http://127.0.0.1:39082/root-ca.crl' });
    expect(sig.messages.some((m) => m.code === 'CA_REVOKED' && m.vi.includes('Revoked Issuing CA'))).toBe(true);
  });

  it('when the CA\'s status cannot be learnt, then soft mode passes with a warning and hard mode says TRY_LATER', async () => {
    await crlServer?.close();
    crlServer = await serveCrl(['issuing-ca.crl']); // the root's CRL is gone; the signer's OCSP still answers
    try {
      const soft = await validatePdf(signedTwice, online);
      const hard = await validatePdf(signedTwice, createValidationContext({ trust, offline: false, fetchTimeoutMs: 2000, revocationMode: 'hard' }));
      expect(soft.signatures.map((s) => [s.indication, s.revocation.status, s.revocation.authorities?.[0].status])).toEqual([
        ['TOTAL_PASSED', 'good', 'unknown'],
        ['TOTAL_PASSED', 'good', 'unknown'],
      ]);
      expect(soft.signatures[0].messages.some((m) => m.code === 'CA_REVOCATION_UNKNOWN')).toBe(true);
      expect(hard.signatures.map((s) => [s.indication, s.subIndication])).toEqual([
        ['INDETERMINATE', 'TRY_LATER'],
        ['INDETERMINATE', 'TRY_LATER'],
      ]);
    } finally {
      await crlServer?.close();
      crlServer = await serveCrl();
    }
  });

  it('when the signature embeds only the leaf, then the chain is found through the intermediates folder only', async () => {
    const p12 = Pkcs12Signer.open({ data: pkiFile('seal-rsa.p12'), passphrase: p12Passphrase() });
    const leafOnly: Signer = {
      certificateChain: async () => (await p12.certificateChain()).slice(0, 1),
      schemes: () => p12.schemes(),
      sign: (data, digest, scheme) => p12.sign(data, digest, scheme),
      close: () => p12.close(),
    };
    const pdf = joinParts(await signPdf(sample('cong-van.pdf'), leafOnly));
    const without = await validatePdf(pdf, createValidationContext({ trust, offline: true }));
    const withIntermediates = await validatePdf(pdf, createValidationContext({ trust, offline: true, intermediates: [parseCertificate(pkiFile('issuing-ca.der'))] }));
    expect(without.signatures[0].subIndication).toBe('NO_CERTIFICATE_CHAIN_FOUND');
    expect(withIntermediates.signatures[0].certificatePath).toHaveLength(3);
    expect(withIntermediates.signatures[0].subIndication).toBe('TRY_LATER'); // offline: chain found, revocation unknown
  });

  it('when the trust store does not hold the root, then INDETERMINATE / NO_CERTIFICATE_CHAIN_FOUND', async () => {
    const report = await validatePdf(signedTwice, createValidationContext({ trust: new TrustStore(), offline: true }));
    expect(report.signatures.every((s) => s.subIndication === 'NO_CERTIFICATE_CHAIN_FOUND')).toBe(true);
  });

  describe('hand-made attacks', () => {
    const offline = () => createValidationContext({ trust, offline: true });
    const firstSig = (bytes: Buffer) => findSignatures(PdfFile.parse(bytes))[0];

    it('when one signed byte is flipped, then TOTAL_FAILED / HASH_FAILURE', async () => {
      const tampered = Buffer.from(signedTwice);
      tampered[2000] ^= 0x01; // inside the original document, covered by both signatures
      const report = await validatePdf(tampered, offline());
      expect(report.signatures.map((s) => s.subIndication)).toEqual(['HASH_FAILURE', 'HASH_FAILURE']);
      expect(report.indication).toBe('TOTAL_FAILED');
    });

    it('when /Contents is zeroed, then the signature fails with FORMAT_FAILURE', async () => {
      const tampered = Buffer.from(signedTwice);
      const [, b, c] = firstSig(tampered).byteRange as number[];
      tampered.fill('0', b + 1, c - 1);
      const report = await validatePdf(tampered, offline());
      expect([report.signatures[0].indication, report.signatures[0].subIndication, report.signatures[0].intact]).toEqual(['TOTAL_FAILED', 'FORMAT_FAILURE', false]);
    });

    it('when /ByteRange is rewritten to move the gap, then the coverage is UNCLEAR and the signature fails', async () => {
      const tampered = Buffer.from(signedTwice);
      const at = tampered.indexOf('/ByteRange [0 ', 0, 'latin1');
      const end = tampered.indexOf(']', at, 'latin1');
      const [, b, c, d] = firstSig(tampered).byteRange as number[];
      const forged = `/ByteRange [0 ${b - 10} ${c} ${d}`.padEnd(end - at, ' ');
      tampered.write(forged, at, 'latin1');
      const report = await validatePdf(tampered, offline());
      expect(report.signatures[0].coverage).toBe('UNCLEAR');
      expect(report.signatures[0].indication).toBe('TOTAL_FAILED');
    });

    it('when an unsigned update replaces the page content, then the change is OTHER and not allowed', async () => {
      const file = PdfFile.parse(signedTwice);
      const pageRef = file.pageRefs()[0];
      const content = new PdfRef(file.size, 0);
      const update = writeIncrementalUpdate(file, [
        { ref: content, value: new PdfStream(new PdfDict(), Buffer.from('BT /F1 24 Tf 72 700 Td (Noi dung bi thay) Tj ET')) },
        { ref: pageRef, value: (file.resolveDict(pageRef) as PdfDict).clone().set('Contents', content) },
      ]);
      const report = await validatePdf(Buffer.concat([signedTwice, update.bytes]), offline());
      expect(report.signatures.map((s) => [s.modificationsAfter, s.modificationsAllowed])).toEqual([['OTHER', false], ['OTHER', false]]);
      expect(report.indication).toBe('TOTAL_FAILED');
    });

    it('when an unsigned update adds a text annotation, then the change is ANNOTATIONS and reported', async () => {
      const file = PdfFile.parse(signedTwice);
      const pageRef = file.pageRefs()[0];
      const page = file.resolveDict(pageRef) as PdfDict;
      const annot = new PdfRef(file.size, 0);
      const annots = (file.resolve(page.get('Annots')) as unknown[]) ?? [];
      const update = writeIncrementalUpdate(file, [
        { ref: annot, value: new PdfDict([['Type', name('Annot')], ['Subtype', name('Text')], ['Rect', [50, 50, 80, 80]], ['Contents', PdfString.fromText('Ghi chú')]]) },
        { ref: pageRef, value: page.clone().set('Annots', [...(annots as PdfRef[]), annot]) },
      ]);
      const report = await validatePdf(Buffer.concat([signedTwice, update.bytes]), offline());
      expect(report.signatures[1].modificationsAfter).toBe('ANNOTATIONS');
      expect(report.signatures[1].messages.some((m) => m.code === 'MODIFIED_AFTER_SIGNING')).toBe(true);
    });

    it('when bytes are appended outside any revision, then they are reported and the document is not passed', async () => {
      const report = await validatePdf(Buffer.concat([signedTwice, Buffer.from('\n<script>evil</script>\n')]), online);
      expect(report.bytesAfterLastRevision).toBeGreaterThan(0);
      expect(report.indication).not.toBe('TOTAL_PASSED');
    });

    it('when the file is truncated, then a structured report comes back', async () => {
      const report = await validatePdf(signedTwice.subarray(0, signedTwice.length - 500), offline());
      expect(report.indication === 'NO_SIGNATURE' || report.indication === 'TOTAL_FAILED' || !!report.error).toBe(true);
    });
  });

  describe('PAdES B-LT and B-LTA: validation data in the DSS and a document timestamp', () => {
    let tsa: Awaited<ReturnType<typeof startLocalTsa>>;
    let bt: Buffer;
    beforeAll(async () => {
      tsa = await startLocalTsa();
      bt = await sealedSample({ tsa: tsa.authority });
    });
    afterAll(() => tsa.close());

    it('when a B-T signature is extended to B-LT, then it validates TOTAL_PASSED offline from the DSS alone', async () => {
      const { pdf, added } = await extendSignatures(bt, online, { level: 'B-LT' });
      // The signer's OCSP response and, since its certificate names both, the issuing CA's CRL; the root's
      // CRL for the issuing CA; the TSA certificate's OCSP response.
      expect(added).toEqual({ certificates: expect.any(Number), ocsps: 2, crls: 2 });
      expect(added.certificates).toBeGreaterThanOrEqual(3);
      const report = await validatePdf(pdf, createValidationContext({ trust, offline: true }));
      const sig = report.signatures[0];
      expect([report.signatures.length, sig.indication, sig.level, sig.revocation.source, sig.revocation.authorities?.[0].source]).toEqual([1, 'TOTAL_PASSED', 'B-LT', 'embedded ocsp', 'embedded crl']);
      expect(sig.modificationsAfter).toBe('LTA_UPDATES');
      // The TSA certificate's OCSP response is in the DSS too, so the signature timestamp is fully checked offline.
      expect(sig.timestamp).toMatchObject({ trusted: true, revocation: 'good' });
    });

    it('when a B-T signature is validated offline without a DSS, then the TSA status is unknown: a warning in soft mode, an untrusted timestamp in hard mode', async () => {
      const soft = (await validatePdf(bt, createValidationContext({ trust, offline: true }))).signatures[0];
      expect([soft.timestamp?.trusted, soft.timestamp?.revocation, soft.validationTime.source]).toEqual([true, 'unknown', 'timestamp']);
      expect(soft.messages.some((m) => m.code === 'TSA_REVOCATION_UNKNOWN')).toBe(true);
      const hard = (await validatePdf(bt, createValidationContext({ trust, offline: true, revocationMode: 'hard' }))).signatures[0];
      expect([hard.timestamp?.trusted, hard.validationTime.source]).toEqual([false, 'claimed']);
    });

    it('when extended to B-LTA, then the signature is B-LTA, the document timestamp passes, and pdfsig and pyHanko accept the file', async () => {
      const { pdf } = await extendSignatures(bt, online, { level: 'B-LTA', tsa: tsa.authority });
      const report = await validatePdf(pdf, online);
      expect(report.signatures.map((s) => [s.type, s.indication, s.level, s.modificationsAllowed])).toEqual([
        ['signature', 'TOTAL_PASSED', 'B-LTA', true],
        ['document-timestamp', 'TOTAL_PASSED', 'B-LTA', true],
      ]);
      const dir = mkdtempSync(path.join(OUTPUT, 'lta-'));
      try {
        writeFileSync(path.join(dir, 'lta.pdf'), pdf);
        writeFileSync(path.join(dir, 'root.pem'), parseCertificate(pkiFile('root-ca.der')).x509.toString());
        const poppler = pdfsig(path.join(dir, 'lta.pdf'));
        // poppler verifies the signature and lists the document timestamp (it does not verify RFC 3161 ones).
        expect([poppler.signatures, poppler.valid, poppler.lastTotal]).toEqual([2, 1, true]);
        // pyHanko's AdES validation (the DSS, the document timestamp, revocation checked) judges it valid.
        const hanko = await pyhankoAdesVerify(path.join(dir, 'lta.pdf'), path.join(dir, 'root.pem'));
        expect(hanko.map((f) => [f.name, f.sound, f.trusted, f.judgedValid])).toEqual([['Signature1', true, true, true]]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('when extended to B-LTA, then every stored answer is newer than the timestamps and pyHanko validates it offline with the responders stopped', async () => {
      const { pdf } = await extendSignatures(bt, online, { level: 'B-LTA', tsa: tsa.authority });
      const report = await validatePdf(pdf, createValidationContext({ trust, offline: true }));
      const genTime = Date.parse(report.signatures[0].timestamp?.genTime as string);
      // Every OCSP answer and CRL in the DSS was issued strictly after the signature timestamp (EU DSS's freshness rule).
      const file = PdfFile.parse(pdf);
      const dss = file.resolveDict(file.catalog().get('DSS')) as PdfDict;
      const issued = (key: string) => (file.resolve(dss.get(key)) as PdfRef[]).map((r) => file.decode(file.resolve(r) as PdfStream));
      const dir = mkdtempSync(path.join(OUTPUT, 'lta-offline-'));
      const opensslOn = (der: Buffer, args: string[]): string => {
        writeFileSync(path.join(dir, 'item.der'), der);
        return execFileSync('openssl', args.map((a) => (a === 'ITEM' ? path.join(dir, 'item.der') : a))).toString();
      };
      const ocspTimes = issued('OCSPs').map((der) => opensslOn(der, ['ocsp', '-respin', 'ITEM', '-resp_text', '-noverify']).match(/This Update: (.*)/)?.[1] as string);
      const crlTimes = issued('CRLs').map((der) => opensslOn(der, ['crl', '-inform', 'DER', '-in', 'ITEM', '-noout', '-lastupdate']).replace('lastUpdate=', '').trim());
      expect(ocspTimes.length + crlTimes.length).toBe(4);
      for (const t of [...ocspTimes, ...crlTimes]) expect(Date.parse(t)).toBeGreaterThan(genTime);
      await stop(ocsp);
      await crlServer?.close();
      crlServer = undefined;
      try {
        writeFileSync(path.join(dir, 'lta.pdf'), pdf);
        writeFileSync(path.join(dir, 'root.pem'), parseCertificate(pkiFile('root-ca.der')).x509.toString());
        const hanko = await pyhankoAdesVerify(path.join(dir, 'lta.pdf'), path.join(dir, 'root.pem'), new Date(Date.now() + 60_000).toISOString());
        expect(hanko.map((f) => [f.name, f.sound, f.trusted, f.judgedValid])).toEqual([['Signature1', true, true, true]]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
        ocsp = await startOcsp();
        crlServer = await serveCrl();
      }
    });

    it('when the newest CRL of a CA is older than the timestamp, then extension says so and when to finish', async () => {
      // A distribution point that keeps serving the CRL issued when the test PKI was made.
      const stale = createValidationContext({
        trust, fetchTimeoutMs: 2000,
        fetcher: { ...createHttpFetcher(2000), fetchCrl: async (url) => (url.endsWith('/root-ca.crl') ? pkiFile('root-ca.crl') : undefined) },
      });
      await expect(extendSignatures(bt, stale, { level: 'B-LT' })).rejects.toMatchObject({
        code: 'REVOCATION_NOT_YET_FRESH',
        message: expect.stringMatching(/^the newest revocation data for "C=VN, O=Kyso Test PKI, CN=Kyso Test Issuing CA" \(http:\/\/127\.0\.0\.1:39082\/root-ca\.crl\) was issued .*, not after the timestamp of .*; extend again after its next update, 20\d\d-/),
      });
    });

    it('when a B-LTA document is extended again (renewal), then the first document timestamp validates offline from the new DSS', async () => {
      const once = (await extendSignatures(bt, online, { level: 'B-LTA', tsa: tsa.authority })).pdf;
      const twice = (await extendSignatures(once, online, { level: 'B-LTA', tsa: tsa.authority })).pdf;
      const offline = await validatePdf(twice, createValidationContext({ trust, offline: true }));
      expect(offline.signatures.map((s) => [s.type, s.indication, s.subIndication, s.level])).toEqual([
        ['signature', 'TOTAL_PASSED', null, 'B-LTA'],
        ['document-timestamp', 'TOTAL_PASSED', null, 'B-LTA'],
        // Same TSA certificate: the answer the renewal stored (issued minutes earlier) also covers the newest one.
        ['document-timestamp', 'TOTAL_PASSED', null, 'B-LTA'],
      ]);
      expect(offline.signatures.slice(1).map((s) => s.revocation.source)).toEqual(['embedded ocsp', 'embedded ocsp']);
    });

    it('when a recipient asks the service for a long-term copy of a received document, then a B-LTA copy is kept beside the original', async () => {
      const service = await openService({
        mongodbUri: testDatabaseUri(), validation: online, tsa: tsa.authority, uploadLimitBytes: 10_000_000, signingSessionTtlSeconds: 600,
      });
      try {
        const keys = await seedAgencies(service, [{ organId: 'L.01', name: 'Cơ quan gửi' }, { organId: 'L.02', name: 'Cơ quan lưu trữ' }]);
        const sent = await request(service.app).post('/v1/exchanges').set(bearer(keys['L.01'].clerk)).set('Idempotency-Key', 'archive-0000001')
          .attach('file', bt, 'cv.pdf').field('metadata', JSON.stringify({ to: ['L.02'], codeNumber: '9', codeNotation: 'L-VP', issuedDate: '2026-11-26', subject: 'V/v lưu trữ lâu dài' }));
        expect(sent.status).toBe(201);
        const none = await request(service.app).get(`/v1/exchanges/${sent.body.exchangeId}/archives/latest`).set(bearer(keys['L.02'].receiver));
        expect(none.status).toBe(404);
        const archived = await request(service.app).post(`/v1/exchanges/${sent.body.exchangeId}/archives`).set(bearer(keys['L.02'].receiver));
        expect([archived.status, archived.body.level]).toEqual([201, 'B-LTA']);
        const copy = await request(service.app).get(`/v1/exchanges/${sent.body.exchangeId}/archives/latest`).set(bearer(keys['L.02'].receiver))
          .buffer(true).parse(binaryBody);
        expect(createHash('sha256').update(copy.body).digest('hex')).toBe(archived.body.sha256);
        // The copy extends the original byte for byte and validates offline years later from its own DSS.
        expect(copy.body.subarray(0, bt.length).equals(bt)).toBe(true);
        const offline = await validatePdf(copy.body, createValidationContext({ trust, offline: true }));
        expect(offline.signatures.map((s) => [s.type, s.indication, s.level])).toEqual([
          ['signature', 'TOTAL_PASSED', 'B-LTA'],
          ['document-timestamp', 'TOTAL_PASSED', 'B-LTA'],
        ]);
        const view = await request(service.app).get(`/v1/exchanges/${sent.body.exchangeId}`).set(bearer(keys['L.01'].clerk));
        expect(view.body.archives.map((a: { level: string; byOrganId: string }) => [a.level, a.byOrganId])).toEqual([['B-LTA', 'L.02']]);
        const archivist = await request(service.app).post(`/v1/exchanges/${sent.body.exchangeId}/archives`).set(bearer(keys['L.02'].archivist));
        expect(archivist.status).toBe(403);
        // Renewal is due before the TSA certificate of the copy's document timestamp expires.
        const tsaNotAfter = parseCertificate(pkiFile('tsa.der')).notAfter.toISOString();
        expect(archived.body.renewBy).toBe(tsaNotAfter);
        const days = Math.ceil((Date.parse(tsaNotAfter) - Date.now()) / 86_400_000);
        const due = await request(service.app).get(`/v1/archives/due?within=${days + 1}`).set(bearer(keys['L.02'].archivist));
        expect(due.body.items.map((i: { exchangeId: string; renewBy: string }) => [i.exchangeId, i.renewBy])).toEqual([[sent.body.exchangeId, tsaNotAfter]]);
        const notYet = await request(service.app).get(`/v1/archives/due?within=${days - 2}`).set(bearer(keys['L.01'].archivist));
        expect(notYet.body.items).toEqual([]);
      } finally {
        await service.close();
      }
    });

    it('when two services on one database run the renewal job, then a due long-term copy is renewed once, audited, and not renewed again for no gain', async () => {
      const uri = testDatabaseUri();
      const jobs = { tickMs: 3_600_000, renewalMs: 300, renewalWithinDays: 100_000, orphanSweepMs: 60_000 };
      // A failed renewal is only logged (and tried again later): the warnings are kept, so a failure says why.
      const warnings: string[] = [];
      const logger = pino({ level: 'warn' }, { write: (line: string) => { warnings.push(line); } });
      // The responders answer slowly on a loaded machine: a fetch gets more time than the shared context's.
      const patient = createValidationContext({ trust, offline: false, fetchTimeoutMs: 10_000 });
      const [first, second] = [
        await openService({ mongodbUri: uri, validation: patient, tsa: tsa.authority, uploadLimitBytes: 10_000_000, signingSessionTtlSeconds: 600, jobs, logger }),
        await openService({ mongodbUri: uri, validation: patient, tsa: tsa.authority, uploadLimitBytes: 10_000_000, signingSessionTtlSeconds: 600, jobs, logger }),
      ];
      try {
        const keys = await seedAgencies(first, [{ organId: 'J.01', name: 'Cơ quan gửi J' }, { organId: 'J.02', name: 'Cơ quan lưu trữ J' }]);
        const sent = await request(first.app).post('/v1/exchanges').set(bearer(keys['J.01'].clerk)).set('Idempotency-Key', 'renewal-0000001')
          .attach('file', bt, 'cv.pdf').field('metadata', JSON.stringify({ to: ['J.02'], codeNumber: '10', codeNotation: 'J-VP', issuedDate: '2026-11-26', subject: 'V/v gia hạn lưu trữ' }));
        const archived = await request(first.app).post(`/v1/exchanges/${sent.body.exchangeId}/archives`).set(bearer(keys['J.02'].receiver));
        expect(archived.status).toBe(201);
        // Both instances tick at once, three times: the lease lets one of them run the job, once.
        const ticks = await Promise.all([first.jobs.tick(), second.jobs.tick(), first.jobs.tick(), second.jobs.tick(), first.jobs.tick(), second.jobs.tick()]);
        expect(ticks).toHaveLength(6);
        const renewals = (await first.audit.list({}, 10_000)).filter((e) => e.type === 'exchange.archive-renewed');
        expect({ renewals: renewals.map((e) => [e.subject, e.keyId, e.details.gainedTime]), warnings }).toEqual({ renewals: [[sent.body.exchangeId, 'job:archive-renewal', false]], warnings: [] });
        const view = await request(first.app).get(`/v1/exchanges/${sent.body.exchangeId}`).set(bearer(keys['J.02'].receiver));
        expect(view.body.archives.length).toBe(2);
        // The same TSA certificate: the renewal gained no time, so the next run leaves it for a day.
        const again = await first.exchanges.renewDueArchives({ withinDays: 100_000, limit: 10, retryMs: 1000, logger: pino({ level: 'silent' }) });
        expect(again).toEqual({ renewed: 0, failed: 0, noGain: 0 });
        expect((await first.audit.verify()).intact).toBe(true);
      } finally {
        await Promise.all([first.close(), second.close()]);
      }
    });

    it('when the TSA does not answer during a renewal, then the copy is tried again with exponential back-off and renewed once it answers', async () => {
      const deadTsa = createHttpTimestampAuthority('http://127.0.0.1:9/tsa', 500);
      const uri = testDatabaseUri();
      const service = await openService({ mongodbUri: uri, validation: online, tsa: tsa.authority, uploadLimitBytes: 10_000_000, signingSessionTtlSeconds: 600, jobs: { tickMs: 3_600_000 } });
      const broken = await openService({ mongodbUri: uri, validation: online, tsa: deadTsa, uploadLimitBytes: 10_000_000, signingSessionTtlSeconds: 600, jobs: { tickMs: 3_600_000 } });
      try {
        const keys = await seedAgencies(service, [{ organId: 'K.01', name: 'Cơ quan gửi K' }, { organId: 'K.02', name: 'Cơ quan lưu trữ K' }]);
        const sent = await request(service.app).post('/v1/exchanges').set(bearer(keys['K.01'].clerk)).set('Idempotency-Key', 'renewal-0000002')
          .attach('file', bt, 'cv.pdf').field('metadata', JSON.stringify({ to: ['K.02'], codeNumber: '11', codeNotation: 'K-VP', issuedDate: '2026-11-26', subject: 'V/v gia hạn khi TSA lỗi' }));
        expect((await request(service.app).post(`/v1/exchanges/${sent.body.exchangeId}/archives`).set(bearer(keys['K.02'].receiver))).status).toBe(201);
        const options = { withinDays: 100_000, limit: 10, retryMs: 60_000, logger: pino({ level: 'silent' }) };
        const t0 = new Date();
        expect(await broken.exchanges.renewDueArchives(options, t0)).toEqual({ renewed: 0, failed: 1, noGain: 0 });
        const after = async () => (await service.models.Exchange.findOne({ exchangeId: sent.body.exchangeId }).lean())!;
        expect([(await after()).renewalFailures, (await after()).renewalRetryAt?.getTime()]).toEqual([1, t0.getTime() + 60_000]);
        // Not before its retry time; then again, failing, with twice the wait.
        expect(await broken.exchanges.renewDueArchives(options, new Date(t0.getTime() + 30_000))).toEqual({ renewed: 0, failed: 0, noGain: 0 });
        const t1 = new Date(t0.getTime() + 61_000);
        expect(await broken.exchanges.renewDueArchives(options, t1)).toEqual({ renewed: 0, failed: 1, noGain: 0 });
        expect([(await after()).renewalFailures, (await after()).renewalRetryAt?.getTime()]).toEqual([2, t1.getTime() + 120_000]);
        // The TSA answers again: renewed, and the failures are forgotten.
        expect(await service.exchanges.renewDueArchives(options, new Date(t1.getTime() + 121_000))).toEqual({ renewed: 1, failed: 0, noGain: 1 });
        expect([(await after()).archives?.length, (await after()).renewalFailures]).toEqual([2, 0]);
      } finally {
        await Promise.all([service.close(), broken.close()]);
      }
    });

    it('when a signature does not pass or no TSA is given for B-LTA, then extension is refused with the reason', async () => {
      const revoked = joinParts(await signPdf(sample('cong-van.pdf'), Pkcs12Signer.open({ data: pkiFile('revoked.p12'), passphrase: p12Passphrase() })));
      await expect(extendSignatures(revoked, online, { level: 'B-LT' })).rejects.toMatchObject({ code: 'DOCUMENT_SIGNATURE_INVALID', message: expect.stringContaining('TOTAL_FAILED/REVOKED') });
      await expect(extendSignatures(bt, online, { level: 'B-LTA' })).rejects.toMatchObject({ code: 'USAGE' });
      await expect(extendSignatures(sample('cong-van.pdf'), online, { level: 'B-LT' })).rejects.toMatchObject({ code: 'DOCUMENT_NOT_SIGNED' });
    });
  });

  it('when signed files are mutated at random (bit flips, truncations, spliced objects), then every result is structured and fast', async () => {
    const context = createValidationContext({ trust, offline: true });
    // A fixed seed, printed, so a failure can be replayed (Park–Miller generator).
    const SEED = 20261130;
    process.stdout.write(`mutation seed ${SEED}\n`);
    let state = SEED;
    const next = () => (state = Number((BigInt(state) * 48271n) % 2147483647n));
    const indications = new Map<string, number>();
    for (let i = 0; i < 150; i++) {
      const bytes = Buffer.from(signedTwice);
      const kind = i % 3;
      let input: Buffer = bytes;
      if (kind === 0) for (let j = 0; j < 8; j++) bytes[next() % bytes.length] ^= 1 << (j % 8);
      if (kind === 1) input = bytes.subarray(0, next() % bytes.length);
      if (kind === 2) {
        const from = next() % bytes.length;
        const to = next() % bytes.length;
        input = Buffer.concat([bytes.subarray(0, to), bytes.subarray(from, from + 400), bytes.subarray(to)]);
      }
      const started = Date.now();
      const report = await validatePdf(input, context);
      expect(Date.now() - started).toBeLessThan(3000);
      const outcome = report.error ? 'unreadable' : report.indication;
      indications.set(outcome, (indications.get(outcome) ?? 0) + 1);
    }
    // Offline, an untouched copy would be INDETERMINATE; a mutation can only keep it so, break it, or make it unreadable.
    expect([...indications.keys()].filter((k) => !['INDETERMINATE', 'TOTAL_FAILED', 'NO_SIGNATURE', 'unreadable'].includes(k))).toEqual([]);
    expect((indications.get('TOTAL_FAILED') ?? 0) + (indications.get('unreadable') ?? 0)).toBeGreaterThan(50);
  });
});
