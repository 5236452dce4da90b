/**
 * Takes the bulky parts out of a DER ContentInfo(SignedData) before it is parsed (RFC 5652 §5.1): the
 * certificates, the CRLs and the first SignerInfo's unsigned attributes (a timestamp token carries its own
 * certificates) are returned as found, and the rest is re-wrapped with fresh lengths, so the BER parser
 * never builds objects for what is read separately or not at all. Returns undefined for anything that is
 * not plain definite-length DER; callers then parse the whole thing.
 */
import * as asn1js from 'asn1js';

export interface RawAttribute {
  type: string;
  /** Each value's DER as found. */
  values: Buffer[];
}

export interface SplitSignedData {
  reduced: Buffer;
  certificates: Buffer[];
  crls: Buffer[];
  /** The first SignerInfo's unsignedAttrs, or undefined when it has none. */
  unsignedAttributes?: RawAttribute[];
}
interface Tlv {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

function readTlv(buf: Buffer, pos: number, limit: number): Tlv | undefined {
  if (pos + 2 > limit) return undefined;
  const tag = buf[pos];
  if ((tag & 0x1f) === 0x1f) return undefined; // multi-byte tags do not occur at these levels
  let len = buf[pos + 1];
  let contentStart = pos + 2;
  if (len === 0x80) return undefined; // indefinite length (BER)
  if (len > 0x80) {
    const n = len & 0x7f;
    if (n > 4 || contentStart + n > limit) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[contentStart + i];
    contentStart += n;
  }
  const end = contentStart + len;
  return end <= limit ? { tag, start: pos, contentStart, end } : undefined;
}

function children(buf: Buffer, parent: Tlv): Tlv[] | undefined {
  const out: Tlv[] = [];
  for (let pos = parent.contentStart; pos < parent.end; ) {
    const child = readTlv(buf, pos, parent.end);
    if (!child) return undefined;
    out.push(child);
    pos = child.end;
  }
  return out;
}

function wrap(tag: number, content: Buffer): Buffer {
  const len = content.length;
  let header: number[];
  if (len < 0x80) header = [tag, len];
  else {
    const bytes: number[] = [];
    for (let v = len; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    header = [tag, 0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Buffer.from(header), content]);
}

function readAttributes(buf: Buffer, set: Tlv): RawAttribute[] | undefined {
  const out: RawAttribute[] = [];
  for (const attr of children(buf, set) ?? []) {
    const [oid, values] = children(buf, attr) ?? [];
    if (!oid || oid.tag !== 0x06 || !values || values.tag !== 0x31) return undefined;
    const parsed = asn1js.fromBER(new Uint8Array(buf.subarray(oid.start, oid.end)).buffer).result;
    if (!(parsed instanceof asn1js.ObjectIdentifier)) return undefined;
    out.push({ type: parsed.valueBlock.toString(), values: (children(buf, values) ?? []).map((v) => buf.subarray(v.start, v.end)) });
  }
  return out;
}

export function splitSignedData(der: Buffer): SplitSignedData | undefined {
  const contentInfo = readTlv(der, 0, der.length);
  if (!contentInfo || contentInfo.tag !== 0x30) return undefined;
  const [oid, explicit] = children(der, contentInfo) ?? [];
  if (!oid || !explicit || explicit.tag !== 0xa0) return undefined;
  const [signedData] = children(der, explicit) ?? [];
  if (!signedData || signedData.tag !== 0x30) return undefined;
  const parts = children(der, signedData);
  if (!parts) return undefined;
  const slice = (t: Tlv): Buffer => der.subarray(t.start, t.end);
  const certSet = parts.find((p) => p.tag === 0xa0);
  const crlSet = parts.find((p) => p.tag === 0xa1);
  const certificates = certSet ? (children(der, certSet) ?? []).filter((c) => c.tag === 0x30).map(slice) : [];
  const crls = crlSet ? (children(der, crlSet) ?? []).filter((c) => c.tag === 0x30).map(slice) : [];
  // SignerInfos: the first one's unsignedAttrs [1] are cut out and read on their own.
  let unsignedAttributes: RawAttribute[] | undefined;
  const kept = parts.filter((p) => p !== certSet && p !== crlSet).map((p) => {
    if (p !== parts[parts.length - 1] || p.tag !== 0x31) return slice(p);
    const infos = children(der, p);
    if (!infos || infos.length === 0) return slice(p);
    const first = children(der, infos[0]);
    const unsigned = first?.find((f) => f.tag === 0xa1);
    if (!first || !unsigned) return slice(p);
    unsignedAttributes = readAttributes(der, unsigned);
    if (!unsignedAttributes) return slice(p);
    const info = wrap(0x30, Buffer.concat(first.filter((f) => f !== unsigned).map(slice)));
    return wrap(0x31, Buffer.concat([info, ...infos.slice(1).map(slice)]));
  });
  const reduced = wrap(0x30, Buffer.concat([slice(oid), wrap(0xa0, wrap(0x30, Buffer.concat(kept)))]));
  return { reduced, certificates, crls, unsignedAttributes };
}
