/**
 * One-call signing with a local signer (PKCS#11 token/HSM or PKCS#12): prepare → sign → complete.
 */
import type { SignatureScheme, SigningDigestAlgorithm } from '../cms';
import type { PdfFile, SignatureAppearance } from '../pdf';
import type { Signer } from '../signers';
import { completeSignature, CompletedSignature, prepareSignature } from './prepare-signature';

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
}

export async function signPdf(input: Buffer | PdfFile, signer: Signer, options: SignPdfOptions = {}): Promise<CompletedSignature> {
  const chain = await signer.certificateChain();
  const scheme = options.scheme ?? (await signer.schemes())[0];
  const prepared = prepareSignature(input, { ...options, certificateChain: chain, scheme });
  const value = await signer.sign(prepared.dataToSign, prepared.digestAlgorithm, scheme);
  return completeSignature(prepared, value);
}

export function joinParts(completed: CompletedSignature): Buffer {
  return Buffer.concat(completed.parts);
}
