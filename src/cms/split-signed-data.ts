/**
 * Takes the certificates out of a DER ContentInfo(SignedData) before it is parsed (RFC 5652 §5.1): they
 * are returned as found (for the certificate cache) and the rest is re-wrapped with fresh lengths, so the
 * BER parser never builds objects for certificates it does not need. Returns undefined for anything that
 * is not plain definite-length DER; callers then parse the whole thing.
 */
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

export function splitSignedDataCertificates(der: Buffer): { reduced: Buffer; certificates: Buffer[] } | undefined {
  const contentInfo = readTlv(der, 0, der.length);
  if (!contentInfo || contentInfo.tag !== 0x30) return undefined;
  const [oid, explicit] = children(der, contentInfo) ?? [];
  if (!oid || !explicit || explicit.tag !== 0xa0) return undefined;
  const [signedData] = children(der, explicit) ?? [];
  if (!signedData || signedData.tag !== 0x30) return undefined;
  const parts = children(der, signedData);
  if (!parts) return undefined;
  const certSet = parts.find((p) => p.tag === 0xa0);
  if (!certSet) return { reduced: der.subarray(0, contentInfo.end), certificates: [] };
  const certificates = (children(der, certSet) ?? []).filter((c) => c.tag === 0x30).map((c) => der.subarray(c.start, c.end));
  const rest = Buffer.concat(parts.filter((p) => p !== certSet).map((p) => der.subarray(p.start, p.end)));
  const reduced = wrap(0x30, Buffer.concat([der.subarray(oid.start, oid.end), wrap(0xa0, wrap(0x30, rest))]));
  return { reduced, certificates };
}
