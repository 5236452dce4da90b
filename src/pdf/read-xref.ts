/**
 * Reads the cross-reference chain of a PDF (ISO 32000-1 §7.5.4–§7.5.8): classic tables, xref streams and
 * hybrid files (/XRefStm), following /Prev with loop protection. Each section is one revision's xref.
 */
import { AppError } from '../errors';
import { asByteSource, ByteSource, parseInWindow } from './byte-source';
import { DecodeBudget, decodeStream } from './decode-stream';
import { PdfLexer, readIndirectObject, WHITESPACE } from './pdf-lexer';
import { asArray, asNumber, isName, PdfDict, PdfStream } from './objects';
import { SharedReads } from './shared-reads';

export type XrefEntry =
  | { type: 'free' }
  | { type: 'offset'; offset: number; gen: number }
  | { type: 'compressed'; stream: number; index: number };

export interface XrefSection {
  /** The startxref value that leads here. */
  offset: number;
  /** The byte after the last one read for it (a shorter view of the file cannot reuse it). */
  end: number;
  kind: 'table' | 'stream';
  trailer: PdfDict;
  entries: Map<number, XrefEntry>;
}

export interface XrefIndex {
  /** Newest first. */
  sections: XrefSection[];
  entries: Map<number, XrefEntry>;
  trailer: PdfDict;
  startxref: number;
}

const MAX_SECTIONS = 10_000;
const MAX_OBJECT_NUMBER = 8_388_607; // Annex C implementation limit

export function findStartxref(input: Buffer | ByteSource): number {
  const source = asByteSource(input);
  const tailStart = Math.max(0, source.length - 4096);
  const tail = source.read(tailStart, source.length);
  const at = tail.lastIndexOf('startxref', tail.length, 'latin1');
  if (at < 0) throw new AppError('PDF_MALFORMED', 'no startxref near the end of the file');
  const lexer = new PdfLexer(tail, at + 'startxref'.length);
  const value = Number(lexer.readWord());
  if (!Number.isInteger(value) || value < 0 || value >= source.length) {
    throw new AppError('PDF_MALFORMED', 'startxref does not point into the file');
  }
  return value;
}

/**
 * Sections already read from one file: the views of a document (its revisions, its signed prefixes) share
 * them, so a file with n revisions reads each section once instead of n times.
 */
export type SectionMemo = SharedReads<XrefSection>;

export function readXref(input: Buffer | ByteSource, startxref?: number, budget?: DecodeBudget, memo?: SectionMemo): XrefIndex {
  const source = asByteSource(input);
  const start = startxref ?? findStartxref(source);
  const spent = budget ?? DecodeBudget.forSize(source.length);
  const sections: XrefSection[] = [];
  const visited = new Set<number>();
  let next: number | undefined = start;
  while (next !== undefined) {
    if (visited.has(next) || sections.length >= MAX_SECTIONS) {
      throw new AppError('PDF_MALFORMED', 'the cross-reference chain loops');
    }
    visited.add(next);
    let section = memo?.get(next, source.length);
    if (!section) {
      section = readSection(source, next, spent);
      memo?.set(next, section, section.end, source.length);
    }
    sections.push(section);
    const prev = asNumber(section.trailer.get('Prev'));
    next = prev !== undefined && prev >= 0 && prev < source.length ? prev : undefined;
    if (prev !== undefined && next === undefined) throw new AppError('PDF_MALFORMED', '/Prev points outside the file');
  }
  // The newest section whole (a builtin copy, in its order), then what each older one adds.
  const entries = new Map<number, XrefEntry>(sections[0].entries);
  for (const section of sections.slice(1)) {
    for (const [num, entry] of section.entries) if (!entries.has(num)) entries.set(num, entry);
  }
  return { sections, entries, trailer: sections[0].trailer, startxref: start };
}

function readSection(source: ByteSource, offset: number, budget: DecodeBudget): XrefSection {
  if (new PdfLexer(source.read(offset, offset + 1024)).peekWord() !== 'xref') return readXrefStream(source, offset, budget);
  const { entries, trailer, end: tableEnd } = parseInWindow(source, offset, (bytes, pos) => {
    const table = readTable(bytes, pos);
    return { value: { ...table.value, end: offset + table.end - pos }, end: table.end };
  });
  let end = tableEnd;
  // Hybrid file (§7.5.8.4): the xref stream completes this section; its entries win over free ones.
  const xrefStm = asNumber(trailer.get('XRefStm'));
  if (xrefStm !== undefined && xrefStm > 0 && xrefStm < source.length) {
    try {
      const hybrid = readXrefStream(source, xrefStm, budget);
      end = Math.max(end, hybrid.end);
      for (const [num, entry] of hybrid.entries) {
        const current = entries.get(num);
        if (current === undefined || current.type === 'free') entries.set(num, entry);
      }
    } catch (error) {
      // A broken hidden stream leaves the table usable, as for readers that ignore /XRefStm; a bomb does not.
      if (budget.exceeded) throw error;
    }
  }
  return { offset, end, kind: 'table', trailer, entries };
}

function readTable(bytes: Buffer, pos: number): { value: { entries: Map<number, XrefEntry>; trailer: PdfDict }; end: number } {
  const lexer: PdfLexer = new PdfLexer(bytes, pos);
  lexer.expectWord('xref');
  const entries = new Map<number, XrefEntry>();
  for (;;) {
    const word = lexer.peekWord();
    if (word === 'trailer') break;
    const first = lexer.readInteger();
    const count = lexer.readInteger();
    if (first < 0 || count < 0 || first + count > MAX_OBJECT_NUMBER + 1) lexer.fail('xref subsection out of range');
    if (count * 18 > bytes.length - lexer.pos) lexer.fail('xref subsection longer than the file');
    for (let i = 0; i < count; i++) {
      lexer.skipWhitespace();
      const fixed = scanXrefEntry(bytes, lexer.pos);
      if (fixed) {
        lexer.pos += 18;
        const num = first + i;
        if (!entries.has(num)) entries.set(num, fixed);
        continue;
      }
      const off = lexer.readWord();
      const gen = lexer.readWord();
      const type = lexer.readWord();
      if (!/^\d+$/.test(off) || !/^\d+$/.test(gen) || (type !== 'n' && type !== 'f')) lexer.fail('bad xref entry');
      const num = first + i;
      if (entries.has(num)) continue;
      entries.set(num, type === 'n' ? { type: 'offset', offset: Number(off), gen: Number(gen) } : { type: 'free' });
    }
  }
  lexer.expectWord('trailer');
  const trailer = lexer.parseObject();
  if (!(trailer instanceof PdfDict)) lexer.fail('trailer is not a dictionary');
  return { value: { entries, trailer }, end: lexer.pos };
}

/**
 * An entry in the standard form "nnnnnnnnnn ggggg n" (§7.5.4), read from the bytes; undefined for any other
 * form, which is then read word by word.
 */
function scanXrefEntry(bytes: Buffer, at: number): XrefEntry | undefined {
  if (at + 18 > bytes.length || bytes[at + 10] !== 0x20 || bytes[at + 16] !== 0x20) return undefined;
  const type = bytes[at + 17];
  const after = bytes[at + 18];
  if ((type !== 0x6e && type !== 0x66) || (after !== undefined && WHITESPACE[after] !== 1)) return undefined;
  let offset = 0;
  let gen = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 10) continue;
    const d = bytes[at + i] - 0x30;
    if (d < 0 || d > 9) return undefined;
    if (i < 10) offset = offset * 10 + d;
    else gen = gen * 10 + d;
  }
  return type === 0x6e ? { type: 'offset', offset, gen } : { type: 'free' };
}

function readXrefStream(source: ByteSource, offset: number, budget: DecodeBudget): XrefSection {
  const { value, end } = readIndirectObject(source, offset);
  if (!(value instanceof PdfStream) || !isName(value.dict.get('Type'), 'XRef')) {
    throw new AppError('PDF_MALFORMED', `no cross-reference table or stream at byte ${offset}`);
  }
  const dict = value.dict;
  const w = (asArray(dict.get('W')) ?? []).map((x) => (typeof x === 'number' ? x : -1));
  if (w.length !== 3 || w.some((x) => x < 0 || x > 8)) throw new AppError('PDF_MALFORMED', 'bad /W in xref stream');
  const size = asNumber(dict.get('Size')) ?? 0;
  const index = (asArray(dict.get('Index')) ?? [0, size]).map((x) => (typeof x === 'number' ? x : -1));
  const data = decodeStream(value, budget);
  const rowLength = w[0] + w[1] + w[2];
  const entries = new Map<number, XrefEntry>();
  let pos = 0;
  for (let s = 0; s + 1 < index.length; s += 2) {
    const first = index[s];
    const count = index[s + 1];
    if (first < 0 || count < 0 || first + count > MAX_OBJECT_NUMBER + 1) {
      throw new AppError('PDF_MALFORMED', 'xref stream /Index out of range');
    }
    for (let i = 0; i < count && pos + rowLength <= data.length; i++) {
      const type = w[0] === 0 ? 1 : readField(data, pos, w[0]);
      const f2 = readField(data, pos + w[0], w[1]);
      const f3 = readField(data, pos + w[0] + w[1], w[2]);
      pos += rowLength;
      const num = first + i;
      if (entries.has(num)) continue;
      if (type === 1) entries.set(num, { type: 'offset', offset: f2, gen: f3 });
      else if (type === 2) entries.set(num, { type: 'compressed', stream: f2, index: f3 });
      else if (type === 0) entries.set(num, { type: 'free' });
    }
  }
  return { offset, end, kind: 'stream', trailer: dict, entries };
}

function readField(data: Buffer, pos: number, width: number): number {
  let v = 0;
  for (let i = 0; i < width; i++) v = v * 256 + data[pos + i];
  return v;
}
