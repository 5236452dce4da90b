/**
 * Validation of a document read from its file: the structure is read through windows (kilobytes of a
 * large file), the byte ranges are hashed in pieces, and the report is the one the document in memory
 * gets. Revision ends are found wherever the pieces are cut.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BufferSource, FileSource } from '../../src/pdf';
import { joinParts, signPdf } from '../../src/signing';
import { createValidationContext, DocumentReport, TrustStore, validateInput, validatePdf } from '../../src/validation';
import { findRevisionEnds } from '../../src/validation/revisions';
import { pkiFile } from '../helpers/fixtures';
import { sealSigner } from '../helpers/hand-made-pdf';
import { CountingSource, largeSample } from '../helpers/large-pdf';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-validate-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const trust = new TrustStore();
trust.add(pkiFile('root-ca.der'));
const context = createValidationContext({ trust, offline: true });
/** The report without the moments it was made. */
const facts = (r: DocumentReport) => ({ ...r, validatedAt: '', signatures: r.signatures.map((s) => ({ ...s, validationTime: null })) });

describe('validating a document read from its file', () => {
  it('when an 8 MiB signed file is validated from disk, then its report equals the in-memory one and under 1 MiB of structure is read', async () => {
    const signed = joinParts(await signPdf(largeSample(dir).bytes, sealSigner()));
    const file = path.join(dir, 'large-signed.pdf');
    writeFileSync(file, signed);
    const inMemory = await validatePdf(signed, context, 'large-signed.pdf', { hashFile: true });
    const source = FileSource.open(file);
    try {
      const counting = new CountingSource(source);
      const fromFile = await validatePdf(counting, context, 'large-signed.pdf', { hashFile: true });
      expect(facts(fromFile)).toEqual(facts(inMemory));
      expect(fromFile.signatures.map((s) => [s.indication, s.coverage, s.intact])).toEqual([['INDETERMINATE', 'ENTIRE_FILE', true]]);
      expect(counting.structureBytes).toBeLessThan(1 << 20);
      // The whole file is hashed for the report and scanned for revision ends, and the signed ranges hashed
      // once; besides, only the end-of-line bytes after each %%EOF are looked at (a few hundred bytes each).
      const expected = 3 * signed.length - signatureGap(signed);
      expect(counting.chunkBytes).toBeGreaterThanOrEqual(expected);
      expect(counting.chunkBytes).toBeLessThan(expected + 4096);
    } finally {
      source.close();
    }
  });

  it('when a file cannot be opened, then the report names it as unreadable with the reason', async () => {
    const report = await validateInput({ path: path.join(dir, 'missing.pdf') }, context, { fileName: 'missing.pdf' });
    expect(report.error).toEqual({ code: 'INPUT_UNREADABLE', vi: 'Không đọc được tệp missing.pdf', en: 'cannot read missing.pdf (ENOENT)' });
    expect(report.signatures).toEqual([]);
  });
});

describe('finding revision ends a megabyte at a time', () => {
  const piece = 1 << 20;
  // '%%EOF' placed so that it starts 0–5 bytes before a piece boundary (split in every possible way).
  it.each([0, 1, 2, 3, 4, 5])('when a %%EOF starts %i bytes before a piece boundary, then every revision end is found where it is', (before) => {
    const bytes = Buffer.alloc(2 * piece + 64, 0x20);
    bytes.write('%%EOF\r\n', 100, 'latin1');
    bytes.write('%%EOF\n\n', piece - before, 'latin1');
    bytes.write('%%EOF\n', bytes.length - 6, 'latin1');
    const expected = [
      { eof: 105, end: 107 },
      { eof: piece - before + 5, end: piece - before + 7 },
      { eof: bytes.length - 1, end: bytes.length },
    ];
    expect(findRevisionEnds(new BufferSource(bytes))).toEqual(expected);
    const file = path.join(dir, `split-${before}.pdf`);
    writeFileSync(file, bytes);
    const source = FileSource.open(file);
    try {
      expect(findRevisionEnds(source)).toEqual(expected);
    } finally {
      source.close();
    }
  });
});

/** The bytes of the one signature's /Contents (the gap its byte range leaves). */
function signatureGap(pdf: Buffer): number {
  const m = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)/.exec(pdf.toString('latin1', pdf.length - 200_000));
  if (!m) throw new Error('no byte range');
  return Number(m[3]) - Number(m[2]);
}
