/**
 * What the views of one file (its revisions, its signed prefixes) read once and share, by byte offset: the
 * same bytes hold the same thing whichever view reads them. What a view of length L read from bytes
 * [offset, end) is reused by a view of length M only when end ≤ M ≤ L: the bytes lie inside the other view,
 * and that view holds nothing the reading one did not see. A reader looks past an object's end (for
 * "num gen R", for `endobj`), and a shorter view sees less there, so what a shorter view read is never
 * handed to a longer one.
 */
export class SharedReads<T> {
  private readonly byOffset = new Map<number, { value: T; end: number; viewLength: number }>();

  get(offset: number, viewLength: number): T | undefined {
    const entry = this.byOffset.get(offset);
    return entry && entry.end <= viewLength && viewLength <= entry.viewLength ? entry.value : undefined;
  }

  set(offset: number, value: T, end: number, viewLength: number): void {
    this.byOffset.set(offset, { value, end, viewLength });
  }
}
