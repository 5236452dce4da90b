/** Finds the issuer of a certificate among candidates by name and signature (RFC 5280 §6.1.3). */
import { X509Certificate } from 'node:crypto';

export function findIssuer(cert: Buffer, pool: Buffer[]): Buffer | undefined {
  const child = new X509Certificate(cert);
  if (child.issuer === child.subject && child.verify(child.publicKey)) return undefined;
  for (const candidate of pool) {
    const parent = new X509Certificate(candidate);
    if (parent.subject !== child.issuer) continue;
    try {
      if (child.verify(parent.publicKey)) return candidate;
    } catch {
      // a key type mismatch means "not this one"
    }
  }
  return undefined;
}
