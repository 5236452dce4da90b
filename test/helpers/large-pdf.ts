/** A PDF of several megabytes made in the test, and a source that counts what a task reads of a file. */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ByteSource, ByteWindow, name, PdfDict, PdfFile, PdfRef, PdfStream, writeIncrementalUpdate } from '../../src/pdf';
import { sample } from './fixtures';

/** The sample with an 8 MiB embedded stream (a fixed byte pattern) appended as an update, written in `dir`. */
export function largeSample(dir: string): { file: string; bytes: Buffer; streamNum: number; payload: Buffer } {
  const original = sample('cong-van.pdf');
  const base = PdfFile.parse(original);
  const payload = Buffer.alloc(8 << 20, 'Kyso ký số 0123456789');
  const ref = new PdfRef(base.size, 0);
  const update = writeIncrementalUpdate(base, [{ ref, value: new PdfStream(new PdfDict([['Type', name('EmbeddedFile')], ['Length', payload.length]]), payload) }]);
  const bytes = Buffer.concat([original, update.bytes]);
  const file = path.join(dir, 'large.pdf');
  writeFileSync(file, bytes);
  return { file, bytes, streamNum: ref.num, payload };
}

/**
 * Counts what is read through windows and single reads (a window the file source gives again from its
 * cache is counted once; hashing pieces are counted apart).
 */
export class CountingSource implements ByteSource {
  structureBytes = 0;
  private readonly seen = new WeakSet<ByteWindow>();
  chunkBytes = 0;
  constructor(private readonly inner: ByteSource) {}
  get length(): number {
    return this.inner.length;
  }
  read(start: number, end: number): Buffer {
    const out = this.inner.read(start, end);
    this.structureBytes += out.length;
    return out;
  }
  window(offset: number, want: number) {
    const w = this.inner.window(offset, want);
    if (!this.seen.has(w)) this.structureBytes += w.bytes.length;
    this.seen.add(w);
    return w;
  }
  *chunks(start: number, end: number, size: number): Iterable<Buffer> {
    for (const piece of this.inner.chunks(start, end, size)) {
      this.chunkBytes += piece.length;
      yield piece;
    }
  }
}
