/**
 * Hand-made PDFs whose pages live in object streams (PDF 1.5, ISO 32000-1 §7.5.7), each stream inflating to
 * `decodedEach` bytes (a page dictionary padded with spaces, which deflate ~1000:1). With many streams the
 * whole document decodes to far more than any one stream: the shape of a compression bomb.
 */
import { deflateSync } from 'node:zlib';

/** `orphan`: one more object, in an object stream of its own, that nothing refers to (its dictionary's text). */
export function buildObjectStreamPdf(options: { streams: number; decodedEach: number; absurdPredictor?: boolean; orphan?: string }): Buffer {
  const parts: Buffer[] = [];
  let length = 0;
  const offsets = new Map<number, number>();
  const push = (b: Buffer | string): void => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    parts.push(buf);
    length += buf.length;
  };
  push('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n');
  const pageNum = (i: number) => 10 + i;
  const streamNum = (i: number) => 10 + options.streams + i;
  offsets.set(1, length);
  push('1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n');
  offsets.set(2, length);
  const kids = Array.from({ length: options.streams }, (_, i) => `${pageNum(i)} 0 R`).join(' ');
  push(`2 0 obj\n<< /Type /Pages /Kids [${kids}] /Count ${options.streams} >>\nendobj\n`);
  for (let i = 0; i < options.streams; i++) {
    const head = `${pageNum(i)} 0 `;
    const body = '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>';
    const data = Buffer.alloc(Math.max(options.decodedEach, head.length + body.length), 0x20);
    data.write(head, 0, 'latin1');
    data.write(body, head.length, 'latin1');
    const packed = deflateSync(data, { level: 9 });
    offsets.set(streamNum(i), length);
    push(`${streamNum(i)} 0 obj\n<< /Type /ObjStm /N 1 /First ${head.length} /Filter /FlateDecode /Length ${packed.length} >>\nstream\n`);
    push(packed);
    push('\nendstream\nendobj\n');
  }
  const orphanNum = streamNum(options.streams);
  const orphanStreamNum = orphanNum + 1;
  if (options.orphan !== undefined) {
    const head = `${orphanNum} 0 `;
    const data = Buffer.from(head + options.orphan, 'latin1');
    const packed = deflateSync(data);
    offsets.set(orphanStreamNum, length);
    push(`${orphanStreamNum} 0 obj\n<< /Type /ObjStm /N 1 /First ${head.length} /Filter /FlateDecode /Length ${packed.length} >>\nstream\n`);
    push(packed);
    push('\nendstream\nendobj\n');
  }
  // The cross-reference stream (uncompressed, W [1 4 2]): type 1 for plain objects, type 2 for pages.
  const size = (options.orphan !== undefined ? orphanStreamNum + 1 : streamNum(options.streams)) + 1;
  const xrefNum = size - 1;
  const rows = Buffer.alloc(size * 7);
  const row = (num: number, type: number, a: number, b: number) => {
    rows.writeUInt8(type, num * 7);
    rows.writeUInt32BE(a, num * 7 + 1);
    rows.writeUInt16BE(b, num * 7 + 5);
  };
  row(0, 0, 0, 0xffff);
  for (const [num, off] of offsets) row(num, 1, off, 0);
  for (let i = 0; i < options.streams; i++) row(pageNum(i), 2, streamNum(i), 0);
  if (options.orphan !== undefined) row(orphanNum, 2, orphanStreamNum, 0);
  const xrefOffset = length;
  row(xrefNum, 1, xrefOffset, 0);
  // With absurdPredictor, the xref stream is compressed and claims a PNG predictor a trillion columns wide.
  const data = options.absurdPredictor ? deflateSync(rows) : rows;
  const filter = options.absurdPredictor ? '/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 1000000000000 >>' : '';
  push(`${xrefNum} 0 obj\n<< /Type /XRef /Size ${size} /W [1 4 2] /Root 1 0 R ${filter} /Length ${data.length} >>\nstream\n`);
  push(data);
  push(`\nendstream\nendobj\nstartxref\n${xrefOffset}\n%%EOF\n`);
  return Buffer.concat(parts, length);
}
