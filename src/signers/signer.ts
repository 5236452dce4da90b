/**
 * Where keys live. A signer holds one private key and its certificate chain and signs bytes; it never
 * sees a PDF. Implementations: PKCS#11 tokens/HSMs and PKCS#12 files.
 */
import type { SignatureScheme, SigningDigestAlgorithm } from '../cms';

export interface Signer {
  /** DER certificates, signer certificate first, then its issuers as far as they are known. */
  certificateChain(): Promise<Buffer[]>;
  /** Schemes this key supports, preferred first. */
  schemes(): Promise<SignatureScheme[]>;
  /** Signs `data` (hashing it with `digest`); ECDSA results are DER encoded. */
  sign(data: Buffer, digest: SigningDigestAlgorithm, scheme: SignatureScheme): Promise<Buffer>;
  close(): Promise<void>;
}

/** Orders certificates leaf first by following issuer names; unrelated certificates are dropped. */
export function orderChain(leaf: Buffer, pool: Buffer[], issuerOf: (cert: Buffer, pool: Buffer[]) => Buffer | undefined): Buffer[] {
  const chain = [leaf];
  for (let i = 0; i < 10; i++) {
    const issuer = issuerOf(chain[chain.length - 1], pool);
    if (!issuer || chain.some((c) => c.equals(issuer))) break;
    chain.push(issuer);
  }
  return chain;
}
