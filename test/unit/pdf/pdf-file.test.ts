import { PdfFile, PdfDict, findStartxref, readXref } from '../../../src/pdf';
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
