import { PdfFile, PdfDict, PdfRef, PdfStream, findStartxref, readXref, writeIncrementalUpdate } from '../../../src/pdf';
import { AppError } from '../../../src/errors';
import { sample } from '../../helpers/fixtures';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? error.code : 'NOT_APP_ERROR';
  }
  return undefined;
}

/** A classic one-revision PDF of the given objects (numbered from 1), with its xref table. */
function classicPdf(objects: string[]): Buffer {
  let body = '%PDF-1.7\n';
  const offsets: number[] = [];
  objects.forEach((text, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${text}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

describe('PdfFile', () => {
  it('when a file has a classic xref table, then its catalog and pages are read', () => {
    const file = PdfFile.parse(sample('bao-cao-nhieu-trang.pdf'));
    expect(file.xref.sections[0].kind).toBe('table');
    expect(file.pageRefs()).toHaveLength(5);
  });

  it('when a file uses xref and object streams, then objects inside object streams are resolved', () => {
    const file = PdfFile.parse(sample('cong-van-xref-stream.pdf'));
    expect(file.xref.sections[0].kind).toBe('stream');
    const compressed = [...file.xref.entries.values()].filter((e) => e.type === 'compressed');
    expect(compressed.length).toBeGreaterThan(0);
    expect(file.catalog()).toBeInstanceOf(PdfDict);
    expect(file.pageRefs()).toHaveLength(1);
  });

  it('when a later revision changes the object holding a stream\'s /Length, each revision reads the stream with its own length', () => {
    // The data holds the word endstream: with /Length 2 the stream is "ab", with /Length 15 all of it.
    const first = classicPdf(['<< /Type /Catalog >>', '<< /Length 3 0 R >>\nstream\nab\nendstream\ncd\nendstream', '2']);
    const file = PdfFile.parse(Buffer.concat([first, writeIncrementalUpdate(PdfFile.parse(first), [{ ref: new PdfRef(3, 0), value: 15 }]).bytes]));
    const data = (view: PdfFile): string => (view.getObject(new PdfRef(2, 0)) as PdfStream).raw.toString('latin1');
    // Read through the newest revision first, then through the first (the views share what they read).
    expect(data(file)).toBe('ab\nendstream\ncd');
    expect(data(file.revisionAt(file.xref.sections[1].offset))).toBe('ab');
    // And the other way round, from a fresh file.
    const again = PdfFile.parse(file.source);
    expect(data(again.revisionAt(again.xref.sections[1].offset))).toBe('ab');
    expect(data(again)).toBe('ab\nendstream\ncd');
  });

  it('when a shorter view of the file read an object, a longer view reads it again from its own bytes', () => {
    // Object 4 lies after the first %%EOF. Cut after "5 0 R" it reads as a reference; whole, "Rx" is not
    // an R, so it is the number 5.
    const first = classicPdf(['<< /Type /Catalog >>', '<< >>', '<< >>']);
    const text = first.toString('latin1').replace('/Size 4', '/Size 5').replace('xref\n0 4\n', 'xref\n0 5\n');
    const xrefEnd = text.indexOf('trailer');
    // The entry added for object 4 is 20 bytes long; the object starts where the first revision ends.
    const base = `${text.slice(0, xrefEnd)}${String(text.length + 20).padStart(10, '0')} 00000 n \n${text.slice(xrefEnd)}`;
    const cut = `${base}4 0 obj\n5 0 R`;
    const file = PdfFile.parse(Buffer.from(`${cut}x\nendobj\n`, 'latin1'));
    expect(file.prefix(cut.length).getObject(new PdfRef(4, 0))).toEqual(new PdfRef(5, 0));
    expect(file.getObject(new PdfRef(4, 0))).toBe(5);
  });

  it('when the input is not a PDF, then PDF_MALFORMED is raised', () => {
    expect(codeOf(() => PdfFile.parse(Buffer.from('hello world, this is not a pdf file at all')))).toBe('PDF_MALFORMED');
  });

  it('when startxref points nowhere, then PDF_MALFORMED is raised', () => {
    const bytes = Buffer.concat([sample('cong-van.pdf').subarray(0, -30), Buffer.from('startxref\n99999999\n%%EOF\n')]);
    expect(codeOf(() => PdfFile.parse(bytes))).toBe('PDF_MALFORMED');
  });

  it('when /Prev points back at the same section, then the loop is detected instead of hanging', () => {
    const original = sample('cong-van.pdf');
    const start = findStartxref(original);
    const loop = Buffer.concat([
      original,
      Buffer.from(`xref\n0 1\n0000000000 65535 f\r\ntrailer\n<< /Size 16 /Root 2 0 R /Prev ${original.length} >>\nstartxref\n${original.length}\n%%EOF\n`),
    ]);
    expect(start).toBeGreaterThan(0);
    expect(codeOf(() => readXref(loop))).toBe('PDF_MALFORMED');
  });

  it('when a file is truncated in the middle, then a structured error is raised, not a crash', () => {
    const bytes = sample('cong-van.pdf');
    expect(codeOf(() => PdfFile.parse(bytes.subarray(0, Math.floor(bytes.length / 2))))).toBe('PDF_MALFORMED');
  });
});
