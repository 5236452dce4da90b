/**
 * A distinguished name as text, in the form Kyso has always shown it (OpenSSL's X509_NAME_print_ex with
 * RFC 2253 escaping, control characters as \XX, strings converted to UTF-8, short attribute names), most
 * significant RDN last: "CN=Nguyễn Văn A, O=Bộ Nội vụ, C=VN". Written here rather than asked of OpenSSL,
 * because OpenSSL decodes the whole certificate with its public key to print one name, which costs more
 * than verifying the signature. For what this reader does not know (an attribute type outside the table,
 * a value that is not a string type, text OpenSSL would refuse), it answers undefined and the caller asks
 * OpenSSL.
 */
import { isUtf8 } from 'node:buffer';
import { children, content, oidString, readTlv } from './der';

/** OpenSSL's short names of the attribute types found in certificate names (crypto/objects/objects.txt). */
const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.13': 'description',
  '2.5.4.15': 'businessCategory',
  '2.5.4.17': 'postalCode',
  '2.5.4.20': 'telephoneNumber',
  '2.5.4.41': 'name',
  '2.5.4.42': 'GN',
  '2.5.4.43': 'initials',
  '2.5.4.44': 'generationQualifier',
  '2.5.4.46': 'dnQualifier',
  '2.5.4.65': 'pseudonym',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '1.2.840.113549.1.9.2': 'unstructuredName',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.3.6.1.4.1.311.60.2.1.1': 'jurisdictionL',
  '1.3.6.1.4.1.311.60.2.1.2': 'jurisdictionST',
  '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionC',
};

/** Bytes per character of the string types OpenSSL prints (a_strex.c tag2nbyte); 0: UTF-8 as it is. */
const CHARACTER_WIDTH: Record<number, number> = {
  0x0c: 0, // UTF8String
  0x12: 1, // NumericString
  0x13: 1, // PrintableString
  0x14: 1, // TeletexString (each byte a Latin-1 character)
  0x16: 1, // IA5String
  0x1c: 4, // UniversalString (UCS-4)
  0x1e: 2, // BMPString (UCS-2)
};

/** Characters escaped with a backslash anywhere (RFC 2253 §2.4), and the backslash itself. */
const ALWAYS_ESCAPED = new Set([0x22, 0x2b, 0x2c, 0x3b, 0x3c, 0x3e, 0x5c]);

/**
 * How OpenSSL writes the ASCII character `c` at position `i` of `count` (a_strex.c do_esc_char): as \XX
 * (control characters), after a backslash (RFC 2253 specials; '#' or a space first, a space last), or as
 * it is. As do_buf, the last character's flag replaces the first's: a value of one '#' is not escaped.
 */
function escapeOf(c: number, i: number, count: number): 'hex' | 'backslash' | undefined {
  if (c < 0x20 || c === 0x7f) return 'hex';
  const last = i === count - 1;
  const first = i === 0 && !last;
  if (ALWAYS_ESCAPED.has(c) || (first && (c === 0x20 || c === 0x23)) || (last && c === 0x20)) return 'backslash';
  return undefined;
}

/**
 * One attribute value's text as UTF-8 bytes appended to `out` (a_strex.c do_buf and do_esc_char), or false
 * when OpenSSL would print it otherwise. A UTF8String's bytes are taken one by one; other strings are
 * converted to UTF-8 character by character. Bytes above 0x7f are never escaped.
 */
function valueBytes(tag: number, body: Buffer, out: number[]): boolean {
  const width = CHARACTER_WIDTH[tag];
  if (width === undefined || (width > 1 && body.length % width !== 0)) return false;
  if (width === 0 && !isUtf8(body)) return false; // OpenSSL refuses the certificate
  const count = width > 1 ? body.length / width : body.length;
  for (let i = 0; i < count; i++) {
    const c = width === 2 ? body.readUInt16BE(i * 2) : width === 4 ? body.readUInt32BE(i * 4) : body[i];
    if (c > 0x10ffff || (width > 1 && c >= 0xd800 && c <= 0xdfff)) return false; // OpenSSL refuses these
    if (c >= 0x80) {
      if (width === 0) out.push(c);
      else out.push(...Buffer.from(String.fromCodePoint(c), 'utf8'));
      continue;
    }
    const escape = escapeOf(c, i, count);
    if (escape === 'hex') out.push(0x5c, ...Buffer.from(c.toString(16).toUpperCase().padStart(2, '0'), 'latin1'));
    else if (escape === 'backslash') out.push(0x5c, c);
    else out.push(c);
  }
  return true;
}

/**
 * The common case at once: a one-byte string or a valid UTF8String with nothing to escape reads as its
 * bytes (Latin-1 characters, as OpenSSL converts them, or UTF-8); undefined when valueBytes must decide.
 */
function plainText(tag: number, body: Buffer): string | undefined {
  const width = CHARACTER_WIDTH[tag];
  if (width !== 0 && width !== 1) return undefined;
  for (let i = 0; i < body.length; i++) {
    if (body[i] < 0x80 && escapeOf(body[i], i, body.length)) return undefined;
  }
  if (width === 1) return body.toString('latin1');
  return isUtf8(body) ? body.toString('utf8') : undefined;
}

/** The Name's text, most significant RDN last, or undefined when OpenSSL must be asked. */
export function nameText(name: Buffer): string | undefined {
  const top = readTlv(name, 0);
  if (!top || top.tag !== 0x30 || top.end !== name.length) return undefined;
  const list = children(name, top);
  if (!list) return undefined;
  const rdns: string[] = [];
  for (const rdn of list) {
    const atvs = rdn.tag === 0x31 ? children(name, rdn) : undefined;
    if (!atvs || atvs.length === 0) return undefined;
    const parts: string[] = [];
    for (const atv of atvs) {
      const [type, value, extra] = (atv.tag === 0x30 ? children(name, atv) : undefined) ?? [];
      if (!type || type.tag !== 0x06 || !value || extra) return undefined;
      const short = SHORT_NAMES[oidString(content(name, type))];
      if (!short) return undefined;
      const body = content(name, value);
      const plain = plainText(value.tag, body);
      if (plain !== undefined) {
        parts.push(`${short}=${plain}`);
        continue;
      }
      const bytes: number[] = [];
      if (!valueBytes(value.tag, body, bytes)) return undefined;
      parts.push(`${short}=${Buffer.from(bytes).toString('utf8')}`);
    }
    rdns.push(parts.join(' + '));
  }
  return rdns.reverse().join(', ');
}
