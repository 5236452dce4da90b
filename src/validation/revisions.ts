/**
 * Revisions of a PDF (ISO 32000-1 §7.5.6): each incremental update ends with `%%EOF` and its end-of-line.
 * A signature's byte range must end at a revision end; any other byte after the last one belongs to no
 * revision and was signed by no one. The file is scanned a megabyte at a time, so its size does not matter.
 */
import type { ByteSource } from '../pdf';

export interface RevisionEnd {
  /** Just after `%%EOF`. */
  eof: number;
  /** After the end-of-line bytes that follow it (CR, LF, any number). */
  end: number;
}

const isEol = (b: number | undefined): boolean => b === 0x0d || b === 0x0a;
const MARK = Buffer.from('%%EOF', 'latin1');
const PIECE = 1 << 20;

export function findRevisionEnds(source: ByteSource): RevisionEnd[] {
  const eofs: number[] = [];
  // The last bytes of each piece are kept to find a mark split between it and the next.
  let carry = Buffer.alloc(0);
  let base = 0;
  for (const piece of source.chunks(0, source.length, PIECE)) {
    if (carry.length) {
      const joint = Buffer.concat([carry, piece.subarray(0, MARK.length - 1)]);
      const at = joint.indexOf(MARK);
      if (at >= 0) eofs.push(base - carry.length + at + MARK.length);
    }
    for (let at = piece.indexOf(MARK); at >= 0; at = piece.indexOf(MARK, at + MARK.length)) eofs.push(base + at + MARK.length);
    carry = Buffer.from(piece.subarray(Math.max(0, piece.length - (MARK.length - 1))));
    base += piece.length;
  }
  return eofs.map((eof) => ({ eof, end: eolEnd(source, eof) }));
}

/** Where the run of end-of-line bytes from `from` stops. */
function eolEnd(source: ByteSource, from: number): number {
  let end = from;
  for (const piece of source.chunks(from, source.length, 256)) {
    let i = 0;
    while (i < piece.length && isEol(piece[i])) i++;
    end += i;
    if (i < piece.length) break;
  }
  return end;
}

/** Whether a signed range ending at `end` ends a revision: after some `%%EOF`, within its end-of-line bytes. */
export function isRevisionEnd(ends: RevisionEnd[], end: number): boolean {
  return ends.some((e) => e.eof <= end && end <= e.end);
}

/** Whether nothing but end-of-line bytes follow `from` to the physical end of the file. */
export function onlyEolAfter(source: ByteSource, from: number): boolean {
  return eolEnd(source, from) >= source.length;
}

/** The bytes after the last revision end that are not end-of-line bytes (signed by no one). */
export function unsignedTrailingBytes(source: ByteSource, ends: RevisionEnd[]): number {
  const last = ends[ends.length - 1];
  if (!last || onlyEolAfter(source, last.end)) return 0;
  return source.length - last.end;
}
