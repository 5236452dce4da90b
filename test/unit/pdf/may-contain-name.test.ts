import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { PdfFile, PdfRef, PdfStream } from '../../../src/pdf';
import { CORPUS } from '../../helpers/fixtures';

/**
 * PdfFile.mayContainName answers for every object from one search of the file (and of each object stream)
 * per name. It must answer exactly as reading each object's own bytes would: true when the bytes from the
 * object's start to the next object's start hold the name or a "#". Checked on every object of every
 * corpus file, each revision, for a rare name and a common one.
 */
function pdfsUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return pdfsUnder(full);
    return name.toLowerCase().endsWith('.pdf') ? [full] : [];
  });
}

/** The answer from the object's own bytes (offset objects of a file in memory only). */
function byOwnBytes(bytes: Buffer, offsets: number[], offset: number, name: string): boolean {
  const next = offsets.find((o) => o > offset) ?? bytes.length;
  const own = bytes.subarray(offset, Math.max(offset, Math.min(next, bytes.length)));
  return own.indexOf(name, 0, 'latin1') >= 0 || own.indexOf(0x23) >= 0;
}

/** The answer from the bytes of an object inside an object stream (§7.5.7), read through the public API. */
const decoded = new Map<string, { data: Buffer; first: number } | null>();

function inObjectStream(view: PdfFile, streamNum: number, num: number, name: string): boolean | undefined {
  const at = view.xref.entries.get(streamNum);
  const key = `${view.source.length}|${at?.type === 'offset' ? at.offset : 'none'}`;
  if (!decoded.has(key)) {
    try {
      const stream = view.getObject(new PdfRef(streamNum, 0));
      decoded.set(key, stream instanceof PdfStream ? { data: view.decode(stream), first: stream.dict.get('First') as number } : null);
    } catch {
      decoded.set(key, null);
    }
  }
  const read = decoded.get(key);
  if (!read) return undefined;
  const { data, first } = read;
  const header = data.toString('latin1', 0, first).trim().split(/\s+/).map(Number);
  const offsets = new Map<number, number>();
  for (let i = 0; i + 1 < header.length; i += 2) offsets.set(header[i], header[i + 1]);
  const off = offsets.get(num);
  if (off === undefined) return undefined;
  const next = [...offsets.values(), data.length - first].filter((o) => o > off).sort((a, b) => a - b)[0] ?? data.length - first;
  const own = data.subarray(first + off, first + Math.max(off, next));
  return own.indexOf(name, 0, 'latin1') >= 0 || own.indexOf(0x23) >= 0;
}

describe('PdfFile.mayContainName', () => {
  it('when asked for every object of every corpus file and revision, then it answers as the object\'s own bytes do', () => {
    let checked = 0;
    let compressed = 0;
    let held = 0;
    const wrong: string[] = [];
    for (const file of pdfsUnder(CORPUS)) {
      const bytes = readFileSync(file);
      decoded.clear(); // object streams are keyed by where they are, within one file
      let pdf: PdfFile;
      try {
        pdf = PdfFile.parse(bytes);
      } catch {
        continue; // unreadable files are not scanned
      }
      const views = [pdf, ...pdf.xref.sections.slice(1).flatMap((s) => { try { return [pdf.revisionAt(s.offset)]; } catch { return []; } })];
      for (const view of views) {
        const offsets = [...view.xref.entries.values()].flatMap((e) => (e.type === 'offset' ? [e.offset] : [])).sort((a, b) => a - b);
        for (const [num, entry] of view.xref.entries) {
          if (entry.type === 'free') continue;
          for (const name of ['ByteRange', 'Type']) {
            const expected = entry.type === 'offset' ? byOwnBytes(bytes, offsets, entry.offset, name) : inObjectStream(view, entry.stream, num, name);
            if (expected === undefined) continue;
            compressed += entry.type === 'compressed' ? 1 : 0;
            const answer = view.mayContainName(new PdfRef(num, entry.type === 'offset' ? entry.gen : 0), name);
            checked += 1;
            if (answer) held += 1;
            if (answer !== expected) wrong.push(`${path.basename(file)} object ${num} ${name}: ${answer}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(5000);
    expect(compressed).toBeGreaterThan(500);
    expect(held).toBeGreaterThan(1000);
    expect(held).toBeLessThan(checked);
  });
});

describe('PdfFile.mayContainName beside a large stream', () => {
  /** A PDF of the given objects (numbered from 1) with a classic cross-reference table. */
  function pdfOf(objects: Buffer[]): Buffer {
    const parts: Buffer[] = [Buffer.from('%PDF-1.7\n')];
    const offsets: number[] = [];
    let at = parts[0].length;
    objects.forEach((body, i) => {
      offsets.push(at);
      const object = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), body, Buffer.from('\nendobj\n')]);
      parts.push(object);
      at += object.length;
    });
    const xref = ['xref', `0 ${objects.length + 1}`, '0000000000 65535 f\r', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n\r`)].join('\n');
    parts.push(Buffer.from(`${xref}\ntrailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${at}\n%%EOF\n`));
    return Buffer.concat(parts);
  }
  // 2 MiB of data that holds the name and "#" throughout, as compressed or binary data may.
  const data = Buffer.from('x ByteRange # '.repeat(150_000), 'latin1');
  const stream = (length: number): Buffer => Buffer.concat([Buffer.from(`<< /Length ${length} >>\nstream\n`), data, Buffer.from('\nendstream')]);
  const catalog = Buffer.from('<< /Type /Catalog >>');
  const signature = Buffer.from('<< /Type /Sig /ByteRange [0 1 2 3] /Contents <00> >>');
  const answers = (pdf: Buffer): boolean[] => {
    const file = PdfFile.parse(pdf);
    return [2, 3].map((num) => file.mayContainName(new PdfRef(num, 0), 'ByteRange'));
  };

  it('when a stream object larger than 1 MiB holds the name only in its data, then it answers false, and true for a dictionary after it', () => {
    expect(answers(pdfOf([catalog, stream(data.length), signature]))).toEqual([false, true]);
  });

  it('when the stream\'s /Length is wrong or runs into the next object, then its bytes are searched whole, and the next object is still found', () => {
    expect(answers(pdfOf([catalog, stream(data.length - 7), signature]))).toEqual([true, true]);
    expect(answers(pdfOf([catalog, stream(data.length + 40), signature]))).toEqual([true, true]);
  });
});
