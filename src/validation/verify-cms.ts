/**
 * Verifies a CMS SignedData (RFC 5652 §5.6) the way PAdES validators must: signed attributes are hashed
 * as found in the file (never re-encoded: some producers do not sort the DER SET), the signer is found
 * by issuer+serial or subject key identifier, and legacy forms (no signed attributes, adbe.pkcs7.sha1)
 * are handled. Returns findings; never throws for an invalid signature.
 */
import { constants, createHash, publicDecrypt, verify as cryptoVerify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CertificateInfo, digestAlgorithmFromOid, OID, parseCertificate, RawAttribute, readRevocationArchival, readSignedData, readTlv, SignedDataView, SignerInfoView } from '../cms';
import type { Message, SubIndication } from './report';
import { message } from './report';

const SHAKE256_OID = '2.16.840.1.101.3.4.2.12';
const MD5_OIDS = new Set(['1.2.840.113549.2.5', '1.2.840.113549.1.1.4']);
const PLAIN_ECDSA_PREFIX = '0.4.0.127.0.7.1.1.4.1.';

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
  signedAttributeTypes: string[];
  /** The first SignerInfo's unsigned attributes, each value as found (DER). */
  unsignedAttributes: RawAttribute[];
  signatureValue?: Buffer;
  eContent?: Buffer;
  eContentType?: string;
  signerInfoCount: number;
  crls: Buffer[];
  ocsps: Buffer[];
  messages: Message[];
}

function nodeDigestName(oid: string): { name: string; length?: number } | undefined {
  const d = digestAlgorithmFromOid(oid);
  if (d) return { name: d };
  if (oid === SHAKE256_OID) return { name: 'shake256', length: 64 };
  if (oid === '2.16.840.1.101.3.4.2.4') return { name: 'sha224' };
  if (oid === '2.16.840.1.101.3.4.2.8') return { name: 'sha3-256' };
  if (oid === '2.16.840.1.101.3.4.2.9') return { name: 'sha3-384' };
  if (oid === '2.16.840.1.101.3.4.2.10') return { name: 'sha3-512' };
  if (MD5_OIDS.has(oid)) return { name: 'md5' };
  return undefined;
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
    crls: [],
    ocsps: [],
    messages: [],
  };
  let signed: SignedDataView;
  try {
    signed = readSignedData(der);
  } catch {
    findings.messages.push(message('CMS_UNPARSEABLE', 'Không đọc được cấu trúc CMS của chữ ký', 'the CMS signature cannot be parsed'));
    return findings;
  }
  findings.parsed = true;
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
    findings.messages.push(message('CMS_NO_SIGNER', 'CMS không có người ký', 'the CMS has no SignerInfo'));
    return findings;
  }
  if (signed.signerInfos.length > 1) {
    findings.messages.push(message('CMS_SEVERAL_SIGNERS', `CMS có ${signed.signerInfos.length} người ký; người ký đầu tiên được kiểm tra`, `the CMS has ${signed.signerInfos.length} SignerInfos; the first is validated`));
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
  const digest = nodeDigestName(digestOid);
  if (!digest) {
    findings.failure = 'CRYPTO_CONSTRAINTS_FAILURE';
    findings.messages.push(message('DIGEST_UNKNOWN', `Thuật toán băm không được hỗ trợ (${digestOid})`, `unsupported digest algorithm ${digestOid}`));
    return findings;
  }
  findings.digestName = digest.name;

  // The signer certificate: issuer+serial, or subject key identifier (RFC 5652 §5.3).
  let signer: CertificateInfo | undefined;
  const sid = si.sid;
  if ('issuer' in sid) {
    const serial = sid.serial.toString('hex').replace(/^0+/, '');
    signer = findings.certificates.find((c) => c.serialHex.replace(/^0+/, '') === serial && (c.issuerDer.equals(sid.issuer) || sameName(c.issuerDer, sid.issuer)));
  } else {
    signer = findings.certificates.find((c) => c.subjectKeyId && c.subjectKeyId.equals(sid.subjectKeyId));
  }
  if (!signer) {
    findings.failure = 'NO_SIGNING_CERTIFICATE_FOUND';
    findings.messages.push(message('SIGNER_CERT_MISSING', 'Không tìm thấy chứng thư số của người ký trong chữ ký', 'the signer certificate is not in the signature'));
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
      findings.messages.push(message('NO_MESSAGE_DIGEST', 'Thiếu thuộc tính messageDigest', 'the messageDigest attribute is missing'));
      findings.failure = 'FORMAT_FAILURE';
      return findings;
    }
    const expected = findings.eContent ? hashBytes(digest.name, findings.eContent, digest.length) : contentDigest(digest.name, digest.length);
    if (!md.equals(expected)) {
      findings.failure = 'HASH_FAILURE';
      findings.messages.push(message('DIGEST_MISMATCH', 'Giá trị băm của tài liệu không khớp: nội dung đã bị thay đổi sau khi ký', 'the document digest does not match: the signed content was changed'));
      return findings;
    }
    const scv = checkSigningCertificateAttribute(si.signedAttributes, signer);
    if (scv) {
      findings.failure = 'NO_SIGNING_CERTIFICATE_FOUND';
      findings.messages.push(scv);
      return findings;
    }
  } else {
    findings.messages.push(message('NO_SIGNED_ATTRIBUTES', 'Chữ ký không có thuộc tính ký (dạng cũ)', 'the signature has no signed attributes (legacy form)'));
    signedBytes = findings.eContent ?? Buffer.alloc(0);
    if (!findings.eContent) {
      // Without signed attributes the signature is over the content itself: verify against the ranges' digest.
      return verifyOverDigest(findings, signer, si, contentDigest(digest.name, digest.length), digest.name);
    }
  }
  if (options.expectEncapsulated === 'sha1' && findings.eContent) {
    const sha1 = contentDigest('sha1');
    if (!findings.eContent.equals(sha1)) {
      findings.failure = 'HASH_FAILURE';
      findings.messages.push(message('DIGEST_MISMATCH', 'Giá trị băm SHA-1 của tài liệu không khớp', 'the encapsulated SHA-1 digest does not match the document'));
      return findings;
    }
  }
  const ok = verifySignatureValue(signer, si, signedBytes, digest.name);
  if (ok === 'unsupported') {
    findings.failure = 'CRYPTO_CONSTRAINTS_FAILURE';
    findings.messages.push(message('SIG_ALG_UNSUPPORTED', `Thuật toán chữ ký không được hỗ trợ (${sigOid})`, `unsupported signature algorithm ${sigOid}`));
    return findings;
  }
  if (!ok) {
    findings.failure = 'SIG_CRYPTO_FAILURE';
    findings.messages.push(message('SIGNATURE_INVALID', 'Giá trị chữ ký không hợp lệ với khóa công khai của người ký', 'the signature value does not verify with the signer key'));
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

function verifyOverDigest(findings: CmsFindings, signer: CertificateInfo, si: SignerInfoView, digest: Buffer, digestName: string): CmsFindings {
  // RSA PKCS#1 v1.5 over a precomputed digest: recover and compare the DigestInfo.
  const key = signer.publicKey;
  let ok = false;
  try {
    if (signer.keyType === 'rsa') {
      const recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, si.signature);
      ok = recovered.subarray(recovered.length - digest.length).equals(digest);
    } else {
      ok = verifySignatureValue(signer, si, Buffer.alloc(0), digestName, digest) === true;
    }
  } catch {
    ok = false;
  }
  findings.intact = ok;
  findings.failure = ok ? null : 'HASH_FAILURE';
  if (!ok) findings.messages.push(message('SIGNATURE_INVALID', 'Chữ ký không khớp với nội dung tài liệu', 'the signature does not match the document content'));
  return findings;
}

export function verifySignatureValue(signer: CertificateInfo, si: SignerInfoView, data: Buffer, digestName: string, prehashed?: Buffer): boolean | 'unsupported' {
  const signature = si.signature;
  const sigOid = si.signatureAlgorithm;
  const key = signer.publicKey;
  try {
    if (sigOid === OID.ed25519 || sigOid === OID.ed448) return cryptoVerify(null, data, key, signature);
    if (MD5_OIDS.has(sigOid)) return 'unsupported';
    if (sigOid === OID.rsassaPss) {
      const params = si.signatureParams ? new pkijs.RSASSAPSSParams({ schema: asn1js.fromBER(new Uint8Array(si.signatureParams).buffer).result }) : undefined;
      const hash = params ? nodeDigestName(params.hashAlgorithm.algorithmId)?.name ?? 'sha1' : 'sha1';
      return cryptoVerify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: params?.saltLength ?? 20 }, signature);
    }
    if (sigOid.startsWith(PLAIN_ECDSA_PREFIX)) {
      return prehashed ? false : cryptoVerify(digestName, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    }
    if (signer.keyType === 'ec') {
      const dsaEncoding = signature[0] === 0x30 ? 'der' : 'ieee-p1363';
      return cryptoVerify(digestName, data, { key, dsaEncoding }, signature);
    }
    if (signer.keyType === 'rsa') return cryptoVerify(digestName, data, key, signature);
    return 'unsupported';
  } catch {
    return false;
  }
}

/** signingCertificate / signingCertificateV2 must name the signer certificate (RFC 2634 §5.4, RFC 5035). */
function checkSigningCertificateAttribute(attributes: RawAttribute[], signer: CertificateInfo): Message | undefined {
  const v2 = attributes.find((a) => a.type === OID.signingCertificateV2);
  const v1 = attributes.find((a) => a.type === OID.signingCertificate);
  const attr = v2 ?? v1;
  if (!attr) return undefined;
  try {
    const value = asn1js.fromBER(new Uint8Array(attr.values[0]).buffer).result as asn1js.Sequence;
    const certs = value.valueBlock.value[0] as asn1js.Sequence;
    const first = certs.valueBlock.value[0] as asn1js.Sequence;
    const parts = first.valueBlock.value;
    let hashName = v2 ? 'sha256' : 'sha1';
    let hashIndex = 0;
    if (v2 && parts[0] instanceof asn1js.Sequence) {
      hashName = nodeDigestName(new pkijs.AlgorithmIdentifier({ schema: parts[0] }).algorithmId)?.name ?? 'sha256';
      hashIndex = 1;
    }
    const certHash = Buffer.from((parts[hashIndex] as asn1js.OctetString).valueBlock.valueHexView);
    if (!hashBytes(hashName, signer.der).equals(certHash)) {
      return message('SIGNING_CERT_MISMATCH', 'Thuộc tính signingCertificate không khớp với chứng thư số của người ký', 'the signing-certificate attribute does not match the signer certificate');
    }
  } catch {
    return message('SIGNING_CERT_UNREADABLE', 'Không đọc được thuộc tính signingCertificate', 'the signing-certificate attribute cannot be read');
  }
  return undefined;
}

function collectAdbeRevocation(value: Buffer, findings: CmsFindings): void {
  const archival = readRevocationArchival(value);
  findings.crls.push(...archival.crls);
  findings.ocsps.push(...archival.ocsps);
}

function sameName(a: Buffer, b: Buffer): boolean {
  try {
    const x = new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(new Uint8Array(a).buffer).result });
    const y = new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(new Uint8Array(b).buffer).result });
    return x.isEqual(y);
  } catch {
    return false;
  }
}
