/**
 * One-call signing with a local signer (PKCS#11 token/HSM or PKCS#12): prepare → sign → complete.
 */
import type { SignatureScheme, SigningDigestAlgorithm } from '../cms';
import type { TimestampAuthority } from '../network';
import type { PdfFile, SignatureAppearance, TextFieldFill } from '../pdf';
import type { Signer } from '../signers';
import { completeSignature, CompletedSignature, prepareSignature } from './prepare-signature';
import { requestTimestamp, signatureTimestampAttribute, timestampReserve } from './request-timestamp';

export interface SignPdfOptions {
  digestAlgorithm?: SigningDigestAlgorithm;
  scheme?: SignatureScheme;
  fieldName?: string;
  reason?: string;
  location?: string;
  contactInfo?: string;
  signerName?: string;
  signingTime?: Date;
  appearance?: SignatureAppearance;
  /** Text fields filled in the same update (issuing: the number and the date). */
  fills?: TextFieldFill[];
  /** RFC 3161 time-stamping authority: the signature gets a signature time-stamp (PAdES B-T). */
  tsa?: TimestampAuthority;
}

export async function signPdf(input: Buffer | PdfFile, signer: Signer, options: SignPdfOptions = {}): Promise<CompletedSignature> {
  const chain = await signer.certificateChain();
  const scheme = options.scheme ?? (await signer.schemes())[0];
  const digest = options.digestAlgorithm ?? 'sha256';
  // The token's size is learnt from a dry run against the same TSA, so /Contents is sized, not guessed.
  const reserve = options.tsa ? await timestampReserve(options.tsa, digest) : 0;
  const prepared = prepareSignature(input, { ...options, certificateChain: chain, scheme, reserve });
  const value = await signer.sign(prepared.dataToSign, prepared.digestAlgorithm, scheme);
  const unsigned = options.tsa ? [signatureTimestampAttribute(await requestTimestamp(options.tsa, value, digest))] : undefined;
  return completeSignature(prepared, value, unsigned);
}

/** The signed document in memory: the original followed by the update. */
export function joinParts(completed: CompletedSignature): Buffer {
  return Buffer.concat([completed.original.read(0, completed.original.length), completed.update]);
}
