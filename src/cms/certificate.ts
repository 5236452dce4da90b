/**
 * Certificate facts the signing and validation layers need (RFC 5280), read with PKI.js from DER.
 */
import { createHash, KeyObject, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AppError } from '../errors';
import { OID } from './algorithms';

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
  x509: X509Certificate;
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

function formatName(x509: X509Certificate, which: 'subject' | 'issuer'): string {
  return x509[which].split('\n').reverse().join(', ');
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
    info = parseCertificateUncached(der);
    if (byContent.size >= MAX_CACHED) byContent.delete(byContent.keys().next().value as string);
    byContent.set(key, info);
  }
  byBuffer.set(der, info);
  return info;
}

/**
 * The certificate's top-level fields read straight from the DER with asn1js (RFC 5280 §4.1), keeping the
 * original encodings of names, serial and key; only the extensions go through PKI.js. Parsing the whole
 * certificate with PKI.js's schema matcher costs several times more and re-encodes the names.
 */
function readTbs(der: Buffer) {
  const parsed = asn1js.fromBER(new Uint8Array(der).buffer);
  if (parsed.offset === -1) throw new Error(parsed.result.error);
  const certificate = parsed.result as asn1js.Sequence;
  const tbs = certificate.valueBlock.value[0] as asn1js.Sequence;
  const items = tbs.valueBlock.value;
  let i = items[0].idBlock.tagClass === 3 && items[0].idBlock.tagNumber === 0 ? 1 : 0;
  const serial = items[i++] as asn1js.Integer;
  i++; // signature algorithm
  const issuer = items[i++];
  const validity = items[i++] as asn1js.Sequence;
  const subject = items[i++];
  const spki = items[i++] as asn1js.Sequence;
  const extensions: pkijs.Extension[] = [];
  for (; i < items.length; i++) {
    if (items[i].idBlock.tagClass === 3 && items[i].idBlock.tagNumber === 3) {
      const list = (items[i] as asn1js.Constructed).valueBlock.value[0] as asn1js.Sequence;
      for (const ext of list.valueBlock.value) extensions.push(new pkijs.Extension({ schema: ext }));
    }
  }
  const time = (t: asn1js.AsnType): Date => (t as asn1js.UTCTime).toDate();
  const raw = (b: asn1js.AsnType): Buffer => Buffer.from((b as asn1js.BaseBlock).valueBeforeDecodeView);
  const algorithm = (spki.valueBlock.value[0] as asn1js.Sequence).valueBlock.value;
  return {
    serial,
    issuerDer: raw(issuer),
    subjectDer: raw(subject),
    serialDer: raw(serial),
    spkiDer: raw(spki),
    notBefore: time(validity.valueBlock.value[0]),
    notAfter: time(validity.valueBlock.value[1]),
    algorithmOid: (algorithm[0] as asn1js.ObjectIdentifier).valueBlock.toString(),
    algorithmParams: algorithm[1],
    extensions,
  };
}

function parseCertificateUncached(der: Buffer): CertificateInfo {
  let tbs: ReturnType<typeof readTbs>;
  let x509: X509Certificate;
  try {
    tbs = readTbs(der);
    x509 = new X509Certificate(der);
  } catch (error) {
    throw new AppError('CERT_MALFORMED', 'the certificate cannot be parsed', { cause: error });
  }
  const algOid = tbs.algorithmOid;
  let keyType: CertificateInfo['keyType'] = 'unknown';
  let keyBits = 0;
  let curve: string | undefined;
  if (algOid === OID.rsaEncryption || algOid === OID.rsassaPss) {
    keyType = 'rsa';
    keyBits = x509.publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  } else if (algOid === OID.ecPublicKey) {
    keyType = 'ec';
    const params = tbs.algorithmParams;
    const c = params instanceof asn1js.ObjectIdentifier ? CURVES[params.valueBlock.toString()] : undefined;
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
    subject: formatName(x509, 'subject'),
    issuer: formatName(x509, 'issuer'),
    // The INTEGER's own bytes: Node prints negative (non-conforming) serials with a minus sign.
    serialHex: Buffer.from(tbs.serial.valueBlock.valueHexView).toString('hex'),
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
    sha256: createHash('sha256').update(der).digest('hex'),
    publicKey: x509.publicKey,
    x509,
    memo: new Map(),
  };
  for (const ext of tbs.extensions) {
    // parsedValue decodes on every access: read it only for the extensions used here.
    const known = ['2.5.29.15', '2.5.29.19', '2.5.29.37', '2.5.29.14', '2.5.29.35', '1.3.6.1.5.5.7.1.1', '2.5.29.31'];
    if (!known.includes(ext.extnID)) continue;
    const parsed = ext.parsedValue as unknown;
    switch (ext.extnID) {
      case '2.5.29.15': {
        const bits = parsed as asn1js.BitString;
        const view = new Uint8Array(bits.valueBlock.valueHexView);
        info.keyUsage = KEY_USAGE_BITS.filter((_, i) => ((view[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0);
        break;
      }
      case '2.5.29.19': {
        const bc = parsed as pkijs.BasicConstraints;
        info.isCa = !!bc.cA;
        if (bc.pathLenConstraint !== undefined) {
          const p = bc.pathLenConstraint as unknown;
          info.pathLen = typeof p === 'number' ? p : (p as asn1js.Integer).valueBlock.valueDec;
        }
        break;
      }
      case '2.5.29.37':
        info.extendedKeyUsage = (parsed as pkijs.ExtKeyUsage).keyPurposes;
        break;
      case '2.5.29.14':
        info.subjectKeyId = Buffer.from((parsed as asn1js.OctetString).valueBlock.valueHexView);
        break;
      case '2.5.29.35': {
        const aki = parsed as pkijs.AuthorityKeyIdentifier;
        if (aki.keyIdentifier) info.authorityKeyId = Buffer.from(aki.keyIdentifier.valueBlock.valueHexView);
        break;
      }
      case '1.3.6.1.5.5.7.1.1':
        for (const ad of (parsed as pkijs.InfoAccess).accessDescriptions) {
          const url = ad.accessLocation.type === 6 ? String(ad.accessLocation.value) : undefined;
          if (!url) continue;
          if (ad.accessMethod === '1.3.6.1.5.5.7.48.1') info.ocspUrls.push(url);
          if (ad.accessMethod === '1.3.6.1.5.5.7.48.2') info.caIssuersUrls.push(url);
        }
        break;
      case '2.5.29.31':
        for (const dp of (parsed as pkijs.CRLDistributionPoints).distributionPoints) {
          const names = Array.isArray(dp.distributionPoint) ? dp.distributionPoint : [];
          for (const gn of names) if (gn.type === 6) info.crlUrls.push(String(gn.value));
        }
        break;
      default:
        break;
    }
  }
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
