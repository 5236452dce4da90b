/**
 * Where a PDF's bytes come from: a buffer already in memory, or an open file read piece by piece. The
 * parser only ever asks for a window at an offset, so a file is read where its trailer, cross-reference
 * sections and the few objects a task needs lie, and a 1 GB document costs a few hundred kilobytes.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { AppError } from '../errors';

export interface ByteWindow {
  /** Bytes of the file starting at `base`. */
  bytes: Buffer;
  base: number;
  /** True when `bytes` runs to the end of the file. */
  toEnd: boolean;
}

export interface ByteSource {
  readonly length: number;
  /** Bytes [start, end) of the file, clipped to it. */
  read(start: number, end: number): Buffer;
  /** A window holding at least `want` bytes from `offset` (fewer at the end of the file). */
  window(offset: number, want: number): ByteWindow;
  /** Bytes [start, end) in pieces of at most `size`; each piece is valid only until the next is asked for. */
  chunks(start: number, end: number, size: number): Iterable<Buffer>;
}

export class BufferSource implements ByteSource {
  constructor(readonly bytes: Buffer) {}

  get length(): number {
    return this.bytes.length;
  }

  read(start: number, end: number): Buffer {
    return this.bytes.subarray(start, end);
  }

  /** The whole buffer: nothing is copied, and a parse never runs out of window. */
  window(): ByteWindow {
    return { bytes: this.bytes, base: 0, toEnd: true };
  }

  *chunks(start: number, end: number, size: number): Iterable<Buffer> {
    for (let at = start; at < end; at += size) yield this.bytes.subarray(at, Math.min(end, at + size));
  }

  close(): void {
    // nothing is held open
  }
}

/** Windows read from the file are kept (a few, most recent first) since objects cluster. */
const CACHED_WINDOWS = 8;

export class FileSource implements ByteSource {
  private readonly windows: ByteWindow[] = [];

  private constructor(
    private readonly fd: number,
    readonly length: number,
  ) {}

  static open(path: string): FileSource {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (error) {
      throw new AppError('INPUT_NOT_FOUND', `cannot read ${path}`, { cause: (error as NodeJS.ErrnoException).code });
    }
    return new FileSource(fd, fstatSync(fd).size);
  }

  read(start: number, end: number): Buffer {
    const from = Math.max(0, start);
    return this.readInto(Buffer.allocUnsafe(Math.max(0, Math.min(this.length, end) - from)), from);
  }

  /** One buffer, refilled for each piece: hashing a gigabyte allocates a megabyte. */
  *chunks(start: number, end: number, size: number): Iterable<Buffer> {
    const buffer = Buffer.allocUnsafe(Math.min(size, Math.max(0, end - start)));
    for (let at = start; at < end; at += size) yield this.readInto(buffer.subarray(0, Math.min(size, end - at)), at);
  }

  private readInto(out: Buffer, from: number): Buffer {
    let done = 0;
    while (done < out.length) {
      const n = readSync(this.fd, out, done, out.length - done, from + done);
      if (n === 0) throw new AppError('INPUT_NOT_FOUND', 'the file became shorter while it was read');
      done += n;
    }
    return out;
  }

  window(offset: number, want: number): ByteWindow {
    const end = Math.min(this.length, offset + want);
    // A kept window serves when it holds at least half of what is asked for from `offset`: objects are far
    // smaller than windows, and a parse that runs out of it asks again for four times as much.
    const hit = this.windows.find((w) => w.base <= offset && w.base + w.bytes.length >= Math.min(end, offset + Math.ceil(want / 2)));
    if (hit) return hit;
    const window = { bytes: this.read(offset, end), base: offset, toEnd: end === this.length };
    this.windows.unshift(window);
    if (this.windows.length > CACHED_WINDOWS) this.windows.pop();
    return window;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/**
 * The first `length` bytes of another source, as a file of their own: the revision a signature covers,
 * read without copying it.
 */
export class PrefixSource implements ByteSource {
  constructor(
    private readonly whole: ByteSource,
    readonly length: number,
  ) {}

  read(start: number, end: number): Buffer {
    return this.whole.read(start, Math.min(end, this.length));
  }

  window(offset: number, want: number): ByteWindow {
    const w = this.whole.window(offset, Math.min(want, this.length - offset));
    const keep = Math.max(0, Math.min(w.bytes.length, this.length - w.base));
    return { bytes: w.bytes.subarray(0, keep), base: w.base, toEnd: w.base + keep >= this.length };
  }

  chunks(start: number, end: number, size: number): Iterable<Buffer> {
    return this.whole.chunks(start, Math.min(end, this.length), size);
  }
}

/** A source's first `length` bytes (the source itself when that is all of it). */
export function prefixOf(source: ByteSource, length: number): ByteSource {
  if (length >= source.length) return source;
  if (source instanceof BufferSource) return new BufferSource(source.bytes.subarray(0, Math.max(0, length)));
  return new PrefixSource(source, Math.max(0, length));
}

/** Hashes bytes [start, end) of a source a megabyte at a time into `update`. */
export function feedRange(source: ByteSource, start: number, end: number, update: (piece: Buffer) => void): void {
  for (const piece of source.chunks(start, end, 1 << 20)) update(piece);
}

/** Files up to this size are read whole (one read is faster than windows); larger ones are read in windows. */
const READ_WHOLE_UP_TO = 32 * 1024 * 1024;

/** A file as a source: in memory when small, else an open file (close it when done). */
export function openByteSource(path: string): BufferSource | FileSource {
  const file = FileSource.open(path);
  if (file.length > READ_WHOLE_UP_TO) return file;
  try {
    return new BufferSource(file.read(0, file.length));
  } finally {
    file.close();
  }
}

export const asByteSource = (input: Buffer | ByteSource): ByteSource => (Buffer.isBuffer(input) ? new BufferSource(input) : input);

/** Windows grow fourfold from 64 KiB; an object larger than this is refused rather than read whole. */
const FIRST_WINDOW = 64 * 1024;
const LARGEST_WINDOW = 256 * 1024 * 1024;

/** Thrown by a parse that reached the end of a window which does not reach the end of the file. */
export class WindowTooSmall extends Error {}

/**
 * Runs `parse` on windows from `offset`, growing the window while the parse fails or ends within its last
 * bytes (and so may have been cut short), until it succeeds, the window reaches the end of the file, or
 * the largest window is reached. `parse` sees window-relative positions.
 */
export function parseInWindow<T>(source: ByteSource, offset: number, parse: (bytes: Buffer, pos: number, toEnd: boolean) => { value: T; end: number }): T {
  for (let want = FIRST_WINDOW; ; want *= 4) {
    const w = source.window(offset, want);
    const last = w.toEnd || want >= LARGEST_WINDOW;
    try {
      const { value, end } = parse(w.bytes, offset - w.base, w.toEnd);
      if (last || end < w.bytes.length - 16) return value;
    } catch (error) {
      if (last) throw error instanceof WindowTooSmall ? new AppError('PDF_MALFORMED', `an object at byte ${offset} is larger than ${LARGEST_WINDOW} bytes`) : error;
    }
  }
}
