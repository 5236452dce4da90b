/**
 * A minimal reader of BER/DER structure (X.690 §8, §10) that locates elements without decoding them:
 * certificates and SignedData are read with it field by field, because building a full BER object tree
 * (asn1js) for every certificate and signature of a batch costs more than the cryptography. It reads
 * definite lengths and the indefinite lengths of constructed elements (BER, as some signers write CMS),
 * keeping every element's bytes as found. Anything it cannot read (multi-byte tags, truncation, nesting
 * deeper than MAX_DEPTH) makes it return undefined, and callers fall back to asn1js/PKI.js.
 */
export interface Tlv {
  tag: number;
  start: number;
  contentStart: number;
  /** Where the content ends: `end`, or for an indefinite length the start of its end-of-contents octets. */
  contentEnd: number;
  end: number;
}

/** How deep indefinite-length elements may nest (each level is scanned to find its end). */
const MAX_DEPTH = 32;

export function readTlv(buf: Buffer, pos: number, limit: number = buf.length, depth = 0): Tlv | undefined {
  if (pos + 2 > limit) return undefined;
  const tag = buf[pos];
  if ((tag & 0x1f) === 0x1f) return undefined; // multi-byte tags do not occur in the structures read here
  let len = buf[pos + 1];
  let contentStart = pos + 2;
  if (len === 0x80) {
    // Indefinite length (BER): only a constructed element, ended by two zero octets after its last child.
    if ((tag & 0x20) === 0 || depth >= MAX_DEPTH) return undefined;
    for (let at = contentStart; ;) {
      if (at + 2 > limit) return undefined;
      if (buf[at] === 0 && buf[at + 1] === 0) return { tag, start: pos, contentStart, contentEnd: at, end: at + 2 };
      const child = readTlv(buf, at, limit, depth + 1);
      if (!child) return undefined;
      at = child.end;
    }
  }
  if (len > 0x80) {
    const n = len & 0x7f;
    if (n > 4 || contentStart + n > limit) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[contentStart + i];
    contentStart += n;
  }
  const end = contentStart + len;
  return end <= limit ? { tag, start: pos, contentStart, contentEnd: end, end } : undefined;
}

/** The elements inside a constructed element, or undefined when one of them cannot be read. */
export function children(buf: Buffer, parent: Tlv): Tlv[] | undefined {
  const out: Tlv[] = [];
  for (let pos = parent.contentStart; pos < parent.contentEnd; ) {
    const child = readTlv(buf, pos, parent.contentEnd);
    if (!child) return undefined;
    out.push(child);
    pos = child.end;
  }
  return out;
}

export const whole = (buf: Buffer, t: Tlv): Buffer => buf.subarray(t.start, t.end);
export const content = (buf: Buffer, t: Tlv): Buffer => buf.subarray(t.contentStart, t.contentEnd);

/** A definite-length element with fresh length octets around `body`. */
export function wrap(tag: number, body: Buffer): Buffer {
  const len = body.length;
  let header: number[];
  if (len < 0x80) header = [tag, len];
  else {
    const bytes: number[] = [];
    for (let v = len; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    header = [tag, 0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Buffer.from(header), body]);
}

/** OBJECT IDENTIFIER content octets → dotted form (X.690 §8.19). */
export function oidString(bytes: Buffer): string {
  const arcs: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}

/** UTCTime (0x17) or GeneralizedTime (0x18) in the forms RFC 5280 §4.1.2.5 allows, else undefined. */
export function derTime(buf: Buffer, t: Tlv): Date | undefined {
  const s = buf.toString('latin1', t.contentStart, t.end);
  const m = t.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s) : t.tag === 0x18 ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(\.\d+)?Z$/.exec(s) : null;
  if (!m) return undefined;
  let year = Number(m[1]);
  if (t.tag === 0x17) year += year < 50 ? 2000 : 1900;
  const millis = t.tag === 0x18 && m[7] ? Number(`${m[7].slice(1)}00`.slice(0, 3)) : 0;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), millis));
}

/** Whether an INTEGER is minimally encoded (X.690 §8.3.2): no leading 0x00 or 0xFF that could be dropped. */
export function minimalInteger(buf: Buffer, t: Tlv): boolean {
  const length = t.end - t.contentStart;
  if (length === 0) return false;
  if (length === 1) return true;
  const [a, b] = [buf[t.contentStart], buf[t.contentStart + 1]];
  return !((a === 0 && b < 0x80) || (a === 0xff && b >= 0x80));
}

/** The value of a small non-negative INTEGER. */
export function smallInteger(buf: Buffer, t: Tlv): number {
  let v = 0;
  for (let i = t.contentStart; i < t.end; i++) v = v * 256 + buf[i];
  return v;
}

/** OBJECT IDENTIFIER element from its dotted form (X.690 §8.19). */
export function encodeOid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [];
  const push = (value: number) => {
    const groups: number[] = [value & 0x7f];
    for (let v = Math.floor(value / 128); v > 0; v = Math.floor(v / 128)) groups.unshift(0x80 | (v & 0x7f));
    out.push(...groups);
  };
  push(arcs[0] * 40 + arcs[1]);
  for (const arc of arcs.slice(2)) push(arc);
  return wrap(0x06, Buffer.from(out));
}

/** A non-negative INTEGER small enough for a JavaScript number, in minimal form (X.690 §8.3.2). */
export function encodeSmallInteger(value: number): Buffer {
  const bytes: number[] = [];
  for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  if (bytes.length === 0 || bytes[0] & 0x80) bytes.unshift(0);
  return wrap(0x02, Buffer.from(bytes));
}

export const sequence = (...items: Buffer[]): Buffer => wrap(0x30, Buffer.concat(items));
export const octetString = (bytes: Buffer): Buffer => wrap(0x04, bytes);

/** SET OF in DER order: the encoded elements sorted as octet strings (X.690 §11.6). */
export const setOf = (items: Buffer[]): Buffer => wrap(0x31, Buffer.concat([...items].sort(Buffer.compare)));
