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
export function digitsAt(bytes: Uint8Array, start: number, end: number): number {
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

  // The loops below keep the position and the length in locals: a short run executes them before V8
  // optimises them, where each property read is a lookup.
  skipWhitespace(): void {
    const b = this.bytes;
    const length = b.length;
    let pos = this.pos;
    while (pos < length) {
      const c = b[pos];
      if (WHITESPACE[c] === 1) pos++;
      else if (c === 0x25 /* % */) {
        while (pos < length && b[pos] !== 0x0a && b[pos] !== 0x0d) pos++;
      } else break;
    }
    this.pos = pos;
  }

  /** Reads a run of regular characters (a keyword or number) without interpreting it. */
  readWord(): string {
    this.skipWhitespace();
    const start = this.pos;
    this.pos = this.wordEnd(start);
    return this.bytes.toString('latin1', start, this.pos);
  }

  /** Where the run of regular characters that starts at `from` ends. */
  private wordEnd(from: number): number {
    const b = this.bytes;
    const length = b.length;
    let i = from;
    while (i < length && ENDS_WORD[b[i]] !== 1) i++;
    return i;
  }

  peekWord(): string {
    const saved = this.pos;
    const word = this.readWord();
    this.pos = saved;
    return word;
  }

  /** Whether the next word is exactly `word` (consumed if so). */
  nextWordIs(word: string): boolean {
    this.skipWhitespace();
    const end = this.wordEnd(this.pos);
    if (end - this.pos !== word.length) return false;
    for (let i = 0; i < word.length; i++) if (this.bytes[this.pos + i] !== word.charCodeAt(i)) return false;
    this.pos = end;
    return true;
  }

  expectWord(word: string): void {
    if (this.nextWordIs(word)) return;
    const got = this.readWord();
    this.fail(`expected '${word}', found '${got.slice(0, 20)}'`);
  }

  readInteger(): number {
    this.skipWhitespace();
    const end = this.wordEnd(this.pos);
    const plain = digitsAt(this.bytes, this.pos, end);
    if (plain >= 0) {
      this.pos = end;
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
    this.skipWhitespace();
    const b = this.bytes;
    if (this.pos >= b.length) this.fail('unexpected end of file');
    const c = b[this.pos];
    if (c === 0x2f /* / */) return this.parseName();
    if (c === 0x28 /* ( */) return this.parseLiteralString();
    if (c === 0x3c /* < */) {
      if (b[this.pos + 1] === 0x3c) return this.parseDictOrStream(depth);
      return this.parseHexString();
    }
    if (c === 0x5b /* [ */) {
      this.pos++;
      const items: PdfObject[] = [];
      for (;;) {
        this.skipWhitespace();
        if (this.pos >= b.length) this.fail('unterminated array');
        if (b[this.pos] === 0x5d /* ] */) {
          this.pos++;
          return items;
        }
        items.push(this.parseObject(depth + 1));
      }
    }
    const start = this.pos;
    // A plain unsigned integer, or a reference "num gen R": read from the bytes, without strings.
    const end = this.wordEnd(start);
    const num = digitsAt(this.bytes, start, end);
    if (num >= 0) {
      this.pos = end;
      this.skipWhitespace();
      const genEnd = this.wordEnd(this.pos);
      const gen = digitsAt(this.bytes, this.pos, genEnd);
      if (gen >= 0) {
        this.pos = genEnd;
        this.skipWhitespace();
        if (b[this.pos] === 0x52 /* R */ && this.wordEnd(this.pos) === this.pos + 1) {
          this.pos++;
          return new PdfRef(num, gen);
        }
      }
      this.pos = end;
      return num;
    }
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
    this.pos++;
    const start = this.pos;
    this.pos = this.wordEnd(start);
    const raw = this.bytes.toString('latin1', start, this.pos);
    if (!raw.includes('#')) return new PdfName(raw);
    const decoded = raw.replace(/#([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    return new PdfName(Buffer.from(decoded, 'latin1').toString('utf8'));
  }

  private parseLiteralString(): PdfString {
    const b = this.bytes;
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
    if (this.readWord() !== 'stream') {
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
    return new PdfLexer(this.bytes, dataStart + length).readWord() === 'endstream' ? dataStart + length : -1;
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
    this.pos += 2;
    const dict = new PdfDict();
    for (;;) {
      this.skipWhitespace();
      if (this.pos >= b.length) this.fail('unterminated dictionary');
      if (b[this.pos] === 0x3e && b[this.pos + 1] === 0x3e) {
        this.pos += 2;
        break;
      }
      // A key is a name: read as one at once (anything else goes through parseObject, which says what it is).
      const key = b[this.pos] === 0x2f ? this.parseName() : this.parseObject(depth + 1);
      if (!(key instanceof PdfName)) this.fail('dictionary key is not a name');
      const value = this.parseObject(depth + 1);
      // §7.3.7: a null value is the same as an absent entry.
      if (value !== null) dict.set(key.name, value);
    }
    if (depth === 0 && this.dictionaryOnly) return dict;
    const dataStart = this.streamDataStart();
    if (dataStart < 0) return dict;
    let length = dict.get('Length');
    if (length instanceof PdfRef) length = this.resolveLength?.(length);
    if (this.truncated && typeof length === 'number' && length >= 0 && dataStart + length + 'endstream'.length > b.length) throw new WindowTooSmall();
    let dataEnd = this.confirmedDataEnd(dataStart, length);
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
  if (lexer.readWord() !== 'endobj') lexer.pos = saved;
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
