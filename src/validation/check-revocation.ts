/**
 * Revocation status from CRLs (RFC 5280 §5): embedded ones first (DSS, adbe-revocationInfoArchival),
 * then the certificate's CRL distribution points over HTTP unless offline. A CRL counts only if its
 * issuer's signature verifies. Revoked before the signing time is REVOKED.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CertificateInfo } from '../cms';
import { ValidationContext } from './validation-context';

export interface RevocationResult {
  status: 'good' | 'revoked' | 'unknown';
  source: string | null;
  revokedAt?: Date;
}

async function fetchCrl(url: string, timeoutMs: number): Promise<Buffer | undefined> {
  if (!/^https?:\/\//i.test(url)) return undefined;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return undefined;
    return Buffer.from(await response.arrayBuffer());
  } catch {
    return undefined;
  }
}

async function crlStatus(crlDer: Buffer, cert: CertificateInfo, issuer: CertificateInfo): Promise<RevocationResult | undefined> {
  try {
    const asn1 = asn1js.fromBER(new Uint8Array(crlDer).buffer);
    const crl = new pkijs.CertificateRevocationList({ schema: asn1.result });
    const issuerCert = pkijs.Certificate.fromBER(issuer.der);
    if (!(await crl.verify({ issuerCertificate: issuerCert }))) return undefined;
    const serial = cert.serialHex.replace(/^0+/, '');
    const entry = (crl.revokedCertificates ?? []).find(
      (r) => Buffer.from(r.userCertificate.valueBlock.valueHexView).toString('hex').replace(/^0+/, '') === serial,
    );
    if (entry) return { status: 'revoked', source: 'crl', revokedAt: entry.revocationDate.value };
    return { status: 'good', source: 'crl' };
  } catch {
    return undefined;
  }
}

export async function checkRevocation(cert: CertificateInfo, issuer: CertificateInfo | undefined, embeddedCrls: Buffer[], context: ValidationContext): Promise<RevocationResult> {
  if (!issuer) return { status: 'unknown', source: null };
  for (const crl of embeddedCrls) {
    const result = await crlStatus(crl, cert, issuer);
    if (result) return { ...result, source: 'embedded crl' };
  }
  if (!context.offline) {
    for (const url of cert.crlUrls) {
      const der = await fetchCrl(url, context.fetchTimeoutMs ?? 5000);
      const result = der ? await crlStatus(der, cert, issuer) : undefined;
      if (result) return { ...result, source: url };
    }
  }
  return { status: 'unknown', source: null };
}
