/**
 * A parsed view of a PDF file: its bytes, cross-reference index and lazily loaded objects. Only the
 * objects that are asked for are parsed, so a 60 MB file with one embedded attachment costs a few reads,
 * and a file opened as a FileSource is read only where those objects lie.
 */
import { AppError } from '../errors';
import { asByteSource, BufferSource, ByteSource, parseInWindow, prefixOf } from './byte-source';
import { DecodeBudget, decodeStream } from './decode-stream';
import { indexOfByte } from './index-of-byte';
import { scanDigits, PdfLexer, readIndirectObject, WHITESPACE } from './pdf-lexer';
import { asArray, asDict, asNumber, isName, PdfDict, PdfObject, PdfRef, PdfStream } from './objects';
import { readXref, SectionMemo, XrefIndex } from './read-xref';
import { SharedReads } from './shared-reads';

const MAX_PAGES = 1_000_000;

interface ObjectStream {
  offsets: Map<number, number>;
  data: Buffer;
  first: number;
  /** The objects' offsets in order (with the data's end), for mayContainName. */
  sorted?: number[];
  /** Numbers written as references in the decoded data (mayReferToAny). */
  writtenReferences?: Map<number, number>;
  /** Per name, the offsets of the objects whose bytes hold it or a "#" (mayContainName). */
  holding?: Map<string, Set<number>>;
  /** The objects parsed from it so far. */
  parsed: Map<number, PdfObject>;
}

/**
 * What the views of one document read once and share (see SharedReads). An object whose stream length was
 * read from another object is not shared: another revision may give that object another value.
 */
interface DocumentMemo {
  /** The whole document's bytes (every view is a revision or a prefix of them). */
  whole: ByteSource;
  /** Numbers written as references in `whole`, each with the offset where it first is (mayReferToAny). */
  writtenReferences?: Map<number, number>;
  sections: SectionMemo;
  objects: SharedReads<{ num: number; value: PdfObject }>;
  objectStreams: SharedReads<ObjectStream>;
}

/** The first value in an ascending list that is greater than `value` (the list ends with an upper bound). */
function nextAfter(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] > value) hi = mid;
    else lo = mid + 1;
  }
  return sorted[lo];
}

/**
 * The starts of the pieces of `data` (from `base`; each piece runs from its start, in the ascending `starts`
 * that end with the data's end, to the next start) whose bytes hold `name` or a "#", leaving out the
 * ascending spans `skipped` (relative to `base`, each inside one piece). The data is searched once per
 * occurrence rather than once per piece: after an occurrence, the search goes on at the next piece (a
 * piece is listed once, and an occurrence that runs over a piece's end or into a skipped span belongs to
 * none).
 */
function piecesHolding(data: Buffer, base: number, starts: number[], name: string, skipped: Array<[number, number]>): Set<number> {
  const holders = new Set<number>();
  const segments: Array<[number, number]> = [];
  let from = starts[0];
  for (const [start, end] of skipped) {
    segments.push([from, start]);
    from = end;
  }
  segments.push([from, starts[starts.length - 1]]);
  // The "#" as a byte: a one-byte search is memchr, where a string needle takes the general search.
  for (const [needle, length] of [[name, name.length], [0x23, 1]] as const) {
    for (const [segmentStart, segmentEnd] of segments) {
      const segment = data.subarray(base + segmentStart, base + segmentEnd);
      for (let at = segment.indexOf(needle, 0, 'latin1'); at >= 0;) {
        const rel = segmentStart + at;
        const end = nextAfter(starts, rel);
        if (rel + length <= end) holders.add(lastAtOrBefore(starts, rel));
        if (end >= segmentEnd) break;
        at = segment.indexOf(needle, end - segmentStart, 'latin1');
      }
    }
  }
  return holders;
}

/** piecesHolding, kept per name in `cache` (a view's objects, or an object stream's). */
function piecesHoldingOnce(cache: Map<string, Set<number>>, data: Buffer, base: number, starts: number[], name: string, skipped: Array<[number, number]> = []): Set<number> {
  let holders = cache.get(name);
  if (!holders) cache.set(name, (holders = piecesHolding(data, base, starts, name, skipped)));
  return holders;
}

/** An object larger than this has its stream's data left out of mayContainName's search. */
const LARGE_OBJECT = 1 << 20;

/**
 * Where the data of the stream object at `start` lies, when the object (up to `end`, the next object) is
 * a stream with a direct /Length that `endstream` confirms and its data ends before `end`; else undefined,
 * and the object is searched whole.
 */
function streamDataSpan(bytes: Buffer, start: number, end: number): [number, number] | undefined {
  const lexer = new PdfLexer(bytes.subarray(0, end), start);
  try {
    lexer.readInteger();
    lexer.readInteger();
    lexer.expectWord('obj');
    const head = lexer.parseObjectHead();
    if (!(head instanceof PdfDict)) return undefined;
    const dataStart = lexer.streamDataStart();
    const dataEnd = dataStart < 0 ? -1 : lexer.confirmedDataEnd(dataStart, head.get('Length'));
    return dataEnd < 0 ? undefined : [dataStart, dataEnd];
  } catch {
    return undefined; // not an object that reads: searched whole, as any small one
  }
}

function scanIsDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

function isLineEnd(byte: number): boolean {
  return byte === 0x0a || byte === 0x0d;
}

/**
 * Where a gap that ends at `end` may start, put in `starts`: every `start` such that bytes[start, end) is one
 * or more whitespace bytes and whole comments (a comment runs from a "%" to the end of its line). A line may
 * hold several "%": any of them may start its comment (an earlier one can sit in a string), so each is a
 * start, and the whitespace before each is walked in turn. These walks never meet (a "%" is not whitespace),
 * so no position is visited twice.
 */
function gapStarts(bytes: Buffer, end: number, starts: number[], pending: number[]): void {
  starts.length = 0;
  pending.length = 0;
  for (let at: number | undefined = end; at !== undefined; at = pending.pop()) {
    for (;;) {
      if (at === bytes.length || isLineEnd(bytes[at])) {
        for (let c = at - 1; c >= 0 && !isLineEnd(bytes[c]); c--) {
          if (bytes[c] === 0x25) {
            starts.push(c);
            pending.push(c);
          }
        }
      }
      if (at === 0 || WHITESPACE[bytes[at - 1]] !== 1) break;
      at--;
      starts.push(at);
    }
  }
}

/** Where the digits that end at `end` start (`end` when none do). */
function scanDigitsBack(bytes: Buffer, end: number): number {
  let at = end;
  while (at > 0 && scanIsDigit(bytes[at - 1])) at--;
  return at;
}

/** The number the digits bytes[start, end) write, as the lexer reads it (Number of the text). */
function digitsValue(bytes: Buffer, start: number, end: number): number {
  // Up to 15 digits, read from the bytes; longer runs (no object has such a number) are read as text.
  const value = scanDigits(bytes, start, end);
  return value >= 0 ? value : Number(bytes.toString('latin1', start, end));
}

/**
 * Every number written as a reference ("num gen R", with leading zeros, whitespace and comments between as
 * the lexer reads them) in `bytes`, with the offset where it is first. Text that only looks like a
 * reference (inside a string, a comment or a stream) is counted too: the answer may be too large, never too
 * small. Each "R" is read backwards through every way the bytes before it can split into number, gap,
 * generation and gap, so no look-alike in a comment or a string can hide the reference the lexer reads.
 * Each byte is stepped over by the gaps of at most a few "R"s (a gap holds no "R" outside a comment, and a
 * comment's "R" cannot reach back past its "%"), so the search is linear in the bytes.
 */
function referencesWritten(bytes: Buffer): Map<number, number> {
  const firstAt = new Map<number, number>();
  const [genEnds, numEnds, pending]: number[][] = [[], [], []];
  for (let r = indexOfByte(bytes, 0x52); r >= 0; r = indexOfByte(bytes, 0x52, r + 1)) {
    // A gap ends in whitespace or in a comment that a line end closes: before "R", only whitespace can.
    const before = bytes[r - 1];
    if (r === 0 || WHITESPACE[before] !== 1) continue;
    // Most "R" in a document's bytes sit in binary data: unless the gap can go on (more whitespace, or a
    // line end a comment may close) or a generation ends right there, none is a reference.
    const next = bytes[r - 2];
    if (!isLineEnd(before) && WHITESPACE[next] !== 1 && !scanIsDigit(next)) continue;
    // Most references are written "num gen R" with one space or tab in each gap: when the bytes around both
    // gaps say that no other split exists (a gap of one byte that is no line end, digits before it), that
    // one is read without the general walk below, which finds the same.
    if (!isLineEnd(before) && scanIsDigit(next)) {
      const genStart = scanDigitsBack(bytes, r - 1);
      const gap = bytes[genStart - 1];
      if (genStart >= 2 && !isLineEnd(gap) && WHITESPACE[gap] === 1 && scanIsDigit(bytes[genStart - 2])) {
        record(firstAt, bytes, genStart - 1);
        continue;
      }
    }
    gapStarts(bytes, r, genEnds, pending);
    for (let g = 0; g < genEnds.length; g++) {
      const genEnd = genEnds[g];
      const genStart = scanDigitsBack(bytes, genEnd);
      if (genStart === genEnd) continue;
      gapStarts(bytes, genStart, numEnds, pending);
      for (let n = 0; n < numEnds.length; n++) record(firstAt, bytes, numEnds[n]);
    }
  }
  return firstAt;
}

/** Records the number whose digits end at `numEnd` (if any do) as written where they start, unless it is written earlier. */
function record(firstAt: Map<number, number>, bytes: Buffer, numEnd: number): void {
  const numStart = scanDigitsBack(bytes, numEnd);
  if (numStart === numEnd) return;
  const num = digitsValue(bytes, numStart, numEnd);
  if (!(numStart >= (firstAt.get(num) ?? Infinity))) firstAt.set(num, numStart);
}

/** The last value in an ascending list that is at most `value` (the list starts at or below it). */
function lastAtOrBefore(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sorted[mid] <= value) lo = mid;
    else hi = mid - 1;
  }
  return sorted[lo];
}

export class PdfFile {
  readonly xref: XrefIndex;
  private readonly cache = new Map<number, PdfObject>();
  private readonly objectStreams = new Map<number, ObjectStream>();
  /** Where the objects in the file start, in order (with the file's end), for mayContainName. */
  private sortedOffsets?: number[];
  /** The data of the streams of objects larger than LARGE_OBJECT, left out of mayContainName's search. */
  private largeStreamData?: Array<[number, number]>;
  /** Per name, the offsets of the objects whose bytes hold it or a "#" (mayContainName). */
  private readonly holding = new Map<string, Set<number>>();

  private constructor(
    readonly source: ByteSource,
    xref: XrefIndex,
    /** Shared by every view of the same document (its revisions), so a bomb cannot spend it once per view. */
    readonly budget: DecodeBudget,
    private readonly memo: DocumentMemo,
  ) {
    this.xref = xref;
  }

  static parse(input: Buffer | ByteSource, startxref?: number, budget?: DecodeBudget): PdfFile {
    const source = asByteSource(input);
    return PdfFile.open(source, startxref, budget ?? DecodeBudget.forSize(source.length), { whole: source, sections: new SharedReads(), objects: new SharedReads(), objectStreams: new SharedReads() });
  }

  private static open(source: ByteSource, startxref: number | undefined, budget: DecodeBudget, memo: DocumentMemo): PdfFile {
    const header = source.read(0, 1029).indexOf('%PDF-', 0, 'latin1');
    if (source.length < 16 || header < 0 || header > 1024) {
      throw new AppError('PDF_MALFORMED', 'not a PDF file (no %PDF- header)');
    }
    return new PdfFile(source, readXref(source, startxref, budget, memo.sections), budget, memo);
  }

  /** The revision whose cross-reference section starts at `startxref`, as a view sharing this one's reads and budget. */
  revisionAt(startxref: number): PdfFile {
    return PdfFile.open(this.source, startxref, this.budget, this.memo);
  }

  /** The file as it was up to byte `end` (the revision a signature covers), as a view sharing this one's reads and budget. */
  prefix(end: number): PdfFile {
    return PdfFile.open(prefixOf(this.source, end), undefined, this.budget, this.memo);
  }

  /** The file's length in bytes. */
  get length(): number {
    return this.source.length;
  }

  /** Bytes [start, end) of the file (a view, when the file is in memory). */
  read(start: number, end: number): Buffer {
    return this.source.read(start, end);
  }

  /**
   * What `parse` reads from `offset`, from a window of the file large enough for it. The lexer's positions
   * are relative to the window: `lexer.pos - at` is the distance from `offset`.
   */
  parseAt<T>(offset: number, parse: (lexer: PdfLexer, at: number) => T): T {
    return parseInWindow(this.source, offset, (bytes, pos, toEnd) => {
      const lexer = new PdfLexer(bytes, pos, undefined, !toEnd);
      const value = parse(lexer, pos);
      return { value, end: lexer.pos };
    });
  }

  /** A stream's decoded data, charged to this document's budget. */
  decode(stream: PdfStream): Buffer {
    return decodeStream(stream, this.budget);
  }

  get trailer(): PdfDict {
    return this.xref.trailer;
  }

  /** Next free object number for an update (§7.5.5: /Size is one greater than the highest number). */
  get size(): number {
    if (this.sizeSeen === undefined) {
      let size = asNumber(this.trailer.get('Size')) ?? 0;
      for (const num of this.xref.entries.keys()) if (num >= size) size = num + 1;
      this.sizeSeen = size;
    }
    return this.sizeSeen;
  }

  private sizeSeen?: number;

  isEncrypted(): boolean {
    return this.trailer.has('Encrypt');
  }

  getObject(ref: PdfRef): PdfObject {
    const cached = this.cache.get(ref.num);
    if (cached !== undefined) return cached;
    const entry = this.xref.entries.get(ref.num);
    let value: PdfObject = null;
    if (entry?.type === 'offset') {
      const shared = this.sharedObject(entry.offset, ref.num);
      if (shared !== undefined) value = shared;
      else {
        let lengthElsewhere = false;
        const parsed = readIndirectObject(this.source, entry.offset, (r) => {
          lengthElsewhere = true;
          return this.resolveLength(r, ref);
        });
        if (parsed.ref.num !== ref.num) {
          throw new AppError('PDF_MALFORMED', `object ${ref.num} is not at its xref offset ${entry.offset}`);
        }
        value = parsed.value;
        if (!lengthElsewhere) this.memo.objects.set(entry.offset, { num: ref.num, value }, parsed.end, this.source.length);
      }
    } else if (entry?.type === 'compressed') {
      value = this.readCompressed(entry.stream, ref.num);
    }
    this.cache.set(ref.num, value);
    return value;
  }

  /**
   * An object as `getObject` gives it, except that a stream comes back as its dictionary alone: its data
   * is not read. Scanning every object of a 1 GB file this way reads kilobytes.
   */
  peekObject(ref: PdfRef): PdfObject {
    const cached = this.cache.get(ref.num);
    if (cached !== undefined) return cached instanceof PdfStream ? cached.dict : cached;
    const entry = this.xref.entries.get(ref.num);
    if (entry?.type !== 'offset') return this.getObject(ref);
    const shared = this.sharedObject(entry.offset, ref.num);
    if (shared !== undefined) return shared instanceof PdfStream ? shared.dict : shared;
    const peeked = this.parseAt(entry.offset, (lexer, at) => {
      if (lexer.readInteger() !== ref.num) throw new AppError('PDF_MALFORMED', `object ${ref.num} is not at its xref offset ${entry.offset}`);
      lexer.readInteger();
      lexer.expectWord('obj');
      const head = lexer.parseObjectHead();
      // Anything but a stream was read whole, and is kept as getObject would keep it.
      const afterHead = lexer.pos;
      if (head instanceof PdfDict && lexer.nextWordIs('stream')) return { head, whole: false, end: 0 };
      lexer.pos = afterHead;
      if (!lexer.nextWordIs('endobj')) lexer.pos = afterHead;
      return { head, whole: true, end: entry.offset + lexer.pos - at };
    });
    if (peeked.whole) {
      this.cache.set(ref.num, peeked.head);
      this.memo.objects.set(entry.offset, { num: ref.num, value: peeked.head }, peeked.end, this.source.length);
    }
    return peeked.head;
  }

  /** Object `num` as another view of this document read it at `offset`, if this view may reuse it. */
  private sharedObject(offset: number, num: number): PdfObject | undefined {
    const shared = this.memo.objects.get(offset, this.source.length);
    return shared?.num === num ? shared.value : undefined;
  }

  /** Byte offset of an uncompressed object, or undefined. */
  offsetOf(num: number): number | undefined {
    const entry = this.xref.entries.get(num);
    return entry?.type === 'offset' ? entry.offset : undefined;
  }

  resolve(value: PdfObject | undefined, depth = 0): PdfObject | undefined {
    let v = value;
    for (let i = depth; v instanceof PdfRef && i < 32; i++) v = this.getObject(v);
    return v instanceof PdfRef ? null : v;
  }

  resolveDict(value: PdfObject | undefined): PdfDict | undefined {
    return asDict(this.resolve(value));
  }

  catalog(): PdfDict {
    const root = this.resolveDict(this.trailer.get('Root'));
    if (!root) throw new AppError('PDF_MALFORMED', 'the trailer has no document catalog (/Root)');
    return root;
  }

  /** Page references in document order (§7.7.3), with cycle and size protection. */
  pageRefs(): PdfRef[] {
    return this.pageTree().pages;
  }

  /** The page tree (§7.7.3): its intermediate nodes and its pages, in order. */
  pageTree(): { nodes: PdfRef[]; pages: PdfRef[] } {
    const nodes: PdfRef[] = [];
    const pages: PdfRef[] = [];
    const seen = new Set<number>();
    const walk = (ref: PdfObject | undefined, depth: number): void => {
      if (!(ref instanceof PdfRef) || seen.has(ref.num) || depth > 64 || pages.length > MAX_PAGES) return;
      seen.add(ref.num);
      const node = this.resolveDict(ref);
      if (!node) return;
      const kids = asArray(this.resolve(node.get('Kids')));
      if (isName(node.get('Type'), 'Pages') || (kids && !isName(node.get('Type'), 'Page'))) {
        nodes.push(ref);
        for (const kid of kids ?? []) walk(kid, depth + 1);
      } else pages.push(ref);
    };
    walk(this.catalog().get('Pages'), 0);
    return { nodes, pages };
  }

  /**
   * The visible box of page `index` (from 0): its CropBox, else its MediaBox, inherited from the page tree
   * (§7.7.3.4); A4 when the file gives neither.
   */
  pageBox(index: number): [number, number, number, number] {
    const ref = this.pageRefs()[index];
    if (!ref) throw new AppError('PDF_MALFORMED', `the document has no page ${index + 1}`);
    const boxOf = (key: string): [number, number, number, number] | undefined => {
      let node = this.resolveDict(ref);
      for (let depth = 0; node && depth < 64; depth++) {
        const box = asArray(this.resolve(node.get(key)))?.map((v) => this.resolve(v));
        if (box?.length === 4 && box.every((v): v is number => typeof v === 'number')) {
          const [a, b, c, d] = box;
          return [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)];
        }
        node = this.resolveDict(node.get('Parent'));
      }
      return undefined;
    };
    return boxOf('CropBox') ?? boxOf('MediaBox') ?? [0, 0, 595.28, 841.89];
  }

  private resolveLength(ref: PdfRef, owner: PdfRef): number | undefined {
    if (ref.num === owner.num) return undefined;
    const entry = this.xref.entries.get(ref.num);
    if (entry?.type !== 'offset') return undefined;
    try {
      const v = this.parseAt(entry.offset, (lexer) => {
        lexer.readInteger();
        lexer.readInteger();
        lexer.expectWord('obj');
        return lexer.parseObject();
      });
      return typeof v === 'number' ? v : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Whether the bytes of an object could hold the name `name` (§7.3.5): false when, in a file held in
   * memory or in an object stream, the object's bytes (up to the next object) contain neither the name
   * nor a "#", with which an escape could spell it. A scan for one kind of dictionary skips the objects
   * that answer false without parsing them. A file read in windows answers true (its bytes are not read).
   * The data of a stream in an object larger than 1 MiB is not searched (a name there is no key of any
   * dictionary): a 60 MB attachment took about 35 ms to search, a quarter of its whole verification.
   */
  mayContainName(ref: PdfRef, name: string): boolean {
    const entry = this.xref.entries.get(ref.num);
    if (entry?.type === 'offset' && this.source instanceof BufferSource) {
      const starts = (this.sortedOffsets ??= [...[...this.xref.entries.values()].flatMap((e) => (e.type === 'offset' ? [e.offset] : [])), this.source.length].sort((a, b) => a - b));
      const bytes = this.source.bytes;
      this.largeStreamData ??= starts.slice(1).flatMap((next, i) => {
        const span = next - starts[i] > LARGE_OBJECT ? streamDataSpan(bytes, starts[i], next) : undefined;
        return span ? [span] : [];
      });
      return piecesHoldingOnce(this.holding, bytes, 0, starts, name, this.largeStreamData).has(entry.offset);
    }
    if (entry?.type === 'compressed') {
      let objStm: ObjectStream;
      try {
        objStm = this.objectStream(entry.stream);
      } catch {
        // An object stream that cannot be read cannot rule anything out: reading the object says why.
        return true;
      }
      const off = objStm.offsets.get(ref.num);
      if (off === undefined) return true;
      objStm.sorted ??= [...objStm.offsets.values(), objStm.data.length - objStm.first].sort((a, b) => a - b);
      objStm.holding ??= new Map();
      return piecesHoldingOnce(objStm.holding, objStm.data, objStm.first, objStm.sorted, name).has(off);
    }
    return true;
  }

  /**
   * Whether an object of this view may refer to one of `nums`: false only when none of them is written as a
   * reference ("num gen R", leading zeros, whitespace and comments between as the lexer reads them) in the
   * view's bytes or in its object streams. A quick answer before reading every object; a file read from
   * disk, or an object stream that cannot be read, cannot rule anything out.
   */
  mayReferToAny(nums: number[]): boolean {
    if (nums.length === 0) return false;
    const whole = this.memo.whole;
    if (!(whole instanceof BufferSource)) return true;
    // The document's bytes are searched once, for every view: a view sees what starts before its end.
    this.memo.writtenReferences ??= referencesWritten(whole.bytes);
    const firstAt = this.memo.writtenReferences;
    if (nums.some((num) => (firstAt.get(num) ?? Infinity) < this.source.length)) return true;
    const streams = new Set<number>();
    for (const entry of this.xref.entries.values()) if (entry.type === 'compressed') streams.add(entry.stream);
    for (const num of streams) {
      let objStm: ObjectStream;
      try {
        objStm = this.objectStream(num);
      } catch {
        return true;
      }
      objStm.writtenReferences ??= referencesWritten(objStm.data);
      const inStream = objStm.writtenReferences;
      if (nums.some((n) => inStream.has(n))) return true;
    }
    return false;
  }

  /** An object inside an object stream (§7.5.7), found by number in the stream's header. */
  private readCompressed(streamNum: number, num: number): PdfObject {
    const objStm = this.objectStream(streamNum);
    let value = objStm.parsed.get(num);
    if (value === undefined) {
      const off = objStm.offsets.get(num);
      if (off === undefined) throw new AppError('PDF_MALFORMED', `object ${num} missing from object stream ${streamNum}`);
      value = new PdfLexer(objStm.data, objStm.first + off).parseObject();
      objStm.parsed.set(num, value);
    }
    return value;
  }

  /** An object stream, decoded once: its data and where each object in it starts. */
  private objectStream(streamNum: number): ObjectStream {
    let objStm = this.objectStreams.get(streamNum);
    if (!objStm) {
      const entry = this.xref.entries.get(streamNum);
      if (entry?.type !== 'offset') throw new AppError('PDF_MALFORMED', `object stream ${streamNum} not found`);
      const shared = this.memo.objectStreams.get(entry.offset, this.source.length);
      if (shared) {
        this.objectStreams.set(streamNum, shared);
        return shared;
      }
      let lengthElsewhere = false;
      const object = readIndirectObject(this.source, entry.offset, (r) => {
        lengthElsewhere = true;
        return this.resolveLength(r, new PdfRef(streamNum, 0));
      });
      const stream = object.value;
      if (!(stream instanceof PdfStream) || !isName(stream.dict.get('Type'), 'ObjStm')) {
        throw new AppError('PDF_MALFORMED', `object ${streamNum} is not an object stream`);
      }
      const data = this.decode(stream);
      const n = asNumber(stream.dict.get('N')) ?? 0;
      const first = asNumber(stream.dict.get('First')) ?? 0;
      const header = new PdfLexer(data, 0);
      const offsets = new Map<number, number>();
      for (let i = 0; i < n && header.pos < first; i++) {
        const objNum = header.readInteger();
        const off = header.readInteger();
        if (!offsets.has(objNum)) offsets.set(objNum, off);
      }
      objStm = { offsets, data, first, parsed: new Map() };
      this.objectStreams.set(streamNum, objStm);
      if (!lengthElsewhere) this.memo.objectStreams.set(entry.offset, objStm, object.end, this.source.length);
    }
    return objStm;
  }
}
