/**
 * Tokeniser and object parser for PDF syntax (ISO 32000-1 §7.2–§7.3). Works on a byte buffer at an
 * offset, so objects can be read lazily from anywhere in a file. Nesting depth is bounded so hostile
 * files cannot exhaust the stack.
 */
import { AppError } from '../errors';
import { ByteSource, parseInWindow, WindowTooSmall } from './byte-source';
import { indexOfByte } from './index-of-byte';
import { PdfDict, PdfName, PdfObject, PdfRef, PdfStream, PdfString } from './objects';

const MAX_DEPTH = 256;

/** 1 for each byte that is PDF whitespace (§7.2.3), for loops that look bytes up without a call. */
export const WHITESPACE: Readonly<Uint8Array> = new Uint8Array(256);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) (WHITESPACE as Uint8Array)[c] = 1;
/** 1 for each byte that ends a run of regular characters: whitespace or a delimiter (§7.2.2). */
const ENDS_WORD = new Uint8Array(WHITESPACE);
for (const c of '()<>[]{}/%') ENDS_WORD[c.charCodeAt(0)] = 1;

/**
 * The value of bytes [start, end) when they are all digits (at most 15 of them, exact in a double), else
 * -1. Read from the bytes: most of a file's words are numbers, and making strings of them is most of what
 * reading a dictionary costs.
 */
export function scanDigits(bytes: Uint8Array, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = bytes[i] - 0x30;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** Resolves `/Length 12 0 R` while a stream is being parsed. */
export type LengthResolver = (ref: PdfRef) => number | undefined;

/** The value of each byte as a hex digit, or -1. */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let d = 0; d < 16; d++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(d)] = d;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(d)] = d;
}

/*
 * The byte loops are functions of (bytes, position, length) rather than methods: a short run executes the
 * lexer before V8 optimises it, where every read of a property (the position, the bytes, their length) is
 * a lookup of its own and a local is not. Their names start with "scan": a short `kyso verify` batch lets
 * V8 optimise these functions alone (src/cli/tiering.ts).
 */

/** Where the whitespace and comments (§7.2.3, §7.2.4) that start at `pos` end. */
function scanGap(b: Uint8Array, pos: number, length: number): number {
  while (pos < length) {
    const c = b[pos];
    if (WHITESPACE[c] === 1) pos++;
    else if (c === 0x25 /* % */) {
      pos++;
      while (pos < length && b[pos] !== 0x0a && b[pos] !== 0x0d) pos++;
    } else break;
  }
  return pos;
}

/** Where the run of regular characters that starts at `pos` ends. */
function scanWord(b: Uint8Array, pos: number, length: number): number {
  while (pos < length && ENDS_WORD[b[pos]] !== 1) pos++;
  return pos;
}

/** Where the word at `pos` ends when it is exactly `word`, else -1. */
function scanWordIs(b: Uint8Array, pos: number, length: number, word: string): number {
  const end = scanWord(b, pos, length);
  if (end - pos !== word.length) return -1;
  for (let i = 0; i < word.length; i++) if (b[pos + i] !== word.charCodeAt(i)) return -1;
  return end;
}

/** Where the literal string whose bytes start at `pos` ends (its ")") when no "(" or "\\" comes first, else -1. */
function scanPlainString(b: Uint8Array, pos: number, length: number): number {
  for (let i = pos; i < length; i++) {
    const c = b[i];
    if (c === 0x29 /* ) */) return i;
    if (c === 0x28 /* ( */ || c === 0x5c /* \ */) return -1;
  }
  return -1;
}

/** Where the word that scanDigitWord read last ends (a second result, kept here rather than allocated). */
let digitWordEnd = 0;

/**
 * The value of the word (run of regular characters) at `pos` when it is 1 to 15 digits, else -1, in one
 * pass over its bytes; where the word ends is left in digitWordEnd. As scanDigits over scanWord.
 */
function scanDigitWord(b: Uint8Array, pos: number, length: number): number {
  let value = 0;
  let plain = true;
  let end = pos;
  while (end < length) {
    const c = b[end];
    if (ENDS_WORD[c] === 1) break;
    const d = c - 0x30;
    if (d >= 0 && d <= 9) value = value * 10 + d;
    else plain = false;
    end++;
  }
  digitWordEnd = end;
  return plain && end > pos && end - pos <= 15 ? value : -1;
}

export class PdfLexer {
  pos: number;

  constructor(
    readonly bytes: Buffer,
    pos = 0,
    private readonly resolveLength?: LengthResolver,
    /** The bytes are a window that stops before the end of the file. */
    private readonly truncated = false,
  ) {
    this.pos = pos;
  }

  fail(message: string): never {
    throw new AppError('PDF_MALFORMED', `${message} at byte ${this.pos}`);
  }

  skipWhitespace(): void {
    this.pos = scanGap(this.bytes, this.pos, this.bytes.length);
  }

  /** Reads a run of regular characters (a keyword or number) without interpreting it. */
  readWord(): string {
    const b = this.bytes;
    const start = scanGap(b, this.pos, b.length);
    const end = scanWord(b, start, b.length);
    this.pos = end;
    return b.toString('latin1', start, end);
  }

  peekWord(): string {
    const saved = this.pos;
    const word = this.readWord();
    this.pos = saved;
    return word;
  }

  /** Whether the next word is exactly `word` (consumed if so). */
  nextWordIs(word: string): boolean {
    const b = this.bytes;
    const start = scanGap(b, this.pos, b.length);
    const end = scanWordIs(b, start, b.length, word);
    this.pos = end < 0 ? start : end;
    return end >= 0;
  }

  expectWord(word: string): void {
    if (this.nextWordIs(word)) return;
    const got = this.readWord();
    this.fail(`expected '${word}', found '${got.slice(0, 20)}'`);
  }

  readInteger(): number {
    const b = this.bytes;
    this.pos = scanGap(b, this.pos, b.length);
    const plain = scanDigitWord(b, this.pos, b.length);
    if (plain >= 0) {
      this.pos = digitWordEnd;
      return plain;
    }
    const word = this.readWord();
    if (!/^[+-]?\d+$/.test(word)) this.fail(`expected an integer, found '${word.slice(0, 20)}'`);
    return Number(word);
  }

  private dictionaryOnly = false;

  /** The next object, except that a stream's data is not read: its dictionary is returned alone. */
  parseObjectHead(): PdfObject {
    this.dictionaryOnly = true;
    try {
      return this.parseObject();
    } finally {
      this.dictionaryOnly = false;
    }
  }

  parseObject(depth = 0): PdfObject {
    if (depth > MAX_DEPTH) this.fail('objects nested too deeply');
    const b = this.bytes;
    const length = b.length;
    let pos = scanGap(b, this.pos, length);
    this.pos = pos;
    if (pos >= length) this.fail('unexpected end of file');
    const c = b[pos];
    if (c === 0x2f /* / */) return this.parseName();
    if (c === 0x28 /* ( */) return this.parseLiteralString();
    if (c === 0x3c /* < */) {
      if (b[pos + 1] === 0x3c) return this.parseDictOrStream(depth);
      return this.parseHexString();
    }
    if (c === 0x5b /* [ */) {
      pos++;
      const items: PdfObject[] = [];
      for (;;) {
        pos = scanGap(b, pos, length);
        this.pos = pos;
        if (pos >= length) this.fail('unterminated array');
        if (b[pos] === 0x5d /* ] */) {
          this.pos = pos + 1;
          return items;
        }
        items.push(this.parseObject(depth + 1));
        pos = this.pos;
      }
    }
    // A plain unsigned integer, or a reference "num gen R": read from the bytes, without strings.
    const num = scanDigitWord(b, pos, length);
    if (num >= 0) {
      const end = digitWordEnd;
      const gen = scanDigitWord(b, scanGap(b, end, length), length);
      if (gen >= 0) {
        const r = scanGap(b, digitWordEnd, length);
        if (b[r] === 0x52 /* R */ && (r + 1 === length || ENDS_WORD[b[r + 1]] === 1)) {
          this.pos = r + 1;
          return new PdfRef(num, gen);
        }
      }
      this.pos = end;
      return num;
    }
    const start = pos;
    const word = this.readWord();
    if (word === '') {
      this.pos++;
      this.fail(`unexpected character 0x${c.toString(16)}`);
    }
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word)) {
      if (/^\d+$/.test(word)) {
        // "num gen R" is a reference; look ahead without consuming anything else.
        const saved = this.pos;
        const gen = this.readWord();
        if (/^\d+$/.test(gen)) {
          const r = this.readWord();
          if (r === 'R') return new PdfRef(Number(word), Number(gen));
        }
        this.pos = saved;
      }
      return Number(word);
    }
    this.pos = start;
    this.fail(`unexpected token '${word.slice(0, 20)}'`);
  }

  private parseName(): PdfName {
    const b = this.bytes;
    const start = this.pos + 1;
    const end = scanWord(b, start, b.length);
    this.pos = end;
    const raw = b.toString('latin1', start, end);
    if (!raw.includes('#')) return new PdfName(raw);
    const decoded = raw.replace(/#([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    return new PdfName(Buffer.from(decoded, 'latin1').toString('utf8'));
  }

  private parseLiteralString(): PdfString {
    const b = this.bytes;
    // Most strings hold no escape and no nested parentheses: their bytes are copied as they are.
    const plainEnd = scanPlainString(b, this.pos + 1, b.length);
    if (plainEnd >= 0) {
      const plain = Buffer.from(b.subarray(this.pos + 1, plainEnd));
      this.pos = plainEnd + 1;
      return new PdfString(plain);
    }
    this.pos++;
    const out: number[] = [];
    let nesting = 1;
    while (this.pos < b.length) {
      const c = b[this.pos++];
      if (c === 0x5c /* \ */) {
        const e = b[this.pos++];
        switch (e) {
          case 0x6e: out.push(0x0a); break;
          case 0x72: out.push(0x0d); break;
          case 0x74: out.push(0x09); break;
          case 0x62: out.push(0x08); break;
          case 0x66: out.push(0x0c); break;
          case 0x0d:
            if (b[this.pos] === 0x0a) this.pos++;
            break;
          case 0x0a: break;
          default:
            if (e >= 0x30 && e <= 0x37) {
              let v = e - 0x30;
              for (let i = 0; i < 2 && b[this.pos] >= 0x30 && b[this.pos] <= 0x37; i++) v = v * 8 + (b[this.pos++] - 0x30);
              out.push(v & 0xff);
            } else if (e !== undefined) out.push(e);
        }
      } else if (c === 0x28) {
        nesting++;
        out.push(c);
      } else if (c === 0x29) {
        if (--nesting === 0) return new PdfString(Buffer.from(out));
        out.push(c);
      } else out.push(c);
    }
    this.fail('unterminated string');
  }

  /**
   * After a stream's dictionary: moves past `stream` and the end of line after it (§7.3.8.1: CRLF or LF; a
   * lone CR is tolerated) and returns where the data starts; -1, moving nothing, when no `stream` follows.
   */
  streamDataStart(): number {
    const saved = this.pos;
    if (!this.nextWordIs('stream')) {
      this.pos = saved;
      return -1;
    }
    if (this.bytes[this.pos] === 0x0d) this.pos++;
    if (this.bytes[this.pos] === 0x0a) this.pos++;
    return this.pos;
  }

  /** Where the data that starts at `dataStart` ends when `length` (its /Length) is one `endstream` confirms; else -1. */
  confirmedDataEnd(dataStart: number, length: PdfObject | undefined): number {
    if (typeof length !== 'number' || length < 0 || dataStart + length > this.bytes.length) return -1;
    return new PdfLexer(this.bytes, dataStart + length).nextWordIs('endstream') ? dataStart + length : -1;
  }

  /** Moves past the hex string at the position without decoding it (for a reader that needs only where it lies). */
  skipHexString(): void {
    this.pos = this.hexStringEnd(this.pos + 1) + 1;
  }

  /** Where the hex string whose digits start at `start` ends: its `>`. */
  private hexStringEnd(start: number): number {
    const end = indexOfByte(this.bytes, 0x3e /* > */, start);
    if (end < 0) this.fail('unterminated hex string');
    return end;
  }

  private parseHexString(): PdfString {
    const b = this.bytes;
    const start = ++this.pos;
    const end = this.hexStringEnd(start);
    this.pos = end + 1;
    // A signature's /Contents is tens of kilobytes of plain hex: decoded natively when every byte is a
    // digit (the decoder stops at the first that is not)...
    if ((end - start) % 2 === 0) {
      const plain = Buffer.from(b.toString('latin1', start, end), 'hex');
      if (plain.length * 2 === end - start) return new PdfString(plain, true);
    }
    // ...otherwise digit by digit: anything but a hex digit is skipped, and an odd last digit is followed
    // by 0 (§7.3.4.3).
    const out = Buffer.allocUnsafe((end - start + 1) >> 1);
    let n = 0;
    let high = -1;
    for (let i = start; i < end; i++) {
      const v = HEX_VALUE[b[i]];
      if (v < 0) continue;
      if (high < 0) high = v;
      else {
        out[n++] = (high << 4) | v;
        high = -1;
      }
    }
    if (high >= 0) out[n++] = high << 4;
    return new PdfString(out.subarray(0, n), true);
  }

  private parseDictOrStream(depth: number): PdfDict | PdfStream {
    const b = this.bytes;
    const length = b.length;
    let pos = this.pos + 2;
    const dict = new PdfDict();
    const entries = dict.map;
    for (;;) {
      pos = scanGap(b, pos, length);
      this.pos = pos;
      if (pos >= length) this.fail('unterminated dictionary');
      const c = b[pos];
      if (c === 0x3e && b[pos + 1] === 0x3e) {
        this.pos = pos + 2;
        break;
      }
      // A key is a name: read as one at once (anything else goes through parseObject, which says what it is).
      const key = c === 0x2f ? this.parseName() : this.parseObject(depth + 1);
      if (!(key instanceof PdfName)) this.fail('dictionary key is not a name');
      // So is a value, often: read at once as well.
      pos = scanGap(b, this.pos, length);
      this.pos = pos;
      const value = b[pos] === 0x2f ? this.parseName() : this.parseObject(depth + 1);
      // §7.3.7: a null value is the same as an absent entry.
      if (value !== null) entries.set(key.name, value);
      pos = this.pos;
    }
    if (depth === 0 && this.dictionaryOnly) return dict;
    const dataStart = this.streamDataStart();
    if (dataStart < 0) return dict;
    let declared = dict.get('Length');
    if (declared instanceof PdfRef) declared = this.resolveLength?.(declared);
    if (this.truncated && typeof declared === 'number' && declared >= 0 && dataStart + declared + 'endstream'.length > length) throw new WindowTooSmall();
    let dataEnd = this.confirmedDataEnd(dataStart, declared);
    if (dataEnd < 0) {
      // Wrong or missing /Length: fall back to the `endstream` keyword, as viewers do.
      const found = b.indexOf('endstream', dataStart, 'latin1');
      if (found < 0) this.fail('stream without endstream');
      dataEnd = found;
      while (dataEnd > dataStart && (b[dataEnd - 1] === 0x0a || b[dataEnd - 1] === 0x0d)) dataEnd--;
    }
    this.pos = dataEnd;
    this.expectWord('endstream');
    return new PdfStream(dict, b.subarray(dataStart, dataEnd));
  }
}

export interface IndirectObject {
  ref: PdfRef;
  value: PdfObject;
  /** Byte offset of the object header and of the byte after `endobj`. */
  start: number;
  end: number;
}

/** Parses `num gen obj … endobj` at `offset`. */
export function parseIndirectObject(bytes: Buffer, offset: number, resolveLength?: LengthResolver, truncated = false): IndirectObject {
  const lexer = new PdfLexer(bytes, offset, resolveLength, truncated);
  lexer.skipWhitespace();
  const start = lexer.pos;
  const num = lexer.readInteger();
  const gen = lexer.readInteger();
  lexer.expectWord('obj');
  const value = lexer.parseObject();
  const saved = lexer.pos;
  // Tolerate a missing `endobj`, as most readers do.
  if (!lexer.nextWordIs('endobj')) lexer.pos = saved;
  return { ref: new PdfRef(num, gen), value, start, end: lexer.pos };
}

/** Parses `num gen obj … endobj` at `offset` of a file, from a window large enough for it (offsets in the file). */
export function readIndirectObject(source: ByteSource, offset: number, resolveLength?: LengthResolver): IndirectObject {
  return parseInWindow(source, offset, (bytes, pos, toEnd) => {
    const parsed = parseIndirectObject(bytes, pos, resolveLength, !toEnd);
    const shift = offset - pos;
    return { value: { ...parsed, start: parsed.start + shift, end: parsed.end + shift }, end: parsed.end };
  });
}
