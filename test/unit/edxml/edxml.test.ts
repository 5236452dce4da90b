/**
 * edXML packages (QCVN 102:2016) written and read as streams: every header field and every attachment byte
 * survives the round trip in any chunking, and a package that breaks the format is refused naming the
 * element, with every attachment already written aborted.
 */
import { randomBytes } from 'node:crypto';
import {
  EdxmlAttachmentSink, EdxmlManifestEntry, EdxmlMessage, readEdxml, writeEdxmlMessage, writeEdxmlStatus, parseEdxmlTimestamp, formatEdxmlTimestamp, EdxmlPackage,
} from '../../../src/edxml';
import { AppError } from '../../../src/errors';
import { sample } from '../../helpers/fixtures';

/** Deterministic bytes from a seed (printed by the test that uses them). */
function seeded(seed: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

const message = (manifest: EdxmlManifestEntry[]): EdxmlMessage => ({
  from: { organId: '000.00.00.G22', organName: 'Văn phòng Chính phủ', organAdd: '1 Hoàng Hoa Thám, Ba Đình, Hà Nội', email: 'vpcp@chinhphu.vn' },
  to: [{ organId: '000.00.00.H49', organName: 'Ủy ban nhân dân tỉnh Lạng Sơn' }, { organId: '000.00.00.H26', organName: 'UBND tỉnh Hà Tĩnh' }],
  codeNumber: '15', codeNotation: 'VPCP-KSTT', promulgationPlace: 'Hà Nội', promulgationDate: new Date('2026-03-16T00:00:00Z'),
  documentType: { type: '2', typeName: 'Công văn' }, subject: 'V/v triển khai chữ ký số <khẩn> & "đúng hạn"', content: 'Nội dung tóm tắt',
  signer: { competence: 'KT. BỘ TRƯỞNG', position: 'THỨ TRƯỞNG', fullName: 'Nguyễn Văn Ánh' }, dueDate: new Date('2026-04-01T00:00:00Z'),
  toPlaces: ['Như trên', 'Lưu: VT, KSTT'],
  otherInfo: { priority: 2, sphereOfPromulgation: 'Lưu hành nội bộ', typerNotation: 'NVA', promulgationAmount: 2, pageAmount: 1, appendixes: ['Phụ lục I'] },
  steeringType: 1, documentId: '000.00.00.G22,2026/03/16,15/VPCP-KSTT',
  responseFor: { organId: '000.00.00.H49', code: '7/UBND-VP', promulgationDate: new Date('2026-03-01T00:00:00Z'), documentId: '000.00.00.H49,2026/03/01,7/UBND-VP' },
  trace: [{ organId: '000.00.00.G22', timestamp: new Date('2026-03-16T03:04:05Z') }],
  business: { docType: 0, staffInfo: { department: 'Văn thư', staff: 'Trần Thị Bình', mobile: '0912345678', email: 'vt@chinhphu.vn' }, paper: 1 },
  manifest,
});

const collector = () => {
  const files = new Map<string, Buffer[]>();
  const events: string[] = [];
  const open = (entry: EdxmlManifestEntry): EdxmlAttachmentSink => {
    files.set(entry.contentId, []);
    events.push(`open ${entry.contentId}`);
    return {
      write: (b) => void files.get(entry.contentId)!.push(Buffer.from(b)),
      end: async () => void events.push(`end ${entry.contentId}`),
      abort: async () => void events.push(`abort ${entry.contentId}`),
    };
  };
  return { open, files, events, bytes: (id: string) => Buffer.concat(files.get(id) ?? []) };
};

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of source) chunks.push(c);
  return Buffer.concat(chunks);
}

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function refusal(xml: string | Buffer, c = collector()): Promise<AppError> {
  const error = await readEdxml(chunked(Buffer.from(xml), 64), c.open).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe('EDXML_INVALID');
  return error as AppError;
}

describe('edXML packages', () => {
  const SEED = 20261130;
  const pdf = sample('cong-van.pdf');
  const appendix = seeded(SEED, 100_003);
  const manifest: EdxmlManifestEntry[] = [
    { contentId: 'cid:doc-1', contentType: 'application/pdf', attachmentName: 'cong-van.pdf', description: 'Văn bản chính' },
    { contentId: 'cid:doc-2', contentType: 'application/octet-stream', attachmentName: 'phụ lục.bin' },
  ];
  const write = () => collect(writeEdxmlMessage(message(manifest), [
    { entry: manifest[0], open: () => chunked(pdf, 1000) },
    { entry: manifest[1], open: () => chunked(appendix, 4097) },
  ]));

  it('when a package is written and read back in chunks of any size, then every header field and attachment byte is the same', async () => {
    process.stdout.write(`edXML round trip: attachment bytes from seed ${SEED}\n`);
    const xml = await write();
    expect(xml.toString('utf8')).toContain('<edXML:OrganId>000.00.00.G22</edXML:OrganId>');
    expect(xml.toString('utf8')).toContain('<edXML:PromulgationDate>2026/03/16</edXML:PromulgationDate>');
    expect(xml.toString('utf8')).toContain('<edXML:Timestamp>2026/03/16 10:04:05</edXML:Timestamp>');
    for (const size of [1, 7, 4096, xml.length]) {
      const c = collector();
      const pkg = await readEdxml(chunked(size === 1 ? xml.subarray(0, xml.length) : xml, size), c.open) as Extract<EdxmlPackage, { kind: 'message' }>;
      expect(pkg.kind).toBe('message');
      expect(pkg.message).toEqual(message(manifest));
      expect(c.bytes('cid:doc-1').equals(pdf)).toBe(true);
      expect(c.bytes('cid:doc-2').equals(appendix)).toBe(true);
      expect(pkg.attachments.map((a) => [a.contentId, a.size])).toEqual([['cid:doc-1', pdf.length], ['cid:doc-2', appendix.length]]);
      // Each sink is opened, then ended once its writes are taken; none is aborted.
      expect(c.events.filter((e) => e.startsWith('end'))).toEqual(['end cid:doc-1', 'end cid:doc-2']);
      expect(c.events.indexOf('open cid:doc-1')).toBeLessThan(c.events.indexOf('open cid:doc-2'));
      expect(c.events.filter((e) => e.startsWith('abort'))).toEqual([]);
    }
  }, 60_000);

  it('when a status package is written and read, then its fields come back and its timestamp is Vietnam time', async () => {
    const status = {
      responseFor: { organId: '000.00.00.G22', code: '15/VPCP-KSTT', promulgationDate: new Date('2026-03-16T00:00:00Z'), documentId: '000.00.00.G22,2026/03/16,15/VPCP-KSTT' },
      from: { organId: '000.00.00.H49', organName: 'UBND tỉnh Lạng Sơn' }, statusCode: '02', description: 'Sai thể thức', timestamp: new Date('2026-03-16T17:30:00Z'),
      staffInfo: { department: 'Văn thư', staff: 'Lê Văn Cường', mobile: '0987654321', email: 'vt@langson.gov.vn' },
    };
    const xml = writeEdxmlStatus(status);
    expect(xml).toContain('<edXML:Timestamp>2026/03/17 00:30:00</edXML:Timestamp>');
    const pkg = await readEdxml(chunked(Buffer.from(xml), 50), collector().open);
    expect(pkg).toEqual({ kind: 'status', status: { ...status, from: { organId: '000.00.00.H49', organName: 'UBND tỉnh Lạng Sơn' } } });
  });

  it('when trace and status times are read, then yyyy/MM/dd HH:mm:ss is Vietnam time and ISO 8601 keeps its zone', () => {
    expect(parseEdxmlTimestamp('2026/01/01 06:59:59')?.toISOString()).toBe('2025-12-31T23:59:59.000Z');
    expect(parseEdxmlTimestamp('16/03/2026 10:04:05')?.toISOString()).toBe('2026-03-16T03:04:05.000Z');
    expect(parseEdxmlTimestamp('2026-03-16T10:04:05+07:00')?.toISOString()).toBe('2026-03-16T03:04:05.000Z');
    expect(parseEdxmlTimestamp('2026/02/30 10:00:00')).toBeNull();
    expect(formatEdxmlTimestamp(new Date('2025-12-31T23:59:59Z'))).toBe('2026/01/01 06:59:59');
  });

  it('when the sender OrganId is missing, then the package is refused naming edXML:From/edXML:OrganId', async () => {
    const xml = (await write()).toString('utf8').replace('<edXML:OrganId>000.00.00.G22</edXML:OrganId>', '');
    const error = await refusal(xml);
    expect(error.details?.element).toBe('edXML/edXML:edXMLEnvelope/edXML:edXMLHeader/edXML:MessageHeader/edXML:From/edXML:OrganId');
    expect(error.message).toContain('is missing or empty');
  });

  it('when the promulgation date is malformed, then the package is refused naming PromulgationDate', async () => {
    const xml = (await write()).toString('utf8').replace('<edXML:PromulgationDate>2026/03/16</edXML:PromulgationDate>', '<edXML:PromulgationDate>16-03-2026x</edXML:PromulgationDate>');
    const error = await refusal(xml);
    expect(error.details?.element).toBe('edXML/edXML:edXMLEnvelope/edXML:edXMLHeader/edXML:MessageHeader/edXML:PromulgationInfo/edXML:PromulgationDate');
  });

  it('when an attachment has no manifest entry, then it is refused before any byte of it is written and the earlier one is aborted', async () => {
    const c = collector();
    const xml = (await write()).toString('utf8').replace('<ContentId>cid:doc-2</ContentId>', '<ContentId>cid:stray</ContentId>');
    const error = await refusal(xml, c);
    expect(error.message).toContain('attachment cid:stray has no entry in edXMLManifest');
    expect(c.events).toEqual(['open cid:doc-1', 'end cid:doc-1', 'abort cid:doc-1']);
  });

  it('when the manifest names an attachment the package does not carry, then it is refused and the carried one is aborted', async () => {
    const c = collector();
    const text = (await write()).toString('utf8');
    const start = text.indexOf('    <Attachment>', text.indexOf('cid:doc-1</ContentId>') + 30);
    const xml = text.slice(0, start) + text.slice(text.indexOf('</Attachment>', start) + '</Attachment>\n'.length);
    const error = await refusal(xml, c);
    expect(error.details?.element).toBe('AttachmentEncoded');
    expect(error.message).toContain('cid:doc-2');
    expect(c.events).toEqual(['open cid:doc-1', 'end cid:doc-1', 'abort cid:doc-1']);
  });

  it('when base64 content does not decode, then the package is refused naming the attachment', async () => {
    const text = (await write()).toString('utf8');
    const at = text.indexOf('<edXML:ContentTransferEncoded', text.indexOf('cid:doc-2</ContentId>'));
    const open = text.indexOf('>', at) + 1;
    const error = await refusal(text.slice(0, open + 100) + '*' + text.slice(open + 101));
    expect(error.message).toContain('ContentTransferEncoded (cid:doc-2): is not base64');
  });

  it('when a package declares a DOCTYPE or is not well-formed, then it is refused', async () => {
    expect((await refusal('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><edXML/>')).details?.element).toBe('DOCTYPE');
    expect((await refusal('<edXML><edXML:edXMLEnvelope>')).details?.element).toBe('XML');
  });

  it('when header text comes as CDATA, then it counts against the same header limit as plain text', async () => {
    const part = `<Content><![CDATA[${'x'.repeat(199_000)}]]></Content>`;
    const error = await refusal(`<edXML><edXMLHeader><MessageHeader>${part.repeat(21)}</MessageHeader></edXMLHeader></edXML>`);
    expect(error.message).toContain('the text is longer than a package header may be');
  });

  it('when the header nests without end, then it is refused by the depth limit', async () => {
    const deep = '<a>'.repeat(200) + '</a>'.repeat(200);
    expect((await refusal(deep)).message).toContain('nests deeper than 32 levels');
  });

  it('when the base64 of a large attachment streams in, then it is decoded piece by piece without holding the text', async () => {
    const big = randomBytes(3 * 1024 * 1024 + 1);
    const entry = { contentId: 'cid:big', contentType: 'application/pdf', attachmentName: 'big.pdf' };
    let largestWrite = 0;
    let total = 0;
    const pkg = await readEdxml(writeEdxmlMessage(message([entry]), [{ entry, open: () => chunked(big, 65536) }]), () => ({
      write: (b) => { largestWrite = Math.max(largestWrite, b.length); total += b.length; },
      end: async () => undefined,
      abort: async () => undefined,
    }));
    expect(pkg.kind).toBe('message');
    expect(total).toBe(big.length);
    expect(largestWrite).toBeLessThan(200_000);
  });
});
