/**
 * Writes PDF objects as bytes (ISO 32000-1 §7.3). Output is a Latin-1 string where each character is
 * one byte, so offsets can be computed by length.
 */
import { PdfDict, PdfName, PdfObject, PdfRaw, PdfRef, PdfStream, PdfString } from './objects';

export function serializeName(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  let out = '/';
  for (const b of bytes) {
    const regular = b > 0x20 && b < 0x7f && !'()<>[]{}/%#'.includes(String.fromCharCode(b));
    out += regular ? String.fromCharCode(b) : `#${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export function serializeNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  // §7.3.3: no exponent notation; six decimals is ample for coordinates.
  return value.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}

function serializeString(value: PdfString): string {
  if (value.hex) return `<${value.bytes.toString('hex')}>`;
  let out = '(';
  for (const b of value.bytes) {
    if (b === 0x28 || b === 0x29 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x0a) out += '\\n';
    else out += String.fromCharCode(b);
  }
  return `${out})`;
}

export function serializeObject(value: PdfObject): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return serializeNumber(value);
  if (value instanceof PdfName) return serializeName(value.name);
  if (value instanceof PdfString) return serializeString(value);
  if (value instanceof PdfRef) return `${value.num} ${value.gen} R`;
  if (value instanceof PdfRaw) return value.text;
  if (Array.isArray(value)) return `[${value.map(serializeObject).join(' ')}]`;
  if (value instanceof PdfDict) {
    let out = '<<';
    for (const [k, v] of value.map) out += `${serializeName(k)} ${serializeObject(v)}`;
    return `${out}>>`;
  }
  if (value instanceof PdfStream) {
    const dict = value.dict.clone().set('Length', value.raw.length);
    return `${serializeObject(dict)}\nstream\n${value.raw.toString('latin1')}\nendstream`;
  }
  throw new TypeError('not a PDF object');
}

/**
 * Whether two objects are written the same way by serializeObject, the entries of a dictionary in any order
 * (§7.3.7: entries are unordered), without writing them: a comparison of the objects two revisions hold.
 */
export function writtenAlike(a: PdfObject, b: PdfObject): boolean {
  if (a === b) return true;
  if (typeof a === 'number') return typeof b === 'number' && serializeNumber(a) === serializeNumber(b);
  if (a instanceof PdfName) return b instanceof PdfName && a.name === b.name;
  if (a instanceof PdfRef) return b instanceof PdfRef && a.num === b.num && a.gen === b.gen;
  if (a instanceof PdfString) return b instanceof PdfString && a.hex === b.hex && a.bytes.equals(b.bytes);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!writtenAlike(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof PdfDict) return b instanceof PdfDict && sameEntries(a, b);
  if (a instanceof PdfStream) return b instanceof PdfStream && a.raw.equals(b.raw) && sameEntries(a.dict, b.dict);
  if (a instanceof PdfRaw) return b instanceof PdfRaw && a.text === b.text;
  return false; // null and booleans are equal only when identical
}

function sameEntries(a: PdfDict, b: PdfDict): boolean {
  if (a.map.size !== b.map.size) return false;
  for (const [key, value] of a.map) {
    const other = b.map.get(key);
    if (other === undefined || !writtenAlike(value, other)) return false;
  }
  return true;
}
