/**
 * Revisions of a PDF (ISO 32000-1 §7.5.6): each incremental update ends with `%%EOF` and its end-of-line.
 * A signature's byte range must end at a revision end; any other byte after the last one belongs to no
 * revision and was signed by no one.
 */
export interface RevisionEnd {
  /** Just after `%%EOF`. */
  eof: number;
  /** After the end-of-line bytes that follow it (CR, LF, any number). */
  end: number;
}

const isEol = (b: number | undefined): boolean => b === 0x0d || b === 0x0a;

export function findRevisionEnds(bytes: Buffer): RevisionEnd[] {
  const ends: RevisionEnd[] = [];
  let at = bytes.indexOf('%%EOF', 0, 'latin1');
  while (at >= 0) {
    let end = at + 5;
    while (isEol(bytes[end])) end++;
    ends.push({ eof: at + 5, end });
    at = bytes.indexOf('%%EOF', at + 5, 'latin1');
  }
  return ends;
}

/** Whether a signed range ending at `end` ends a revision: after some `%%EOF`, within its end-of-line bytes. */
export function isRevisionEnd(ends: RevisionEnd[], end: number): boolean {
  return ends.some((e) => e.eof <= end && end <= e.end);
}

/** Whether nothing but end-of-line bytes follow `from` to the physical end of the file. */
export function onlyEolAfter(bytes: Buffer, from: number): boolean {
  for (let i = from; i < bytes.length; i++) if (!isEol(bytes[i])) return false;
  return true;
}

/** The bytes after the last revision end that are not end-of-line bytes (signed by no one). */
export function unsignedTrailingBytes(bytes: Buffer, ends: RevisionEnd[]): number {
  const last = ends[ends.length - 1];
  if (!last || onlyEolAfter(bytes, last.end)) return 0;
  return bytes.length - last.end;
}
