/**
 * Comparing distinguished names (X.501 Name) as RFC 5280 §7.1 asks, when their encodings differ (an issuer
 * written as PrintableString in one place and UTF8String in another): attribute by attribute, the types by
 * OID and the string values after case folding and white-space collapsing, the attributes of a
 * multi-valued RDN in any order. Read with the DER/BER structure reader; anything it cannot read is not equal.
 */
import { children, content, oidString, readTlv, whole } from './der';

/** A string attribute value as text (by its ASN.1 string type); other values as their encoding in hex. */
function valueText(tag: number, body: Buffer, whole: Buffer): string {
  switch (tag) {
    case 0x0c: // UTF8String
      return body.toString('utf8');
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x14: // TeletexString (read as Latin-1, as most software does)
    case 0x1a: // VisibleString
      return body.toString('latin1');
    case 0x1e: // BMPString: UTF-16BE
      return Buffer.from(body).swap16().toString('utf16le');
    default:
      return `#${whole.toString('hex')}`;
  }
}

const fold = (text: string): string => text.trim().replace(/\s+/g, ' ').toLowerCase();

/** The RDNs of a Name, each as its sorted "oid=value" parts, or undefined when it cannot be read. */
function rdnsOf(name: Buffer): string[] | undefined {
  const top = readTlv(name, 0);
  if (!top || top.tag !== 0x30) return undefined;
  const rdns: string[] = [];
  for (const rdn of children(name, top) ?? []) {
    const atvs = rdn.tag === 0x31 ? children(name, rdn) : undefined;
    if (!atvs) return undefined;
    const parts: string[] = [];
    for (const atv of atvs) {
      const [type, value] = (atv.tag === 0x30 ? children(name, atv) : undefined) ?? [];
      if (!type || type.tag !== 0x06 || !value) return undefined;
      const body = content(name, value);
      if (value.tag === 0x1e && body.length % 2 === 1) return undefined;
      parts.push(`${oidString(content(name, type))}=${fold(valueText(value.tag, body, whole(name, value)))}`);
    }
    rdns.push(parts.sort().join('+'));
  }
  return rdns;
}

/** Names already read, by buffer (a certificate's names are compared with every candidate issuer). */
const read = new WeakMap<Buffer, string[] | null>();

function rdnsOfCached(name: Buffer): string[] | undefined {
  let rdns = read.get(name);
  if (rdns === undefined) {
    rdns = rdnsOf(name) ?? null;
    read.set(name, rdns);
  }
  return rdns ?? undefined;
}

/** Whether two DER-encoded Names name the same entity. */
export function sameName(a: Buffer, b: Buffer): boolean {
  if (a.equals(b)) return true;
  const x = rdnsOfCached(a);
  const y = rdnsOfCached(b);
  return !!x && !!y && x.length === y.length && x.every((rdn, i) => rdn === y[i]);
}
