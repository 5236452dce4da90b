/**
 * The PDF object model (ISO 32000-1 §7.3): just enough structure to read a file revision by revision and
 * to write new objects in an incremental update. Strings stay bytes; names are decoded (#xx resolved).
 */
export class PdfName {
  constructor(readonly name: string) {}
}

export class PdfString {
  constructor(
    readonly bytes: Buffer,
    readonly hex = false,
  ) {}

  /** Text strings (§7.9.2.2): UTF-16BE with BOM, otherwise PDFDocEncoding (close to Latin-1). */
  toText(): string {
    const b = this.bytes;
    if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
      const swapped = Buffer.from(b.subarray(2));
      swapped.swap16();
      return swapped.toString('utf16le');
    }
    if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString('utf8');
    return b.toString('latin1');
  }

  static fromText(text: string): PdfString {
    // PDFDocEncoding covers ASCII safely; anything else is written as UTF-16BE with a BOM.
    if (/^[\x20-\x7e]*$/.test(text)) return new PdfString(Buffer.from(text, 'latin1'));
    const le = Buffer.from(text, 'utf16le');
    le.swap16();
    return new PdfString(Buffer.concat([Buffer.from([0xfe, 0xff]), le]), true);
  }
}

export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}

  get key(): string {
    return `${this.num} ${this.gen}`;
  }
}

export class PdfDict {
  readonly map: Map<string, PdfObject>;

  constructor(entries?: Iterable<[string, PdfObject]>) {
    this.map = new Map(entries);
  }

  get(key: string): PdfObject | undefined {
    return this.map.get(key);
  }

  set(key: string, value: PdfObject): this {
    this.map.set(key, value);
    return this;
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  clone(): PdfDict {
    return new PdfDict(this.map);
  }
}

export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    /** The encoded bytes between `stream` and `endstream`. */
    readonly raw: Buffer,
  ) {}
}

/** Bytes written verbatim by the serializer: used for fixed-width placeholders. */
export class PdfRaw {
  constructor(readonly text: string) {}
}

export type PdfObject =
  | null
  | boolean
  | number
  | PdfName
  | PdfString
  | PdfRef
  | PdfDict
  | PdfStream
  | PdfRaw
  | PdfObject[];

export const name = (value: string): PdfName => new PdfName(value);

export function isName(value: PdfObject | undefined, expected?: string): value is PdfName {
  return value instanceof PdfName && (expected === undefined || value.name === expected);
}

export function asDict(value: PdfObject | undefined): PdfDict | undefined {
  if (value instanceof PdfDict) return value;
  if (value instanceof PdfStream) return value.dict;
  return undefined;
}

export function asNumber(value: PdfObject | undefined): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

export function asArray(value: PdfObject | undefined): PdfObject[] | undefined {
  return Array.isArray(value) ? value : undefined;
}
