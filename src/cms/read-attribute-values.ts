/**
 * Attribute values a validator reads from a signature, as found: Adobe's RevocationInfoArchival
 * (adbe-revocationInfoArchival, ISO 32000-1 §12.8.3.3.2) and an RFC 3161 TSTInfo. DER is read with the
 * DER reader; anything else through asn1js/PKI.js.
 */
import type * as Asn1js from 'asn1js';
import { asn1js, pkijs } from './asn1-modules';
import { children, content, derTime, oidString, readTlv, whole } from './der';

/** RevocationInfoArchival ::= SEQUENCE { crl [0] EXPLICIT SEQUENCE OF CRL, ocsp [1] EXPLICIT SEQUENCE OF OCSPResponse, … } */
export function readRevocationArchival(value: Buffer): { crls: Buffer[]; ocsps: Buffer[] } {
  const out = { crls: [] as Buffer[], ocsps: [] as Buffer[] };
  const top = readTlv(value, 0);
  const tagged = top?.tag === 0x30 ? children(value, top) : undefined;
  if (tagged) {
    for (const t of tagged) {
      const list = children(value, t)?.[0];
      const items = list ? children(value, list) ?? [] : [];
      if (t.tag === 0xa0) out.crls.push(...items.map((i) => whole(value, i)));
      if (t.tag === 0xa1) out.ocsps.push(...items.map((i) => whole(value, i)));
    }
    return out;
  }
  try {
    const archival = asn1js.fromBER(new Uint8Array(value).buffer).result as Asn1js.Sequence;
    for (const t of archival.valueBlock.value as Asn1js.Constructed[]) {
      for (const item of (t.valueBlock.value[0] as Asn1js.Sequence)?.valueBlock.value ?? []) {
        if (t.idBlock.tagNumber === 0) out.crls.push(Buffer.from(item.toBER()));
        if (t.idBlock.tagNumber === 1) out.ocsps.push(Buffer.from(item.toBER()));
      }
    }
  } catch {
    // malformed archival data is ignored; revocation is then looked up elsewhere
  }
  return out;
}

export interface TstInfoView {
  hashAlgorithm: string;
  hashedMessage: Buffer;
  genTime: Date;
  /** The accuracy the TSA claims (RFC 3161 §2.4.2), in milliseconds; 0 when absent. */
  accuracyMs: number;
}

/** TSTInfo (RFC 3161 §2.4.2): version, policy, messageImprint { hashAlgorithm, hashedMessage }, serialNumber, genTime, … */
export function readTstInfo(der: Buffer): TstInfoView | undefined {
  const top = readTlv(der, 0);
  const parts = top?.tag === 0x30 ? children(der, top) : undefined;
  const imprint = parts?.[2]?.tag === 0x30 ? children(der, parts[2]) : undefined;
  const algorithm = imprint?.[0]?.tag === 0x30 ? children(der, imprint[0])?.[0] : undefined;
  const genTime = parts?.[4] ? derTime(der, parts[4]) : undefined;
  if (algorithm?.tag === 0x06 && imprint?.[1]?.tag === 0x04 && genTime) {
    return { hashAlgorithm: oidString(content(der, algorithm)), hashedMessage: content(der, imprint[1]), genTime, accuracyMs: parts?.[5]?.tag === 0x30 ? accuracyOf(der, parts[5]) : 0 };
  }
  try {
    const tst = new pkijs.TSTInfo({ schema: asn1js.fromBER(new Uint8Array(der).buffer).result });
    const accuracy = tst.accuracy;
    const accuracyMs = accuracy ? (accuracy.seconds ?? 0) * 1000 + (accuracy.millis ?? 0) + (accuracy.micros ?? 0) / 1000 : 0;
    return { hashAlgorithm: tst.messageImprint.hashAlgorithm.algorithmId, hashedMessage: Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView), genTime: tst.genTime, accuracyMs };
  } catch {
    return undefined;
  }
}

/** Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] INTEGER OPTIONAL, micros [1] INTEGER OPTIONAL }, in ms. */
function accuracyOf(der: Buffer, tlv: NonNullable<ReturnType<typeof readTlv>>): number {
  let ms = 0;
  for (const part of children(der, tlv) ?? []) {
    const value = content(der, part).reduce((n, b) => n * 256 + b, 0);
    if (part.tag === 0x02) ms += value * 1000;
    else if (part.tag === 0x80) ms += value;
    else if (part.tag === 0x81) ms += value / 1000;
  }
  return ms;
}
