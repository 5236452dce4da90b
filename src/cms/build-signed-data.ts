/**
 * Builds CAdES signatures for PAdES (ETSI EN 319 122-1 §5.2, EN 319 142-1 §6.3): a detached CMS
 * SignedData whose signed attributes are exactly contentType, messageDigest and signingCertificateV2
 * (RFC 5035). No signingTime: PAdES puts the claimed time in the signature dictionary's /M.
 */
import { createHash } from 'node:crypto';
import type * as Pkijs from 'pkijs';
import {
  digestAlgorithmDer,
  OID,
  signatureAlgorithmDer,
  SignatureScheme,
  SigningDigestAlgorithm,
} from './algorithms';
import { parseCertificate } from './certificate';
import { encodeOid, encodeSmallInteger, octetString, sequence, setOf, wrap } from './der';

export interface SignedAttributesInput {
  /** Digest of the signed byte ranges. */
  contentDigest: Buffer;
  digestAlgorithm: SigningDigestAlgorithm;
  signerCertificate: Buffer;
  /** The content type signed (RFC 5652 §11.1): id-data for PAdES, id-ct-TSTInfo for a time-stamp token. */
  contentType?: string;
}

/** ESSCertIDv2 with issuerSerial (RFC 5035 §4); hashAlgorithm omitted when SHA-256 (its DEFAULT). */
function signingCertificateV2(cert: Buffer, digest: SigningDigestAlgorithm): Buffer {
  const info = parseCertificate(cert);
  const cached = info.memo.get(`scv2:${digest}`);
  if (cached) return cached;
  // IssuerSerial: GeneralNames holding the issuer as directoryName [4] (explicit, since Name is a CHOICE).
  const issuerSerial = sequence(sequence(wrap(0xa4, info.issuerDer)), info.serialDer);
  const essCertId = sequence(
    ...(digest === 'sha256' ? [] : [digestAlgorithmDer(digest)]),
    octetString(createHash(digest).update(cert).digest()),
    issuerSerial,
  );
  const der = sequence(sequence(essCertId));
  info.memo.set(`scv2:${digest}`, der);
  return der;
}

const attribute = (type: string, value: Buffer): Buffer => sequence(encodeOid(type), setOf([value]));

/** The signed attributes in DER SET order (X.690 §11.6), and the exact bytes the signer must sign. */
export function buildSignedAttributes(input: SignedAttributesInput): Buffer {
  return setOf([
    attribute(OID.contentType, encodeOid(input.contentType ?? OID.data)),
    attribute(OID.messageDigest, octetString(input.contentDigest)),
    attribute(OID.signingCertificateV2, signingCertificateV2(input.signerCertificate, input.digestAlgorithm)),
  ]);
}

export interface SignedDataInput {
  /** The DER SET of signed attributes exactly as signed (from buildSignedAttributes). */
  signedAttributes: Buffer;
  signatureValue: Buffer;
  digestAlgorithm: SigningDigestAlgorithm;
  scheme: SignatureScheme;
  /** Leaf first; every certificate is embedded (ETSI EN 319 142-1 §6.3 f). */
  certificates: Buffer[];
  unsignedAttributes?: Pkijs.Attribute[];
  /** Encapsulated content (a time-stamp token's TSTInfo); PAdES signatures are detached and have none. */
  encapsulated?: { type: string; content: Buffer };
}

/**
 * SignedData (RFC 5652 §5) written as DER around pre-encoded parts: certificates, the signer's issuer and
 * serial, and the signed attributes go in byte for byte, so what was signed is what is sent.
 */
export function buildSignedData(input: SignedDataInput): Buffer {
  const leaf = parseCertificate(input.certificates[0]);
  // [0] IMPLICIT SET OF Attribute: same content octets as the signed DER SET, different tag (§5.4).
  const signedAttrs = Buffer.from(input.signedAttributes);
  signedAttrs[0] = 0xa0;
  const unsigned = input.unsignedAttributes?.length
    ? [wrap(0xa1, Buffer.concat(input.unsignedAttributes.map((a) => Buffer.from(a.toSchema().toBER()))))]
    : [];
  const signerInfo = sequence(
    encodeSmallInteger(1),
    sequence(leaf.issuerDer, leaf.serialDer),
    digestAlgorithmDer(input.digestAlgorithm),
    signedAttrs,
    signatureAlgorithmDer(input.scheme, input.digestAlgorithm),
    octetString(input.signatureValue),
    ...unsigned,
  );
  const encapsulated = input.encapsulated
    ? sequence(encodeOid(input.encapsulated.type), wrap(0xa0, octetString(input.encapsulated.content)))
    : sequence(encodeOid(OID.data));
  const signedData = sequence(
    // RFC 5652 §5.1: version 3 when the encapsulated content is not id-data (a TSTInfo).
    encodeSmallInteger(input.encapsulated && input.encapsulated.type !== OID.data ? 3 : 1),
    setOf([digestAlgorithmDer(input.digestAlgorithm)]),
    encapsulated,
    wrap(0xa0, Buffer.concat(input.certificates)),
    setOf([signerInfo]),
  );
  return sequence(encodeOid(OID.signedData), wrap(0xa0, signedData));
}
