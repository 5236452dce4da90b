/**
 * The three signing steps (EU DSS style) so a key never meets a PDF:
 *   prepareSignature  — placeholder + signed attributes → the bytes the key must sign
 *   (signer or remote token signs them)
 *   completeSignature — checks the value against the certificate and embeds the CMS.
 * The /Contents placeholder is sized by building the real CMS with the real chain and a dummy signature
 * of the key's maximum length (a dry run), never a fixed guess.
 */
import { constants, createHash, verify as cryptoVerify } from 'node:crypto';
import type * as pkijs from 'pkijs';
import {
  buildSignedAttributes,
  buildSignedData,
  DIGEST_LENGTHS,
  maxSignatureLength,
  parseCertificate,
  SignatureScheme,
  SigningDigestAlgorithm,
} from '../cms';
import { AppError } from '../errors';
import { addSignatureField, ByteSource, embedSignatureContents, PdfFile, PreparedPdf, SignatureAppearance, signedRanges, TextFieldFill } from '../pdf';
import { checkSigningCertificate } from './check-signing-certificate';

export interface SignatureRequest {
  /** Signer certificate first. */
  certificateChain: Buffer[];
  scheme: SignatureScheme;
  digestAlgorithm?: SigningDigestAlgorithm;
  fieldName?: string;
  reason?: string;
  location?: string;
  contactInfo?: string;
  signerName?: string;
  signingTime?: Date;
  appearance?: SignatureAppearance;
  /** Text fields filled in the same update (issuing: the number and the date). */
  fills?: TextFieldFill[];
  /** Extra room in /Contents, e.g. for a timestamp token added later (bytes). */
  reserve?: number;
}

export interface PreparedSignature {
  pdf: PreparedPdf;
  /** DER SET of the signed attributes: what the key signs. */
  dataToSign: Buffer;
  /** Hash of dataToSign with the digest algorithm, for tokens that sign a digest. */
  digestToSign: Buffer;
  documentDigest: Buffer;
  digestAlgorithm: SigningDigestAlgorithm;
  scheme: SignatureScheme;
  certificateChain: Buffer[];
  signingTime: Date;
}

export function hashPreparedPdf(prepared: PreparedPdf, digest: SigningDigestAlgorithm): Buffer {
  const hash = createHash(digest);
  for (const part of signedRanges(prepared)) hash.update(part);
  return hash.digest();
}

export function estimateContentsSize(chain: Buffer[], scheme: SignatureScheme, digest: SigningDigestAlgorithm, reserve = 0): number {
  const leaf = parseCertificate(chain[0]);
  const key = `size:${scheme}:${digest}:${chain.map((c) => parseCertificate(c).sha256).join(',')}`;
  const cached = leaf.memo.get(key);
  if (cached) return cached.readUInt32BE(0) + reserve;
  const signedAttributes = buildSignedAttributes({
    contentDigest: Buffer.alloc(DIGEST_LENGTHS[digest]),
    digestAlgorithm: digest,
    signerCertificate: chain[0],
  });
  const dry = buildSignedData({
    signedAttributes,
    signatureValue: Buffer.alloc(maxSignatureLength(leaf), 0xff),
    digestAlgorithm: digest,
    scheme,
    certificates: chain,
  });
  // A little slack for DER length octets that grow with content.
  const size = dry.length + 32;
  const packed = Buffer.alloc(4);
  packed.writeUInt32BE(size);
  leaf.memo.set(key, packed);
  return size + reserve;
}

export function prepareSignature(input: Buffer | PdfFile, request: SignatureRequest): PreparedSignature {
  if (request.certificateChain.length === 0) throw new AppError('CERT_NOT_FOUND', 'no signer certificate given');
  const digestAlgorithm = request.digestAlgorithm ?? 'sha256';
  const signingTime = request.signingTime ?? new Date();
  const leaf = parseCertificate(request.certificateChain[0]);
  checkSigningCertificate(leaf, signingTime);
  if ((request.scheme === 'ecdsa') !== (leaf.keyType === 'ec') || (request.scheme.startsWith('rsa') && leaf.keyType !== 'rsa')) {
    throw new AppError('MECHANISM_NOT_SUPPORTED', `a ${leaf.keyType} key cannot sign with ${request.scheme}`);
  }
  const file = input instanceof PdfFile ? input : PdfFile.parse(input);
  const pdf = addSignatureField(file, {
    kind: 'signature',
    subFilter: 'ETSI.CAdES.detached',
    contentsSize: estimateContentsSize(request.certificateChain, request.scheme, digestAlgorithm, request.reserve),
    fieldName: request.fieldName,
    signingTime,
    reason: request.reason,
    location: request.location,
    contactInfo: request.contactInfo,
    signerName: request.signerName,
    appearance: request.appearance,
    fills: request.fills,
  });
  const documentDigest = hashPreparedPdf(pdf, digestAlgorithm);
  const der = buildSignedAttributes({
    contentDigest: documentDigest,
    digestAlgorithm,
    signerCertificate: request.certificateChain[0],
  });
  return {
    pdf,
    dataToSign: der,
    digestToSign: createHash(digestAlgorithm).update(der).digest(),
    documentDigest,
    digestAlgorithm,
    scheme: request.scheme,
    certificateChain: request.certificateChain,
    signingTime,
  };
}

/** Verifies a signature value over dataToSign with the signer certificate's public key. */
export function checkSignatureValue(prepared: PreparedSignature, signatureValue: Buffer): boolean {
  const key = parseCertificate(prepared.certificateChain[0]).publicKey;
  try {
    if (prepared.scheme === 'rsa-pss') {
      return cryptoVerify(prepared.digestAlgorithm, prepared.dataToSign, {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: DIGEST_LENGTHS[prepared.digestAlgorithm],
      }, signatureValue);
    }
    return cryptoVerify(prepared.digestAlgorithm, prepared.dataToSign, { key, dsaEncoding: 'der' }, signatureValue);
  } catch {
    return false;
  }
}

export interface CompletedSignature {
  /** The document as it was: the update is appended to it. */
  original: ByteSource;
  /** The incremental update carrying the signature. */
  update: Buffer;
  cms: Buffer;
}

export function completeSignature(prepared: PreparedSignature, signatureValue: Buffer, unsignedAttributes?: pkijs.Attribute[]): CompletedSignature {
  if (!checkSignatureValue(prepared, signatureValue)) {
    throw new AppError('SIGNATURE_VALUE_INVALID', 'the signature value does not verify with the signer certificate');
  }
  const cms = buildSignedData({
    signedAttributes: prepared.dataToSign,
    signatureValue,
    digestAlgorithm: prepared.digestAlgorithm,
    scheme: prepared.scheme,
    certificates: prepared.certificateChain,
    unsignedAttributes,
  });
  return { original: prepared.pdf.original, update: embedSignatureContents(prepared.pdf, cms), cms };
}
