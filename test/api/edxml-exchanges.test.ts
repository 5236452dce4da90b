/**
 * Exchanges as edXML packages (QCVN 102:2016) over the API: export of a sent document, arrival of a package
 * from an agency's own system (verified, replay-safe), status packages, and refusals that name the element
 * and keep nothing.
 */
import request from 'supertest';
import { Service } from '../../src/compose';
import { EdxmlManifestEntry, EdxmlMessage, EdxmlPackage, readEdxml, writeEdxmlMessage } from '../../src/edxml';
import { bearer, binaryBody, openTestService, sealedSample, seedAgencies } from '../helpers/service';

const message = (manifest: EdxmlManifestEntry[], over: Partial<EdxmlMessage> = {}): EdxmlMessage => ({
  from: { organId: 'X.99', organName: 'Sở Tư pháp tỉnh X' }, to: [{ organId: 'E.02', organName: 'Cơ quan E2' }],
  codeNumber: '42', codeNotation: 'STP-VP', promulgationPlace: 'Tỉnh X', promulgationDate: new Date('2026-11-20T00:00:00Z'),
  documentType: { typeName: 'Công văn' }, subject: 'V/v phối hợp thẩm định', signer: { position: 'GIÁM ĐỐC', fullName: 'Phạm Thị Dung' },
  toPlaces: [], otherInfo: { priority: 1, appendixes: [] }, documentId: 'X.99,2026/11/20,42/STP-VP',
  trace: [{ organId: 'X.99', timestamp: new Date('2026-11-20T02:00:00Z') }], business: { docType: 0 }, manifest, ...over,
});

async function packageOf(m: EdxmlMessage, files: Buffer[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of writeEdxmlMessage(m, m.manifest.map((entry, i) => ({ entry, open: async function* () { yield files[i]; } })))) chunks.push(c);
  return Buffer.concat(chunks);
}

async function read(xml: Buffer) {
  const files = new Map<string, Buffer[]>();
  const pkg = await readEdxml([xml], (e) => {
    files.set(e.contentId, []);
    return { write: (b) => void files.get(e.contentId)!.push(b), end: async () => undefined, abort: async () => undefined };
  });
  return { pkg, files: new Map([...files].map(([k, v]) => [k, Buffer.concat(v)])) };
}

describe('edXML exchanges over the API', () => {
  let service: Service;
  let keys: Record<string, Record<string, string>>;
  let signed: Buffer;
  const counts = async () => ({
    files: await service.connection.db!.collection('documents.files').countDocuments(),
    exchanges: await service.models.Exchange.countDocuments(),
  });
  const docEntry = { contentId: 'cid:main', contentType: 'application/pdf', attachmentName: 'cong-van.pdf' };
  const appendixEntry = { contentId: 'cid:appendix', contentType: 'text/plain', attachmentName: 'phụ lục.txt' };
  const inbound = (xml: Buffer | string, key = keys['E.02'].receiver) => request(service.app).post('/v1/exchanges/inbound').set(bearer(key))
    .set('Content-Type', 'application/xml').send(Buffer.from(xml));

  beforeAll(async () => {
    service = await openTestService({ uploadLimitBytes: 1_000_000 });
    keys = await seedAgencies(service, [{ organId: 'E.01', name: 'Văn phòng E' }, { organId: 'E.02', name: 'Cơ quan E2' }]);
    signed = await sealedSample();
  });
  afterAll(() => service.close());

  it('when a sent exchange is exported, then the package carries its header under edXML: prefixes and its files byte for byte', async () => {
    const sent = await request(service.app).post('/v1/exchanges').set(bearer(keys['E.01'].clerk)).set('Idempotency-Key', 'edxml-export-1')
      .attach('file', signed, 'cong-van.pdf').attach('attachments', Buffer.from('Phụ lục: danh sách'), 'phu-luc.txt')
      .field('metadata', JSON.stringify({ to: ['E.02'], codeNumber: '7', codeNotation: 'E-VP', issuedDate: '2026-11-25', subject: 'V/v báo cáo năm', priority: 2, signerFullName: 'Đỗ Văn Em' }));
    expect(sent.status).toBe(201);
    for (const key of [keys['E.01'].clerk, keys['E.02'].receiver]) {
      const res = await request(service.app).get(`/v1/exchanges/${sent.body.exchangeId}/edxml`).set(bearer(key)).buffer(true).parse(binaryBody);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
      const xml = res.body as Buffer;
      const text = xml.toString('utf8');
      expect(text).toContain('<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">');
      expect(text).toContain('<edXML:DocumentId>E.01,2026/11/25,7/E-VP</edXML:DocumentId>');
      const { pkg, files } = await read(xml);
      const m = (pkg as Extract<EdxmlPackage, { kind: 'message' }>).message;
      expect([m.from.organId, m.from.organName, m.to.map((t) => t.organId), m.codeNumber, m.codeNotation, m.subject, m.otherInfo.priority, m.signer?.fullName])
        .toEqual(['E.01', 'Văn phòng E', ['E.02'], '7', 'E-VP', 'V/v báo cáo năm', 2, 'Đỗ Văn Em']);
      expect(m.manifest.map((e) => e.attachmentName)).toEqual(['cong-van.pdf', 'phu-luc.txt']);
      expect(files.get(m.manifest[0].contentId)!.equals(signed)).toBe(true);
      expect(files.get(m.manifest[1].contentId)!.toString('utf8')).toBe('Phụ lục: danh sách');
    }
    // Another agency learns nothing of it.
    const other = await seedAgencies(service, [{ organId: 'E.03', name: 'Cơ quan E3' }]);
    expect((await request(service.app).get(`/v1/exchanges/${sent.body.exchangeId}/edxml`).set(bearer(other['E.03'].receiver))).status).toBe(404);
  });

  it('when a package arrives for the caller\'s agency, then it is verified and recorded with its attachment, once', async () => {
    const xml = await packageOf(message([docEntry, appendixEntry]), [signed, Buffer.from('Danh mục hồ sơ')]);
    const first = await inbound(xml);
    expect(first.status).toBe(201);
    expect([first.body.fromOrganId, first.body.codeNumber, first.body.codeNotation, first.body.priority, first.body.signerFullName]).toEqual(['X.99', '42', 'STP-VP', 1, 'Phạm Thị Dung']);
    // Offline test service: the signature is intact and chains to the test root; its revocation status is unknown.
    expect([first.body.verification.indication, first.body.verification.signatures[0].intact]).toEqual(['INDETERMINATE', true]);
    expect(first.body.attachments.map((a: { name: string; size: number }) => [a.name, a.size])).toEqual([['phụ lục.txt', Buffer.byteLength('Danh mục hồ sơ')]]);
    expect(first.body.recipients[0].status).toBe('01');
    const before = await counts();
    const again = await inbound(xml);
    expect([again.status, again.body.exchangeId]).toEqual([200, first.body.exchangeId]);
    expect(await counts()).toEqual(before);
    // B's status on it, as an edXML Status package for the sender's system.
    const status = await request(service.app).get(`/v1/exchanges/${first.body.exchangeId}/status/edxml`).set(bearer(keys['E.02'].receiver));
    expect(status.status).toBe(200);
    expect(status.text).toContain('<edXML:StatusCode>01</edXML:StatusCode>');
    expect(status.text).toContain('<edXML:DocumentId>X.99,2026/11/20,42/STP-VP</edXML:DocumentId>');
  });

  it('when the sender\'s system sends a recall (BussinessDocType 1) of a document held here, then the copy gets 13 with the reason, once; a recall of an unknown document is 404', async () => {
    const xml = await packageOf(message([docEntry], { codeNumber: '45', documentId: 'X.99,2026/11/20,45/STP-VP' }), [signed]);
    const arrived = await inbound(xml);
    expect(arrived.status).toBe(201);
    const recall = await packageOf(message([], { codeNumber: '45', documentId: 'X.99,2026/11/20,45/STP-VP', business: { docType: 1, reason: 'Văn bản ban hành sai thẩm quyền' } }), []);
    expect(recall.toString('utf8')).toContain('<edXML:BussinessDocType>1</edXML:BussinessDocType>');
    const first = await inbound(recall);
    expect([first.status, first.body.recalled]).toEqual([200, [{ organId: 'E.02', exchangeId: arrived.body.exchangeId, status: '13' }]]);
    const again = await inbound(recall);
    expect(again.body.recalled[0].status).toBe('13');
    const copy = await request(service.app).get(`/v1/exchanges/${arrived.body.exchangeId}`).set(bearer(keys['E.02'].receiver));
    expect(copy.body.recipients[0].history.map((h: { status: string; reason?: string }) => [h.status, h.reason ?? null])).toEqual([['01', null], ['13', 'Văn bản ban hành sai thẩm quyền']]);
    const unknown = await inbound(await packageOf(message([], { codeNumber: '999', documentId: 'X.99,2026/11/20,999/STP-VP', business: { docType: 1, reason: 'x' } }), []));
    expect([unknown.status, unknown.body.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('when the document of a package was changed after signing, then it is recorded and returned (02) with the reason', async () => {
    const tampered = Buffer.from(signed);
    tampered[2500] ^= 0x04;
    const res = await inbound(await packageOf(message([docEntry], { codeNumber: '43', documentId: 'X.99,2026/11/20,43/STP-VP' }), [tampered]));
    expect(res.status).toBe(201);
    expect(res.body.recipients[0].status).toBe('02');
    expect(res.body.recipients[0].history[1].reason).toContain('HASH_FAILURE');
  });

  it.each([
    ['the sender OrganId is missing', (x: string) => x.replace('<edXML:OrganId>X.99</edXML:OrganId>', ''), 'edXML/edXML:edXMLEnvelope/edXML:edXMLHeader/edXML:MessageHeader/edXML:From/edXML:OrganId'],
    ['the date is malformed', (x: string) => x.replace('2026/11/20</edXML:PromulgationDate>', '2026/13/45</edXML:PromulgationDate>'), 'edXML/edXML:edXMLEnvelope/edXML:edXMLHeader/edXML:MessageHeader/edXML:PromulgationInfo/edXML:PromulgationDate'],
    ['an attachment has no manifest entry', (x: string) => x.replace('<ContentId>cid:appendix</ContentId>', '<ContentId>cid:other</ContentId>'), 'edXML/AttachmentEncoded/Attachment/ContentId'],
    ['base64 does not decode', (x: string) => x.replace(/(<edXML:ContentTransferEncoded[^>]*>)(.{40})/, '$1$2%%%%'), 'edXML/AttachmentEncoded/Attachment/edXML:ContentTransferEncoded (cid:main)'],
    ['it is not addressed to the caller', (x: string) => x.replace('<edXML:OrganId>E.02</edXML:OrganId>', '<edXML:OrganId>E.01</edXML:OrganId>'), 'MessageHeader/To'],
  ])('when %s, then 422 names the element and nothing of the package is kept', async (_what, spoil, element) => {
    const xml = (await packageOf(message([docEntry, appendixEntry], { codeNumber: '44', documentId: 'X.99,2026/11/20,44/STP-VP' }), [signed, Buffer.from('x')])).toString('utf8');
    const before = await counts();
    const res = await inbound(spoil(xml));
    expect([res.status, res.body.code, res.body.details?.element]).toEqual([422, 'EDXML_INVALID', element]);
    expect(await counts()).toEqual(before);
  });

  it('when a package is larger than the limit, then 413 and nothing is kept', async () => {
    const before = await counts();
    const big = Buffer.concat([signed, Buffer.alloc(1_500_000, 0x20)]);
    const res = await inbound(await packageOf(message([docEntry], { codeNumber: '45', documentId: 'X.99,2026/11/20,45/STP-VP' }), [big]));
    expect([res.status, res.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(await counts()).toEqual(before);
  });
});
