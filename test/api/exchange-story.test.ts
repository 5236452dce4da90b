import request from 'supertest';
import { Pkcs11Module, Pkcs11Signer, Pkcs12Signer } from '../../src/signers';
import { parseCertificate, toPem } from '../../src/cms';
import type { Service } from '../../src/compose';
import { p12Passphrase, pin, pkiFile, sample, SOFTHSM_MODULE, TOKEN_LABEL } from '../helpers/fixtures';
import { bearer, operatorKey, binaryBody, openTestService, sealedSample, seedAgencies } from '../helpers/service';

const A = { organId: '000.00.00.G22', name: 'Văn phòng Chính phủ' };
const B = { organId: '000.00.00.H49', name: 'Ủy ban nhân dân tỉnh Thử Nghiệm' };
const C = { organId: '000.00.00.H26', name: 'Ủy ban nhân dân tỉnh Kiểm Tra' };

const metadata = (number: string, to: string[]) => JSON.stringify({
  to, codeNumber: number, codeNotation: 'VPCP-KSTT', issuedDate: '2026-03-16', subject: 'V/v triển khai chữ ký số', priority: 1,
  signerCompetence: 'KT. BỘ TRƯỞNG', signerPosition: 'Thứ trưởng', signerFullName: 'Nguyễn Văn An', dueDate: new Date(Date.now() + 30 * 86400_000).toISOString(),
});

describe('the exchange story over HTTP (real FerretDB, real SoftHSM2 token)', () => {
  let service: Service;
  let keys: Record<string, Record<string, string>>;
  let module: Pkcs11Module;
  let token: Pkcs11Signer;
  let signedByBoth: Buffer;
  let exchangeId: string;

  beforeAll(async () => {
    module = Pkcs11Module.load(SOFTHSM_MODULE);
    token = await Pkcs11Signer.open({ module, tokenLabel: TOKEN_LABEL, pin: pin(), keyLabel: 'official-rsa' });
    const seal = Pkcs12Signer.open({ data: pkiFile('seal-rsa.p12'), passphrase: p12Passphrase() });
    service = await openTestService({ serverSigner: seal });
    keys = await seedAgencies(service, [A, B, C]);
  });
  afterAll(async () => {
    await token.close();
    module.close();
    await service.close();
  });

  it('when the official signs with the USB token in two phases, then the service embeds the token signature', async () => {
    const chain = await token.certificateChain();
    const opened = await request(service.app).post('/v1/signing-sessions').set(bearer(keys[A.organId].signer))
      .attach('file', sample('cong-van.pdf'), 'cong-van.pdf').field('certificateChain', chain.map(toPem).join('')).field('reason', 'Ký ban hành');
    expect(opened.status).toBe(201);
    const value = await token.sign(Buffer.from(opened.body.dataToSign, 'base64'), 'sha256', 'rsa-pkcs1');
    const done = await request(service.app).put(`/v1/signing-sessions/${opened.body.sessionId}`).set(bearer(keys[A.organId].signer))
      .send({ signatureValue: value.toString('base64') }).buffer(true).parse(binaryBody);
    expect(done.status).toBe(200);
    expect(done.headers['content-type']).toContain('application/pdf');
    const again = await request(service.app).put(`/v1/signing-sessions/${opened.body.sessionId}`).set(bearer(keys[A.organId].signer)).send({ signatureValue: value.toString('base64') });
    expect([again.status, again.body.code]).toEqual([409, 'SESSION_USED']);
    const other = await request(service.app).put(`/v1/signing-sessions/${opened.body.sessionId}`).set(bearer(keys[A.organId].clerk)).send({ signatureValue: value.toString('base64') });
    expect([other.status, other.body.code]).toEqual([404, 'SESSION_NOT_FOUND']);

    const sealed = await request(service.app).post('/v1/signatures?field=DauCoQuan').set(bearer(keys[A.organId].clerk))
      .set('Content-Type', 'application/pdf').send(done.body).buffer(true).parse(binaryBody);
    expect(sealed.status).toBe(200);
    signedByBoth = sealed.body;
    const verified = await request(service.app).post('/v1/verifications').set(bearer(keys[B.organId].receiver)).set('Content-Type', 'application/pdf').send(signedByBoth);
    expect(verified.body.signatures.map((s: { field: string; intact: boolean }) => [s.field, s.intact])).toEqual([['Signature1', true], ['DauCoQuan', true]]);
    const etsi = await request(service.app).post('/v1/verifications?format=etsi').set(bearer(keys[B.organId].receiver)).set('Content-Type', 'application/pdf').send(signedByBoth);
    expect([etsi.status, etsi.headers['content-type']]).toEqual([200, 'application/xml; charset=utf-8']);
    expect(etsi.text.match(/<vr:DAIdentifier>(.*?)<\/vr:DAIdentifier>/g)).toEqual(['<vr:DAIdentifier>Signature1</vr:DAIdentifier>', '<vr:DAIdentifier>DauCoQuan</vr:DAIdentifier>']);
    const unknownFormat = await request(service.app).post('/v1/verifications?format=pdf').set(bearer(keys[B.organId].receiver)).set('Content-Type', 'application/pdf').send(signedByBoth);
    expect([unknownFormat.status, unknownFormat.body.code]).toEqual([400, 'INVALID_REQUEST']);
  });

  it('when the clerk sends to B and C, then each gets status 01 and the same Idempotency-Key creates one exchange', async () => {
    const header = metadata('15', [B.organId, C.organId]);
    const send = () => request(service.app).post('/v1/exchanges').set(bearer(keys[A.organId].clerk)).set('Idempotency-Key', 'send-15-2026-abc')
      .attach('file', signedByBoth, 'cong-van-15.pdf').field('metadata', header);
    const first = await send();
    expect(first.status).toBe(201);
    exchangeId = first.body.exchangeId;
    expect(first.body.recipients.map((r: { organId: string; status: string }) => [r.organId, r.status])).toEqual([[B.organId, '01'], [C.organId, '01']]);
    expect(first.body.pageAmount).toBe(1);
    expect([first.body.signerCompetence, first.body.signerPosition]).toEqual(['KT. BỘ TRƯỞNG', 'Thứ trưởng']);
    // Offline revocation makes the verdict INDETERMINATE: flagged for a person to look at.
    expect(first.body.recipients.every((r: { needsReview: boolean }) => r.needsReview)).toBe(true);
    const second = await send();
    expect([second.status, second.body.exchangeId]).toEqual([200, exchangeId]);
    const outbox = await request(service.app).get('/v1/exchanges?box=outbox').set(bearer(keys[A.organId].clerk));
    expect(outbox.body.total).toBe(1);
  });

  it('when B opens its inbox, then the exchange is there with the verification report and the document downloads intact', async () => {
    const inbox = await request(service.app).get('/v1/exchanges?box=inbox&status=01').set(bearer(keys[B.organId].receiver));
    expect(inbox.body.items.map((e: { exchangeId: string }) => e.exchangeId)).toEqual([exchangeId]);
    expect(inbox.body.items[0].verification.signatures).toHaveLength(2);
    expect(inbox.body.items[0].documentId).toBe('000.00.00.G22,2026/03/16,15/VPCP-KSTT');
    const doc = await request(service.app).get(`/v1/exchanges/${exchangeId}/document`).set(bearer(keys[B.organId].receiver)).buffer(true).parse(binaryBody);
    expect(Buffer.compare(doc.body, signedByBoth)).toBe(0);
  });

  it('when B accepts and finishes and C returns with a reason, then A sees each recipient history', async () => {
    const move = (org: string, body: object) => request(service.app).post(`/v1/exchanges/${exchangeId}/status`).set(bearer(keys[org].receiver)).send(body);
    const accepted = await move(B.organId, { status: '03', staff: { name: 'Lê Thị Văn Thư', position: 'Văn thư' } });
    expect(accepted.status).toBe(200);
    expect(accepted.body.recipients[0]).toMatchObject({ needsReview: false });
    expect(accepted.body.recipients[0].history[1]).toMatchObject({ status: '03', staffName: 'Lê Thị Văn Thư', staffPosition: 'Văn thư' });
    expect((await move(B.organId, { status: '06' })).status).toBe(200);
    const noReason = await move(C.organId, { status: '02' });
    expect([noReason.status, noReason.body.code]).toEqual([400, 'INVALID_REQUEST']);
    expect((await move(C.organId, { status: '02', reason: 'Gửi nhầm cơ quan' })).status).toBe(200);
    const illegal = await move(C.organId, { status: '03' });
    expect([illegal.status, illegal.body.code]).toEqual([409, 'STATUS_TRANSITION_INVALID']);
    const seen = await request(service.app).get(`/v1/exchanges/${exchangeId}`).set(bearer(keys[A.organId].clerk));
    const byOrg = Object.fromEntries(seen.body.recipients.map((r: { organId: string; history: Array<{ status: string; reason?: string }> }) => [r.organId, r.history.map((h) => h.status + (h.reason ? `:${h.reason}` : ''))]));
    expect(byOrg).toEqual({ [B.organId]: ['01', '03', '06'], [C.organId]: ['01', '02:Gửi nhầm cơ quan'] });
  });

  it('when an archivist reads, then everything is visible, the status cannot be changed and the audit chain is intact', async () => {
    const read = await request(service.app).get(`/v1/exchanges/${exchangeId}`).set(bearer(keys[A.organId].archivist));
    expect(read.status).toBe(200);
    const full = await request(service.app).get(`/v1/exchanges/${exchangeId}/report`).set(bearer(keys[B.organId].archivist));
    expect(full.body.signatures.map((s: { certificatePath: unknown[] }) => s.certificatePath.length)).toEqual([3, 3]);
    // The stored report carries the certificates themselves, so the verdict can be replayed from it alone.
    const path0 = full.body.signatures[0].certificatePath as Array<{ der: string; sha256: string }>;
    expect(path0.map((c) => parseCertificate(Buffer.from(c.der, 'base64')).sha256)).toEqual(path0.map((c) => c.sha256));
    // Kept as JSON text without the certificates' bytes; an exchange stored earlier, with the report as an
    // object, is served the same report.
    const stored = await service.models.Exchange.findOne({ exchangeId }).lean();
    expect(typeof stored?.report).toBe('string');
    expect(stored?.report as string).not.toContain('"der"');
    await service.models.Exchange.collection.updateOne({ exchangeId }, { $set: { report: JSON.parse(stored?.report as string) } });
    const older = await request(service.app).get(`/v1/exchanges/${exchangeId}/report`).set(bearer(keys[B.organId].archivist));
    expect(older.body).toEqual(full.body);
    // The same stored verdict as an ETSI TS 119 102-2 report, with the certificates as validation objects.
    const etsi = await request(service.app).get(`/v1/exchanges/${exchangeId}/report?format=etsi`).set(bearer(keys[B.organId].archivist));
    expect([etsi.status, etsi.headers['content-type']]).toEqual([200, 'application/xml; charset=utf-8']);
    expect(etsi.text.match(/<vr:SignatureValidationReport>/g)).toHaveLength(2);
    expect(etsi.text).toContain(`<vr:ValidationObject id="C-${path0[0].sha256.toUpperCase()}">`);
    // Re-verification years later reads the stored bytes back, checks them against the recorded hash, validates again.
    const again = await request(service.app).post(`/v1/exchanges/${exchangeId}/verifications`).set(bearer(keys[B.organId].archivist));
    expect([again.status, again.body.storedIntact, again.body.sha256 === again.body.storedSha256]).toEqual([200, true, true]);
    expect(again.body.report.signatures.map((s: { intact: boolean }) => s.intact)).toEqual([true, true]);
    const past = await request(service.app).post(`/v1/exchanges/${exchangeId}/verifications?at=2000-01-01T00:00:00Z`).set(bearer(keys[B.organId].archivist));
    expect(past.body.report.signatures[0].validationTime).toMatchObject({ source: expect.stringMatching(/given|claimed/) });
    const badAt = await request(service.app).post(`/v1/exchanges/${exchangeId}/verifications?at=yesterday`).set(bearer(keys[B.organId].archivist));
    expect([badAt.status, badAt.body.code]).toEqual([400, 'INVALID_REQUEST']);
    // A long-term copy needs a time-stamping authority, which this service does not have.
    const noTsa = await request(service.app).post(`/v1/exchanges/${exchangeId}/archives`).set(bearer(keys[B.organId].receiver));
    expect([noTsa.status, noTsa.body.code]).toEqual([503, 'TSA_NOT_CONFIGURED']);
    // The evidence package: header, histories, acceptance report with certificates, audit events, chain check.
    const pack = await request(service.app).get(`/v1/exchanges/${exchangeId}/evidence`).set(bearer(keys[B.organId].archivist));
    expect(pack.status).toBe(200);
    expect(pack.body.document.sha256).toBe(again.body.storedSha256);
    expect(pack.body.receiptReport.signatures[0].certificatePath[0].der).toEqual(expect.any(String));
    expect(pack.body.auditEvents.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['exchange.sent', 'exchange.status-changed', 'exchange.read']));
    expect(pack.body.auditChain.intact).toBe(true);
    const change = await request(service.app).post(`/v1/exchanges/${exchangeId}/status`).set(bearer(keys[B.organId].archivist)).send({ status: '04' });
    expect([change.status, change.body.code]).toEqual([403, 'FORBIDDEN']);
    const audit = await request(service.app).get('/v1/audit/verify').set(bearer(keys[A.organId].archivist));
    expect(audit.body.intact).toBe(true);
    expect(audit.body.events).toBeGreaterThan(10);
    const stats = await request(service.app).get('/v1/statistics').set(bearer(keys[B.organId].archivist));
    expect(stats.body).toMatchObject({ withDueDate: 1, doneOnTime: 1, doneLate: 0 });
  });

  it('when agency C asks for an A→B exchange, then it is not found; a revoked key is refused', async () => {
    const onlyB = await request(service.app).post('/v1/exchanges').set(bearer(keys[A.organId].clerk)).set('Idempotency-Key', 'send-16-2026-xyz')
      .attach('file', signedByBoth, 'cv16.pdf').field('metadata', metadata('16', [B.organId]));
    expect(onlyB.status).toBe(201);
    const peek = await request(service.app).get(`/v1/exchanges/${onlyB.body.exchangeId}`).set(bearer(keys[C.organId].clerk));
    expect([peek.status, peek.body.code]).toEqual([404, 'NOT_FOUND']);
    const peekDoc = await request(service.app).get(`/v1/exchanges/${onlyB.body.exchangeId}/document`).set(bearer(keys[C.organId].receiver));
    expect(peekDoc.status).toBe(404);
    const peekEvidence = await request(service.app).get(`/v1/exchanges/${onlyB.body.exchangeId}/evidence`).set(bearer(keys[C.organId].archivist));
    const peekReverify = await request(service.app).post(`/v1/exchanges/${onlyB.body.exchangeId}/verifications`).set(bearer(keys[C.organId].archivist));
    expect([peekEvidence.status, peekReverify.status]).toEqual([404, 404]);
    const peekEtsi = await request(service.app).get(`/v1/exchanges/${onlyB.body.exchangeId}/report?format=etsi`).set(bearer(keys[C.organId].archivist));
    expect([peekEtsi.status, peekEtsi.body.code]).toEqual([404, 'NOT_FOUND']);
    // A record kept without a stored verdict (as the demo's) has no ETSI report: 404, never a 500.
    await service.models.Exchange.updateOne({ exchangeId: onlyB.body.exchangeId }, { $set: { report: {} } });
    const noReport = await request(service.app).get(`/v1/exchanges/${onlyB.body.exchangeId}/report?format=etsi`).set(bearer(keys[B.organId].archivist));
    expect([noReport.status, noReport.body.code]).toEqual([404, 'NOT_FOUND']);
    const badFormat = await request(service.app).get(`/v1/exchanges/${onlyB.body.exchangeId}/report?format=pdf`).set(bearer(keys[B.organId].archivist));
    expect([badFormat.status, badFormat.body.code]).toEqual([400, 'INVALID_REQUEST']);

    const issued = await request(service.app).post(`/v1/admin/agencies/${C.organId}/api-keys`).set(bearer(keys[C.organId].admin)).send({ role: 'receiver' });
    expect(issued.status).toBe(201);
    expect((await request(service.app).get('/v1/agencies').set(bearer(issued.body.apiKey))).status).toBe(200);
    expect((await request(service.app).delete(`/v1/admin/api-keys/${issued.body.keyId}`).set(bearer(keys[C.organId].admin))).status).toBe(204);
    const refused = await request(service.app).get('/v1/agencies').set(bearer(issued.body.apiKey));
    expect([refused.status, refused.body.code]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('when the operator renames an agency, then the old name stays in its history with its validity period', async () => {
    const renamed = await request(service.app).post(`/v1/admin/agencies/${C.organId}/rename`).set(bearer(await operatorKey(service))).send({ name: 'Ủy ban nhân dân tỉnh Kiểm Tra Mới' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Ủy ban nhân dân tỉnh Kiểm Tra Mới');
    expect(renamed.body.history).toEqual([expect.objectContaining({ organId: C.organId, name: C.name })]);
    const byClerk = await request(service.app).post(`/v1/admin/agencies/${C.organId}/rename`).set(bearer(keys[A.organId].clerk)).send({ name: 'x' });
    expect(byClerk.status).toBe(403);
  });

  it('when the same số/ký hiệu is sent again with another key, then 409 DUPLICATE_DOCUMENT_NUMBER', async () => {
    const dup = await request(service.app).post('/v1/exchanges').set(bearer(keys[A.organId].clerk)).set('Idempotency-Key', 'send-15-2026-again')
      .attach('file', signedByBoth, 'again.pdf').field('metadata', metadata('15', [B.organId]));
    expect([dup.status, dup.body.code]).toEqual([409, 'DUPLICATE_DOCUMENT_NUMBER']);
  });

  it('when the document was tampered with or is unsigned, then sending is refused with the failing sub-indication', async () => {
    const tampered = Buffer.from(signedByBoth);
    tampered[3000] ^= 0x01;
    const bad = await request(service.app).post('/v1/exchanges').set(bearer(keys[A.organId].clerk)).set('Idempotency-Key', 'send-17-2026-bad')
      .attach('file', tampered, 'bad.pdf').field('metadata', metadata('17', [B.organId]));
    expect([bad.status, bad.body.code]).toEqual([422, 'DOCUMENT_SIGNATURE_INVALID']);
    expect(bad.body.detail).toContain('HASH_FAILURE');
    const unsigned = await request(service.app).post('/v1/exchanges').set(bearer(keys[A.organId].clerk)).set('Idempotency-Key', 'send-18-2026-uns')
      .attach('file', sample('cong-van.pdf'), 'unsigned.pdf').field('metadata', metadata('18', [B.organId]));
    expect([unsigned.status, unsigned.body.code]).toEqual([422, 'DOCUMENT_NOT_SIGNED']);
    const unknown = await request(service.app).post('/v1/exchanges').set(bearer(keys[A.organId].clerk)).set('Idempotency-Key', 'send-19-2026-unk')
      .attach('file', signedByBoth, 'x.pdf').field('metadata', metadata('19', ['999.99.99.Z99']));
    expect([unknown.status, unknown.body.code]).toEqual([422, 'AGENCY_UNKNOWN']);
  });

  it('when the sender recalls, then recipients get 13 and accepting the recall removes the recipient copy', async () => {
    const sent = await request(service.app).post('/v1/exchanges').set(bearer(keys[A.organId].clerk)).set('Idempotency-Key', 'send-20-2026-rec')
      .attach('file', signedByBoth, 'cv20.pdf').field('metadata', metadata('20', [B.organId]));
    const id = sent.body.exchangeId;
    const recalled = await request(service.app).post(`/v1/exchanges/${id}/recall`).set(bearer(keys[A.organId].clerk)).send({ reason: 'Sai số văn bản' });
    expect(recalled.body.recipients[0].status).toBe('13');
    expect((await request(service.app).post(`/v1/exchanges/${id}/status`).set(bearer(keys[B.organId].receiver)).send({ status: '15' })).status).toBe(200);
    expect((await request(service.app).get(`/v1/exchanges/${id}/document`).set(bearer(keys[B.organId].receiver))).status).toBe(404);
    expect((await request(service.app).get(`/v1/exchanges/${id}/document`).set(bearer(keys[A.organId].clerk))).status).toBe(200);
  });

  it('when the API description is asked for, then OpenAPI 3.1 lists every route', async () => {
    const doc = await request(service.app).get('/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/signing-sessions', '/v1/exchanges', '/v1/exchanges/{id}/status', '/v1/verifications']));
  });

  it('when attachments travel with the document, then each keeps its hash and, for PDFs, its own verdict', async () => {
    const note = Buffer.from('Phụ lục: danh sách đơn vị nhận văn bản\n', 'utf8');
    const sent = await request(service.app).post('/v1/exchanges').set(bearer(keys[A.organId].clerk)).set('Idempotency-Key', 'send-21-2026-att')
      .attach('file', signedByBoth, 'cv21.pdf').attach('attachments', signedByBoth, 'phu-luc-1.pdf').attach('attachments', note, 'phu-luc-2.txt')
      .field('metadata', metadata('21', [B.organId]));
    expect(sent.status).toBe(201);
    expect(sent.body.attachments.map((a: { name: string; size: number; verification: unknown }) => [a.name, a.size, a.verification === null])).toEqual([
      ['phu-luc-1.pdf', signedByBoth.length, false],
      ['phu-luc-2.txt', note.length, true],
    ]);
    const got = await request(service.app).get(`/v1/exchanges/${sent.body.exchangeId}/attachments/1`).set(bearer(keys[B.organId].receiver)).buffer(true).parse(binaryBody);
    expect(Buffer.compare(got.body, note)).toBe(0);
    expect((await request(service.app).get(`/v1/exchanges/${sent.body.exchangeId}/attachments/2`).set(bearer(keys[B.organId].receiver))).status).toBe(404);
    expect((await request(service.app).get(`/v1/exchanges/${sent.body.exchangeId}/attachments/0`).set(bearer(keys[C.organId].receiver))).status).toBe(404);
  });

  it('when requests are malformed, then clear 4xx problems come back, never a 500', async () => {
    const wrongType = await request(service.app).post('/v1/verifications').set(bearer(keys[B.organId].receiver)).set('Content-Type', 'text/plain').send('hello');
    expect([wrongType.status, wrongType.body.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const malformed = await request(service.app).post('/v1/verifications').set(bearer(keys[B.organId].receiver)).set('Content-Type', 'application/pdf').send(Buffer.from('%PDF-1.7 garbage garbage'));
    expect([malformed.status, malformed.body.code]).toEqual([422, 'PDF_MALFORMED']);
    expect(malformed.headers['content-type']).toContain('application/problem+json');
    expect(malformed.body.requestId).toMatch(/[0-9a-f-]{36}/);
    const noKey = await request(service.app).get('/v1/exchanges');
    expect([noKey.status, noKey.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    const badJson = await request(service.app).post(`/v1/exchanges/${exchangeId}/status`).set(bearer(keys[B.organId].receiver)).set('Content-Type', 'application/json').send('{"status":');
    expect(badJson.status).toBe(400);
  });
});

describe('documents arriving from outside the service', () => {
  let service: Service;
  let keys: Record<string, Record<string, string>>;
  let signed: Buffer;
  beforeAll(async () => {
    service = await openTestService();
    keys = await seedAgencies(service, [B]);

    signed = await sealedSample();
  });
  afterAll(() => service.close());

  const inbound = (pdf: Buffer, key: string, number: string) => request(service.app).post('/v1/exchanges/inbound').set(bearer(keys[B.organId].receiver))
    .set('Idempotency-Key', key).attach('file', pdf, 'in.pdf')
    .field('metadata', JSON.stringify({ from: { organId: '000.00.00.G09', organName: 'Bộ Tài chính' }, codeNumber: number, codeNotation: 'BTC-VP', issuedDate: '2026-11-20', subject: 'V/v báo cáo' }));

  it('when a tampered document arrives for B, then it is recorded and returned automatically with the failing sub-indication', async () => {
    const tampered = Buffer.from(signed);
    tampered[2500] ^= 0x04;
    const res = await inbound(tampered, 'axis-msg-000001', '101');
    expect(res.status).toBe(201);
    expect(res.body.recipients[0].status).toBe('02');
    expect(res.body.recipients[0].history.map((h: { status: string }) => h.status)).toEqual(['01', '02']);
    expect(res.body.recipients[0].history[1].reason).toContain('HASH_FAILURE');
    expect(res.body.verification.indication).toBe('TOTAL_FAILED');
  });

  it('when an intact signed document arrives, then it waits in the inbox with status 01; the same message twice is one record', async () => {
    const first = await inbound(signed, 'axis-msg-000002', '102');
    const again = await inbound(signed, 'axis-msg-000002', '102');
    expect([first.status, again.status, again.body.exchangeId]).toEqual([201, 200, first.body.exchangeId]);
    expect(first.body.recipients[0].status).toBe('01');
    const inbox = await request(service.app).get('/v1/exchanges?box=inbox&status=01').set(bearer(keys[B.organId].receiver));
    expect(inbox.body.items.map((e: { exchangeId: string }) => e.exchangeId)).toEqual([first.body.exchangeId]);
  });
});

describe("each recipient's trust policy at receipt", () => {
  let service: Service;
  let keys: Record<string, Record<string, string>>;
  beforeAll(async () => {
    // The test root is filed as a public-CA anchor: agencies that accept only official-duty anchors
    // cannot build a chain for it.
    const { createValidationContext, TrustStore } = await import('../../src/validation');
    const trust = new TrustStore();
    trust.add(pkiFile('root-ca.der'), 'public');
    const { openService } = await import('../../src/compose');
    const { testDatabaseUri } = await import('../helpers/service');
    service = await openService({ mongodbUri: testDatabaseUri(), validation: createValidationContext({ trust, offline: true }), uploadLimitBytes: 1e8, signingSessionTtlSeconds: 60 });
    keys = await seedAgencies(service, [A, C]);
    await service.agencies.registerAgency({ ...B, acceptPublicCa: false });
    keys[B.organId] = { receiver: (await service.agencies.issueApiKey(B.organId, 'receiver')).apiKey };
  });
  afterAll(() => service.close());

  it('when B accepts only official-duty anchors, then B gets its own verdict (no chain) and C the default one', async () => {

    const signed = await sealedSample();
    const sent = await request(service.app).post('/v1/exchanges').set(bearer(keys[A.organId].clerk)).set('Idempotency-Key', 'policy-test-0001')
      .attach('file', signed, 'cv.pdf').field('metadata', metadata('30', [B.organId, C.organId]));
    expect(sent.status).toBe(201);
    const byOrg = Object.fromEntries(sent.body.recipients.map((r: { organId: string; verification?: { signatures: Array<{ subIndication: string }> }; needsReview: boolean }) => [r.organId, [r.verification?.signatures[0].subIndication ?? 'default', r.needsReview]]));
    expect(byOrg).toEqual({ [B.organId]: ['NO_CERTIFICATE_CHAIN_FOUND', true], [C.organId]: ['default', true] });
    expect(sent.body.verification.signatures[0].subIndication).toBe('TRY_LATER');
  });
});
