/**
 * Verifies a CMS SignedData (RFC 5652 §5.6) the way PAdES validators must: signed attributes are hashed
 * as found in the file (never re-encoded: some producers do not sort the DER SET), the signer is found
 * by issuer+serial or subject key identifier, and legacy forms (no signed attributes, adbe.pkcs7.sha1)
 * are handled. Returns findings; never throws for an invalid signature.
 */
import { constants, createHash, publicDecrypt } from 'node:crypto';
import type * as Asn1js from 'asn1js';
import { asn1js, CertificateInfo, children, content, oidString, nodeDigestFromOid, OID, parseCertificate, pkijs, RawAttribute, readRevocationArchival, readSignedData, readTlv, sameName, SignedDataView, SignerInfoView, verifySignatureValue } from '../cms';
import { say } from './messages';
import type { Message, SubIndication } from './report';
export type ContentDigest = (algorithm: string, outputLength?: number) => Buffer;

export interface CmsFindings {
  parsed: boolean;
  intact: boolean;
  failure: SubIndication | null;
  signer?: CertificateInfo;
  certificates: CertificateInfo[];
  digestAlgorithm: string | null;
  signatureAlgorithm: string | null;
  /** Node hash name of the message digest algorithm, when known. */
  digestName?: string;
  /** The hash the signature value was verified with (the one its signatureAlgorithm binds); null for pure EdDSA. */
  signatureHash?: string | null;
  signedAttributeTypes: string[];
  /** The first SignerInfo's unsigned attributes, each value as found (DER). */
  unsignedAttributes: RawAttribute[];
  signatureValue?: Buffer;
  eContent?: Buffer;
  eContentType?: string;
  signerInfoCount: number;
  /** Non-zero bytes follow the CMS structure inside /Contents: data smuggled into the unsigned gap. */
  trailingData: boolean;
  crls: Buffer[];
  ocsps: Buffer[];
  messages: Message[];
}

function hashBytes(name: string, data: Buffer, length?: number): Buffer {
  return createHash(name, length ? { outputLength: length } : undefined).update(data).digest();
}

export function verifyCms(der: Buffer, contentDigest: ContentDigest, options: { expectEncapsulated?: 'tstinfo' | 'sha1' } = {}): CmsFindings {
  const findings: CmsFindings = {
    parsed: false,
    intact: false,
    failure: 'FORMAT_FAILURE',
    certificates: [],
    digestAlgorithm: null,
    signatureAlgorithm: null,
    signedAttributeTypes: [],
    unsignedAttributes: [],
    signerInfoCount: 0,
    trailingData: false,
    crls: [],
    ocsps: [],
    messages: [],
  };
  let signed: SignedDataView;
  try {
    signed = readSignedData(der);
  } catch {
    findings.messages.push(say('CMS_UNPARSEABLE'));
    return findings;
  }
  findings.parsed = true;
  // /Contents holds the DER object, padded with zero bytes only (ISO 32000-2 §12.8.3.3).
  const outer = readTlv(der, 0);
  // Compared with zeros by the runtime (the padding is often kilobytes; a byte-by-byte callback costs more).
  if (outer && outer.end < der.length && !der.subarray(outer.end).equals(Buffer.alloc(der.length - outer.end))) {
    findings.trailingData = true;
    findings.messages.push(say('CONTENTS_TRAILING_DATA'));
  }
  for (const c of signed.certificates) {
    try {
      findings.certificates.push(parseCertificate(c));
    } catch {
      // an unreadable extra certificate does not stop validation
    }
  }
  findings.crls.push(...signed.crls);
  findings.signerInfoCount = signed.signerInfos.length;
  if (signed.signerInfos.length === 0) {
    findings.messages.push(say('CMS_NO_SIGNER'));
    return findings;
  }
  if (signed.signerInfos.length > 1) {
    findings.messages.push(say('CMS_SEVERAL_SIGNERS', { count: signed.signerInfos.length }));
  }
  findings.eContentType = signed.eContentType;
  findings.eContent = signed.eContent;
  const si = signed.signerInfos[0];
  const digestOid = si.digestAlgorithm;
  const sigOid = si.signatureAlgorithm;
  findings.digestAlgorithm = digestOid;
  findings.signatureAlgorithm = sigOid;
  findings.signatureValue = si.signature;
  findings.unsignedAttributes = si.unsignedAttributes;
  // Adobe signatures carry the revocation data they were checked with (signed, or unsigned by some producers).
  for (const a of [...si.signedAttributes, ...si.unsignedAttributes]) {
    if (a.type === OID.adbeRevocationInfoArchival && a.values[0]) collectAdbeRevocation(a.values[0], findings);
  }
  const nodeDigest = nodeDigestFromOid(digestOid);
  const digest = nodeDigest ? { name: nodeDigest.name, length: nodeDigest.outputLength } : undefined;
  if (!digest) {
    findings.failure = 'CRYPTO_CONSTRAINTS_FAILURE';
    findings.messages.push(say('DIGEST_UNKNOWN', { oid: digestOid }));
    return findings;
  }
  findings.digestName = digest.name;

  // The signer certificate: issuer+serial, or subject key identifier (RFC 5652 §5.3).
  let signer: CertificateInfo | undefined;
  const sid = si.sid;
  if ('issuer' in sid) {
    const serial = sid.serial.toString('hex').replace(/^0+/, '');
    signer = findings.certificates.find((c) => c.serialHex.replace(/^0+/, '') === serial && sameName(c.issuerDer, sid.issuer));
  } else {
    signer = findings.certificates.find((c) => c.subjectKeyId && c.subjectKeyId.equals(sid.subjectKeyId));
  }
  if (!signer) {
    findings.failure = 'NO_SIGNING_CERTIFICATE_FOUND';
    findings.messages.push(say('SIGNER_CERT_MISSING'));
    return findings;
  }
  findings.signer = signer;

  // What was signed: the signed attributes as found, or the content itself.
  let signedBytes: Buffer;
  if (si.signedAttributesDer && si.signedAttributes.length > 0) {
    findings.signedAttributeTypes = si.signedAttributes.map((a) => a.type);
    signedBytes = si.signedAttributesDer;
    const md = octetString(si.signedAttributes.find((a) => a.type === OID.messageDigest)?.values[0]);
    if (!md) {
      findings.messages.push(say('NO_MESSAGE_DIGEST'));
      findings.failure = 'FORMAT_FAILURE';
      return findings;
    }
    const expected = findings.eContent ? hashBytes(digest.name, findings.eContent, digest.length) : contentDigest(digest.name, digest.length);
    if (!md.equals(expected)) {
      findings.failure = 'HASH_FAILURE';
      findings.messages.push(say('DIGEST_MISMATCH'));
      return findings;
    }
    const scv = checkSigningCertificateAttribute(si.signedAttributes, signer);
    if (scv) {
      findings.failure = 'NO_SIGNING_CERTIFICATE_FOUND';
      findings.messages.push(scv);
      return findings;
    }
  } else {
    findings.messages.push(say('NO_SIGNED_ATTRIBUTES'));
    signedBytes = findings.eContent ?? Buffer.alloc(0);
    if (!findings.eContent) {
      // Without signed attributes the signature is over the content itself: verify against the ranges' digest.
      return verifyOverDigest(findings, signer, si, contentDigest(digest.name, digest.length));
    }
  }
  if (options.expectEncapsulated === 'sha1' && findings.eContent) {
    const sha1 = contentDigest('sha1');
    if (!findings.eContent.equals(sha1)) {
      findings.failure = 'HASH_FAILURE';
      findings.messages.push(say('SHA1_DIGEST_MISMATCH'));
      return findings;
    }
  }
  const algorithm = { oid: sigOid, params: si.signatureParams };
  const check = verifySignatureValue(signer.publicKey, signer.keyType, algorithm, signedBytes, si.signature, digest.name);
  if (check.outcome === 'unsupported') {
    findings.failure = 'CRYPTO_CONSTRAINTS_FAILURE';
    findings.messages.push(say('SIG_ALG_UNSUPPORTED', { oid: sigOid }));
    return findings;
  }
  findings.signatureHash = check.hash;
  if (check.outcome === 'failed') {
    findings.failure = 'SIG_CRYPTO_FAILURE';
    // RFC 5652 §5.6: the value is checked with the hash its signatureAlgorithm names. A value that only
    // verifies with the SignerInfo's digestAlgorithm was made for another algorithm than the one declared.
    const substituted = check.hash && check.hash !== digest.name
      && verifySignatureValue(signer.publicKey, signer.keyType, algorithm, signedBytes, si.signature, digest.name, digest.name).outcome === 'verified';
    findings.messages.push(substituted ? say('ALGORITHM_BINDING', { signatureHash: check.hash as string, digestHash: digest.name }) : say('SIGNATURE_INVALID'));
    return findings;
  }
  findings.intact = true;
  findings.failure = null;
  return findings;
}

/** The content octets of a DER OCTET STRING value, or undefined. */
function octetString(value: Buffer | undefined): Buffer | undefined {
  const t = value ? readTlv(value, 0) : undefined;
  if (t && t.tag === 0x04) return value?.subarray(t.contentStart, t.end);
  try {
    const parsed = value ? asn1js.fromBER(new Uint8Array(value).buffer).result : undefined;
    return parsed instanceof asn1js.OctetString ? Buffer.from(parsed.getValue()) : undefined;
  } catch {
    return undefined;
  }
}

function verifyOverDigest(findings: CmsFindings, signer: CertificateInfo, si: SignerInfoView, digest: Buffer): CmsFindings {
  // RSA PKCS#1 v1.5 over a precomputed digest: recover and compare the DigestInfo.
  const key = signer.publicKey;
  let ok = false;
  try {
    if (signer.keyType === 'rsa') {
      const recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, si.signature);
      ok = recovered.subarray(recovered.length - digest.length).equals(digest);
    } else {
      ok = false; // without signed attributes only RSA can be checked over a precomputed digest
    }
  } catch {
    ok = false;
  }
  findings.intact = ok;
  findings.failure = ok ? null : 'HASH_FAILURE';
  if (!ok) findings.messages.push(say('SIGNATURE_OVER_CONTENT_INVALID'));
  return findings;
}

/** signingCertificate / signingCertificateV2 must name the signer certificate (RFC 2634 §5.4, RFC 5035). */
function checkSigningCertificateAttribute(attributes: RawAttribute[], signer: CertificateInfo): Message | undefined {
  const v2 = attributes.find((a) => a.type === OID.signingCertificateV2);
  const v1 = attributes.find((a) => a.type === OID.signingCertificate);
  const attr = v2 ?? v1;
  if (!attr) return undefined;
  try {
    const { hashName, certHash } = readFirstCertId(attr.values[0], !!v2) ?? readFirstCertIdBer(attr.values[0], !!v2);
    if (!hashBytes(hashName, signer.der).equals(certHash)) {
      return say('SIGNING_CERT_MISMATCH');
    }
  } catch {
    return say('SIGNING_CERT_UNREADABLE');
  }
  return undefined;
}

interface CertId {
  hashName: string;
  certHash: Buffer;
}

/**
 * The first ESSCertID(v2) of a SigningCertificate(V2) value in DER (RFC 5035, RFC 2634): its hash
 * algorithm (SHA-256 by default in v2, always SHA-1 in v1) and certificate hash; undefined when it is not DER.
 */
function readFirstCertId(value: Buffer, v2: boolean): CertId | undefined {
  const top = readTlv(value, 0);
  const certs = top?.tag === 0x30 ? children(value, top)?.[0] : undefined;
  const first = certs?.tag === 0x30 ? children(value, certs)?.[0] : undefined;
  const parts = first?.tag === 0x30 ? children(value, first) : undefined;
  if (!parts) return undefined;
  let hashName = v2 ? 'sha256' : 'sha1';
  let at = 0;
  if (v2 && parts[0]?.tag === 0x30) {
    const algorithm = children(value, parts[0])?.[0];
    if (algorithm?.tag !== 0x06) return undefined;
    hashName = nodeDigestFromOid(oidString(content(value, algorithm)))?.name ?? 'sha256';
    at = 1;
  }
  const hash = parts[at];
  return hash?.tag === 0x04 ? { hashName, certHash: content(value, hash) } : undefined;
}

/** The same read through asn1js, for a value in BER (indefinite lengths); throws when it cannot be read. */
function readFirstCertIdBer(value: Buffer, v2: boolean): CertId {
  const parsed = asn1js.fromBER(new Uint8Array(value).buffer).result as Asn1js.Sequence;
  const certs = parsed.valueBlock.value[0] as Asn1js.Sequence;
  const first = certs.valueBlock.value[0] as Asn1js.Sequence;
  const parts = first.valueBlock.value;
  let hashName = v2 ? 'sha256' : 'sha1';
  let hashIndex = 0;
  if (v2 && parts[0] instanceof asn1js.Sequence) {
    hashName = nodeDigestFromOid(new pkijs.AlgorithmIdentifier({ schema: parts[0] }).algorithmId)?.name ?? 'sha256';
    hashIndex = 1;
  }
  return { hashName, certHash: Buffer.from((parts[hashIndex] as Asn1js.OctetString).valueBlock.valueHexView) };
}

function collectAdbeRevocation(value: Buffer, findings: CmsFindings): void {
  const archival = readRevocationArchival(value);
  findings.crls.push(...archival.crls);
  findings.ocsps.push(...archival.ocsps);
}
