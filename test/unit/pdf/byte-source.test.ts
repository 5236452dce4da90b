/**
 * A PDF read from a file through windows: preparing a signature reads only the structure (trailer, xref and
 * the objects the update needs), an object larger than the first window is still read whole, and the
 * prepared byte ranges hash the same as the file in memory.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { addSignatureField, BufferSource, FileSource, PdfFile, PdfRef, PdfStream, signedRanges } from '../../../src/pdf';
import { CountingSource, largeSample } from '../../helpers/large-pdf';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a PDF read from a file through windows', () => {
  const large = largeSample(dir);

  it('when a signature field is prepared on an 8 MiB file, then under 1 MiB of it is read to do so', () => {
    const source = FileSource.open(large.file);
    try {
      const counting = new CountingSource(source);
      const prepared = addSignatureField(PdfFile.parse(counting), { kind: 'signature', subFilter: 'ETSI.CAdES.detached', contentsSize: 100, signingTime: new Date() });
      expect(prepared.original.length).toBe(large.bytes.length);
      expect(counting.structureBytes).toBeLessThan(1 << 20);
    } finally {
      source.close();
    }
  });

  it('when the byte ranges are hashed from the file, then they hash as the same document in memory', () => {
    const source = FileSource.open(large.file);
    try {
      const prepared = addSignatureField(PdfFile.parse(source), { kind: 'signature', subFilter: 'ETSI.CAdES.detached', contentsSize: 100, signingTime: new Date() });
      const streamed = createHash('sha256');
      for (const piece of signedRanges(prepared, 1 << 16)) streamed.update(piece);
      const whole = Buffer.concat([large.bytes, prepared.increment]);
      const [a, b, c, d] = prepared.byteRange;
      const expected = createHash('sha256').update(whole.subarray(a, a + b)).update(whole.subarray(c, c + d)).digest('hex');
      expect(streamed.digest('hex')).toBe(expected);
    } finally {
      source.close();
    }
  });

  it('when an object is larger than the first window, then it is read whole and equals the in-memory parse', () => {
    const source = FileSource.open(large.file);
    try {
      const fromFile = PdfFile.parse(source).getObject(new PdfRef(large.streamNum, 0)) as PdfStream;
      const fromMemory = PdfFile.parse(new BufferSource(large.bytes)).getObject(new PdfRef(large.streamNum, 0)) as PdfStream;
      expect(fromFile.raw.length).toBe(large.payload.length);
      expect(fromFile.raw.equals(large.payload)).toBe(true);
      expect(fromMemory.raw.equals(large.payload)).toBe(true);
    } finally {
      source.close();
    }
  });
});
