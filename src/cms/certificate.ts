/**
 * Certificate facts the signing and validation layers need (RFC 5280), read with PKI.js from DER.
 */
import { createHash, KeyObject, X509Certificate } from 'node:crypto';
import type * as Asn1js from 'asn1js';
import { asn1js } from './asn1-modules';
import { AppError } from '../errors';
import { OID, signatureHashBinding } from './algorithms';
import { children, content, derTime, minimalInteger, oidString, readTlv, smallInteger, Tlv, whole } from './der';
import { nameText } from './name-text';
import { importPublicKey, rsaModulusBits } from './public-key';
import { SignatureAlgorithm, verifySignatureValue } from './verify-signature-value';

export interface CertificateInfo {
  der: Buffer;
  subject: string;
  issuer: string;
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  keyType: 'rsa' | 'ec' | 'ed25519' | 'ed448' | 'unknown';
  keyBits: number;
  curve?: string;
  /** RFC 5280 §4.2.1.3 bit names present, or undefined when the extension is absent. */
  keyUsage?: string[];
  isCa: boolean;
  pathLen?: number;
  extendedKeyUsage?: string[];
  subjectKeyId?: Buffer;
  authorityKeyId?: Buffer;
  ocspUrls: string[];
  caIssuersUrls: string[];
  crlUrls: string[];
  /** DER of the issuer and subject Names as found in the certificate (never re-encoded). */
  issuerDer: Buffer;
  subjectDer: Buffer;
  serialDer: Buffer;
  spkiSha256: string;
  sha256: string;
  publicKey: KeyObject;
  /** OpenSSL's reading of the certificate, made on first use (it costs more than the rest of the parse). */
  readonly x509: X509Certificate;
  /**
   * The signed part, its signature algorithm and value, for checking who issued the certificate; absent
   * when the certificate is not plain DER or its two algorithm fields differ (OpenSSL then decides).
   */
  signed?: { tbs: Buffer; algorithm: SignatureAlgorithm; value: Buffer };
  /** Derived encodings cached with the certificate (e.g. its signingCertificateV2 attribute). */
  memo: Map<string, Buffer>;
}

const KEY_USAGE_BITS = [
  'digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement',
  'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly',
];

const CURVES: Record<string, { name: string; bits: number }> = {
  '1.2.840.10045.3.1.7': { name: 'P-256', bits: 256 },
  '1.3.132.0.34': { name: 'P-384', bits: 384 },
  '1.3.132.0.35': { name: 'P-521', bits: 521 },
  '1.3.36.3.3.2.8.1.1.7': { name: 'brainpoolP256r1', bits: 256 },
  '1.3.36.3.3.2.8.1.1.11': { name: 'brainpoolP384r1', bits: 384 },
  '1.3.36.3.3.2.8.1.1.13': { name: 'brainpoolP512r1', bits: 512 },
};

export function toPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/** Reads every certificate in a PEM bundle or a single DER certificate. */
export function readCertificates(data: Buffer): Buffer[] {
  const text = data.toString('latin1');
  if (text.includes('-----BEGIN CERTIFICATE-----')) {
    return [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) =>
      Buffer.from(m[1].replace(/\s+/g, ''), 'base64'),
    );
  }
  return [data];
}

/** A name as OpenSSL prints it, most significant RDN last (the text Kyso has always shown). */
function formatName(x509: X509Certificate, which: 'subject' | 'issuer'): string {
  return (x509[which] ?? '').split('\n').reverse().join(', ');
}

// Parsed facts per certificate: parsing with asn1js costs more than a signature, and the same
// certificates come back with every document. Two memo tables of immutable results: by buffer identity
// (weak) and by content hash (bounded, oldest dropped first).
const byBuffer = new WeakMap<Buffer, CertificateInfo>();
const byContent = new Map<string, CertificateInfo>();
const MAX_CACHED = 2000;

export function parseCertificate(der: Buffer): CertificateInfo {
  let info = byBuffer.get(der);
  if (info) return info;
  const key = createHash('sha256').update(der).digest('hex');
  info = byContent.get(key);
  if (!info) {
    info = parseCertificateUncached(der, key);
    if (byContent.size >= MAX_CACHED) byContent.delete(byContent.keys().next().value as string);
    byContent.set(key, info);
  }
  byBuffer.set(der, info);
  return info;
}

/**
 * The certificate's fields Kyso uses (RFC 5280 §4.1), with the original encodings of names, serial and key
 * and each extension's value as found. Read with the DER reader (readTbsDer), or with asn1js for BER
 * (readTbsBer); building a full object tree for every certificate costs more than the cryptography.
 */
interface Tbs {
  serialHex: string;
  issuerDer: Buffer;
  subjectDer: Buffer;
  serialDer: Buffer;
  spkiDer: Buffer;
  notBefore: Date;
  notAfter: Date;
  algorithmOid: string;
  /** DER of the algorithm parameters (the named curve of an EC key), if any. */
  algorithmParams?: Buffer;
  extensions: Array<{ oid: string; value: Buffer }>;
  signed?: CertificateInfo['signed'];
}

/** TBSCertificate fields (RFC 5280 §4.1) located with the DER reader; undefined if it is not plain DER, thrown if malformed. */
function readTbsDer(der: Buffer): Tbs | undefined {
  const cert = readTlv(der, 0);
  const [tbs, outerAlgorithm, signature] = (cert && cert.tag === 0x30 && cert.end === der.length ? children(der, cert) : undefined) ?? [];
  const items = tbs && tbs.tag === 0x30 ? children(der, tbs) : undefined;
  if (!items || !outerAlgorithm || outerAlgorithm.tag !== 0x30 || !signature || signature.tag !== 0x03) return undefined;
  const version = items[0]?.tag === 0xa0 ? children(der, items[0])?.[0] : undefined;
  if (items[0]?.tag === 0xa0 && (!version || version.tag !== 0x02)) return undefined;
  let i = items[0]?.tag === 0xa0 ? 1 : 0;
  const [serial, innerAlgorithm, issuer, validity, subject, spki] = items.slice(i, i + 6);
  i += 6;
  if (!serial || serial.tag !== 0x02 || !validity || !spki || spki.tag !== 0x30 || !issuer || !subject) return undefined;
  // Not a matter of BER: OpenSSL refuses a padded INTEGER in a certificate, in any encoding.
  if (!minimalInteger(der, serial) || (version && !minimalInteger(der, version))) throw new Error('an INTEGER is not minimally encoded');
  const times = children(der, validity) ?? [];
  const notBefore = times[0] && derTime(der, times[0]);
  const notAfter = times[1] && derTime(der, times[1]);
  const algorithm = children(der, children(der, spki)?.[0] as Tlv);
  if (!notBefore || !notAfter || !algorithm?.[0] || algorithm[0].tag !== 0x06) return undefined;
  const extensions: Tbs['extensions'] = [];
  const extWrapper = items.slice(i).find((t) => t.tag === 0xa3);
  const list = extWrapper ? children(der, extWrapper)?.[0] : undefined;
  for (const ext of list ? children(der, list) ?? [] : []) {
    const parts = children(der, ext);
    const value = parts?.[parts.length - 1];
    if (!parts || parts[0].tag !== 0x06 || !value || value.tag !== 0x04) return undefined;
    extensions.push({ oid: oidString(content(der, parts[0])), value: content(der, value) });
  }
  return {
    serialHex: content(der, serial).toString('hex'),
    issuerDer: whole(der, issuer),
    subjectDer: whole(der, subject),
    serialDer: whole(der, serial),
    spkiDer: whole(der, spki),
    notBefore,
    notAfter,
    algorithmOid: oidString(content(der, algorithm[0])),
    algorithmParams: algorithm[1] ? whole(der, algorithm[1]) : undefined,
    extensions,
    signed: signedPart(der, tbs, innerAlgorithm, outerAlgorithm, signature),
  };
}

/** The signed part of a DER certificate, when both algorithm fields agree and the value is whole octets. */
function signedPart(der: Buffer, tbs: Tlv, inner: Tlv | undefined, outer: Tlv, signature: Tlv): CertificateInfo['signed'] {
  if (!inner || !whole(der, inner).equals(whole(der, outer)) || signature.contentEnd === signature.contentStart || der[signature.contentStart] !== 0) return undefined;
  const [oid, params] = children(der, outer) ?? [];
  if (!oid || oid.tag !== 0x06) return undefined;
  return {
    tbs: whole(der, tbs),
    algorithm: { oid: oidString(content(der, oid)), params: params ? whole(der, params) : undefined },
    value: der.subarray(signature.contentStart + 1, signature.contentEnd),
  };
}

/** The same fields through asn1js, which also reads BER: for certificates the DER reader declines. */
function readTbsBer(der: Buffer): Tbs {
  const parsed = asn1js.fromBER(new Uint8Array(der).buffer);
  if (parsed.offset === -1) throw new Error(parsed.result.error);
  const certificate = parsed.result as Asn1js.Sequence;
  const tbs = certificate.valueBlock.value[0] as Asn1js.Sequence;
  const items = tbs.valueBlock.value;
  let i = items[0].idBlock.tagClass === 3 && items[0].idBlock.tagNumber === 0 ? 1 : 0;
  const serial = items[i++] as Asn1js.Integer;
  i++; // signature algorithm
  const issuer = items[i++];
  const validity = items[i++] as Asn1js.Sequence;
  const subject = items[i++];
  const spki = items[i++] as Asn1js.Sequence;
  const extensions: Tbs['extensions'] = [];
  for (; i < items.length; i++) {
    if (items[i].idBlock.tagClass === 3 && items[i].idBlock.tagNumber === 3) {
      const list = (items[i] as Asn1js.Constructed).valueBlock.value[0] as Asn1js.Sequence;
      for (const ext of list.valueBlock.value as Asn1js.Sequence[]) {
        const parts = ext.valueBlock.value;
        const value = parts[parts.length - 1] as Asn1js.OctetString;
        extensions.push({ oid: (parts[0] as Asn1js.ObjectIdentifier).valueBlock.toString(), value: Buffer.from(value.valueBlock.valueHexView) });
      }
    }
  }
  const time = (t: Asn1js.AsnType): Date => (t as Asn1js.UTCTime).toDate();
  const raw = (b: Asn1js.AsnType): Buffer => Buffer.from((b as Asn1js.BaseBlock).valueBeforeDecodeView);
  const algorithm = (spki.valueBlock.value[0] as Asn1js.Sequence).valueBlock.value;
  return {
    serialHex: Buffer.from(serial.valueBlock.valueHexView).toString('hex'),
    issuerDer: raw(issuer),
    subjectDer: raw(subject),
    serialDer: raw(serial),
    spkiDer: raw(spki),
    notBefore: time(validity.valueBlock.value[0]),
    notAfter: time(validity.valueBlock.value[1]),
    algorithmOid: (algorithm[0] as Asn1js.ObjectIdentifier).valueBlock.toString(),
    algorithmParams: algorithm[1] ? raw(algorithm[1]) : undefined,
    extensions,
  };
}

/** Reads the extensions Kyso uses (RFC 5280 §4.2) from their DER values; an unreadable one is skipped. */
function applyExtension(info: CertificateInfo, oid: string, value: Buffer): void {
  const top = readTlv(value, 0);
  if (!top) return;
  const items = (t: Tlv): Tlv[] => children(value, t) ?? [];
  switch (oid) {
    case '2.5.29.15': { // keyUsage BIT STRING: first content octet = unused bits
      if (top.tag !== 0x03) break;
      const bits = value.subarray(top.contentStart + 1, top.end);
      info.keyUsage = KEY_USAGE_BITS.filter((_, i) => ((bits[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0);
      break;
    }
    case '2.5.29.19': { // basicConstraints SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }
      for (const t of items(top)) {
        if (t.tag === 0x01) info.isCa = value[t.contentStart] !== 0;
        if (t.tag === 0x02) info.pathLen = smallInteger(value, t);
      }
      break;
    }
    case '2.5.29.37':
      info.extendedKeyUsage = items(top).filter((t) => t.tag === 0x06).map((t) => oidString(content(value, t)));
      break;
    case '2.5.29.14':
      if (top.tag === 0x04) info.subjectKeyId = Buffer.from(content(value, top));
      break;
    case '2.5.29.35': { // AuthorityKeyIdentifier SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, … }
      const keyId = items(top).find((t) => t.tag === 0x80);
      if (keyId) info.authorityKeyId = Buffer.from(content(value, keyId));
      break;
    }
    case '1.3.6.1.5.5.7.1.1': // AuthorityInfoAccess SEQUENCE OF { accessMethod OID, accessLocation GeneralName }
      for (const ad of items(top)) {
        const [method, location] = items(ad);
        if (!method || method.tag !== 0x06 || location?.tag !== 0x86) continue; // [6] uniformResourceIdentifier
        const url = value.toString('latin1', location.contentStart, location.end);
        const m = oidString(content(value, method));
        if (m === '1.3.6.1.5.5.7.48.1') info.ocspUrls.push(url);
        if (m === '1.3.6.1.5.5.7.48.2') info.caIssuersUrls.push(url);
      }
      break;
    case '2.5.29.31': // CRLDistributionPoints: DistributionPoint { distributionPoint [0] { fullName [0] GeneralNames } }
      for (const dp of items(top)) {
        const name = items(dp).find((t) => t.tag === 0xa0);
        const fullName = name ? items(name).find((t) => t.tag === 0xa0) : undefined;
        for (const gn of fullName ? items(fullName) : []) {
          if (gn.tag === 0x86) info.crlUrls.push(value.toString('latin1', gn.contentStart, gn.end));
        }
      }
      break;
    default:
      break;
  }
}

function parseCertificateUncached(der: Buffer, sha256: string): CertificateInfo {
  let tbs: Tbs;
  let x509: X509Certificate | undefined;
  // OpenSSL reads the certificate only when it must: a certificate that is not plain DER (so that it stays
  // one OpenSSL accepts), a name outside nameText's table, a signature check nameText's caller cannot make.
  const openssl = (): X509Certificate => (x509 ??= new X509Certificate(der));
  let publicKey: KeyObject;
  let subject: string;
  let issuer: string;
  try {
    const plain = readTbsDer(der);
    tbs = plain ?? readTbsBer(der);
    if (!plain) openssl();
    subject = nameText(tbs.subjectDer) ?? formatName(openssl(), 'subject');
    issuer = nameText(tbs.issuerDer) ?? formatName(openssl(), 'issuer');
    publicKey = importPublicKey(tbs.spkiDer, tbs.algorithmOid, tbs.algorithmParams);
  } catch (error) {
    throw new AppError('CERT_MALFORMED', 'the certificate cannot be parsed', { cause: error });
  }
  const algOid = tbs.algorithmOid;
  let keyType: CertificateInfo['keyType'] = 'unknown';
  let keyBits = 0;
  let curve: string | undefined;
  if (algOid === OID.rsaEncryption || algOid === OID.rsassaPss) {
    keyType = 'rsa';
    keyBits = rsaModulusBits(tbs.spkiDer);
  } else if (algOid === OID.ecPublicKey) {
    keyType = 'ec';
    const params = tbs.algorithmParams;
    const c = params && params[0] === 0x06 ? CURVES[oidString(params.subarray(2, 2 + params[1]))] : undefined;
    curve = c?.name;
    keyBits = c?.bits ?? 0;
  } else if (algOid === OID.ed25519) {
    keyType = 'ed25519';
    keyBits = 256;
  } else if (algOid === OID.ed448) {
    keyType = 'ed448';
    keyBits = 456;
  }
  const info: CertificateInfo = {
    der,
    subject,
    issuer,
    // The INTEGER's own bytes: Node prints negative (non-conforming) serials with a minus sign.
    serialHex: tbs.serialHex,
    notBefore: tbs.notBefore,
    notAfter: tbs.notAfter,
    keyType,
    keyBits,
    curve,
    isCa: false,
    ocspUrls: [],
    caIssuersUrls: [],
    crlUrls: [],
    issuerDer: tbs.issuerDer,
    subjectDer: tbs.subjectDer,
    serialDer: tbs.serialDer,
    spkiSha256: createHash('sha256').update(tbs.spkiDer).digest('hex'),
    sha256,
    publicKey,
    get x509() {
      return openssl();
    },
    signed: tbs.signed,
    memo: new Map(),
  };
  for (const ext of tbs.extensions) applyExtension(info, ext.oid, ext.value);
  return info;
}

/** The largest DER signature value this key can produce, for sizing placeholders. */
export function maxSignatureLength(info: CertificateInfo): number {
  if (info.keyType === 'rsa') return Math.ceil(info.keyBits / 8);
  if (info.keyType === 'ec') {
    const n = Math.ceil(info.keyBits / 8) + 1; // an INTEGER may need a leading zero
    return 2 + 2 * (2 + n) + (2 * (2 + n) > 127 ? 1 : 0);
  }
  if (info.keyType === 'ed25519') return 64;
  if (info.keyType === 'ed448') return 114;
  throw new AppError('CERT_UNSUPPORTED_KEY', 'the certificate has a key type Kyso cannot sign with');
}

/**
 * Whether the signed part is one this module checks as OpenSSL's X509_verify would: RSA PKCS#1 v1.5 with a
 * named hash, ECDSA with a DER value, EdDSA without parameters (signedPart already required the two
 * algorithm fields to agree). Anything else (RSASSA-PSS, MD5, algorithms Kyso does not name) is OpenSSL's.
 */
function checkedHere(signed: NonNullable<CertificateInfo['signed']>): boolean {
  const binding = signatureHashBinding(signed.algorithm.oid);
  if (binding.kind === 'none') return !signed.algorithm.params;
  return binding.kind === 'named' && (binding.family === 'rsa-pkcs1' || (binding.family === 'ecdsa' && signed.value[0] === 0x30));
}

/** Whether `issuer`'s key made the certificate's signature, with OpenSSL's answer (X509_verify). */
export function verifyCertificateSignature(cert: CertificateInfo, issuer: CertificateInfo): boolean {
  const signed = cert.signed;
  if (signed && checkedHere(signed)) {
    const check = verifySignatureValue(issuer.publicKey, issuer.keyType, signed.algorithm, signed.tbs, signed.value, undefined);
    if (check.outcome !== 'unsupported') return check.outcome === 'verified';
  }
  try {
    return cert.x509.verify(issuer.publicKey);
  } catch {
    return false;
  }
}
