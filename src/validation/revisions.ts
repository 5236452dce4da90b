/**
 * Revisions of a PDF (ISO 32000-1 §7.5.6): each incremental update ends with `%%EOF`. A signature must
 * end exactly at a revision end; bytes after the last `%%EOF` belong to no revision.
 */
export function findRevisionEnds(bytes: Buffer): number[] {
  const ends: number[] = [];
  let at = bytes.indexOf('%%EOF', 0, 'latin1');
  while (at >= 0) {
    let end = at + 5;
    if (bytes[end] === 0x0d) end++;
    if (bytes[end] === 0x0a) end++;
    ends.push(end);
    at = bytes.indexOf('%%EOF', at + 5, 'latin1');
  }
  return ends;
}

/** Whether `end` is a revision end, allowing the EOL variations writers use after `%%EOF`. */
export function isRevisionEnd(bytes: Buffer, ends: number[], end: number): boolean {
  return ends.some((e) => e === end || (e - end > 0 && e - end <= 2 && bytes.toString('latin1', end, e).trim() === '') || (end - e > 0 && end - e <= 2 && bytes.toString('latin1', e, end).trim() === ''));
}
