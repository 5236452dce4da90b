/**
 * Revocation status from OCSP (RFC 6960) and CRLs (RFC 5280 §5): data embedded in the document first (DSS,
 * adbe-revocationInfoArchival), then the certificate's OCSP responder (AIA) and CRL distribution points
 * over HTTP unless offline. A response counts only if its signature verifies against the issuer (or a
 * responder the issuer delegated with id-kp-OCSPSigning).
 */
import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CertificateInfo, parseCertificate } from '../cms';
import { fetchOverHttp } from '../signing';
import { ValidationContext } from './validation-context';

export interface RevocationResult {
  status: 'good' | 'revoked' | 'unknown';
  source: string | null;
  revokedAt?: Date;
  /** The OCSP response or CRL the answer came from, so the verdict can be replayed later. */
  evidence?: { kind: 'ocsp' | 'crl'; der: Buffer };
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

const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

async function ocspStatus(responseDer: Buffer, cert: CertificateInfo, issuer: CertificateInfo): Promise<RevocationResult | undefined> {
  try {
    const response = pkijs.OCSPResponse.fromBER(new Uint8Array(responseDer).buffer);
    if (response.responseStatus.valueBlock.valueDec !== 0 || !response.responseBytes) return undefined;
    const basic = pkijs.BasicOCSPResponse.fromBER(response.responseBytes.response.valueBlock.valueHexView);
    return await basicOcspStatus(basic, cert, issuer);
  } catch {
    return undefined;
  }
}

async function basicOcspStatus(basic: pkijs.BasicOCSPResponse, cert: CertificateInfo, issuer: CertificateInfo): Promise<RevocationResult | undefined> {
  const issuerCert = pkijs.Certificate.fromBER(issuer.der);
  // The responder is the issuer itself or a certificate the issuer signed for OCSP signing (RFC 6960 §4.2.2.2).
  const responders = [issuerCert, ...(basic.certs ?? []).filter((c) => {
    try {
      const info = parseCertificate(Buffer.from(c.toSchema().toBER()));
      return info.extendedKeyUsage?.includes(OCSP_SIGNING) && new X509Certificate(info.der).verify(issuer.publicKey);
    } catch {
      return false;
    }
  })];
  let verified = false;
  for (const responder of responders) {
    try {
      if (await basic.verify({ trustedCerts: [responder] })) {
        verified = true;
        break;
      }
    } catch {
      // try the next candidate
    }
  }
  if (!verified) return undefined;
  const certObj = pkijs.Certificate.fromBER(cert.der);
  for (const single of basic.tbsResponseData.responses) {
    if (!(await single.certID.isEqual(await certIdFor(single, certObj, issuerCert)))) continue;
    const status = single.certStatus as asn1js.BaseBlock & { idBlock: { tagNumber: number } };
    if (status.idBlock.tagNumber === 0) return { status: 'good', source: 'ocsp' };
    if (status.idBlock.tagNumber === 1) {
      const inner = (status as unknown as asn1js.Constructed).valueBlock.value[0] as asn1js.GeneralizedTime;
      return { status: 'revoked', source: 'ocsp', revokedAt: inner.toDate() };
    }
    return { status: 'unknown', source: 'ocsp' };
  }
  return undefined;
}

async function certIdFor(single: pkijs.SingleResponse, cert: pkijs.Certificate, issuer: pkijs.Certificate): Promise<pkijs.CertID> {
  const id = new pkijs.CertID();
  const hash = single.certID.hashAlgorithm.algorithmId === '1.3.14.3.2.26' ? 'SHA-1' : 'SHA-256';
  await id.createForCertificate(cert, { hashAlgorithm: hash, issuerCertificate: issuer });
  return id;
}

async function fetchOcsp(url: string, cert: CertificateInfo, issuer: CertificateInfo, timeoutMs: number): Promise<Buffer | undefined> {
  try {
    const request = new pkijs.OCSPRequest();
    await request.createForCertificate(pkijs.Certificate.fromBER(cert.der), { hashAlgorithm: 'SHA-1', issuerCertificate: pkijs.Certificate.fromBER(issuer.der) });
    return await fetchOverHttp(url, timeoutMs, { type: 'application/ocsp-request', data: Buffer.from(request.toSchema(true).toBER()) });
  } catch {
    return undefined;
  }
}

export async function checkRevocation(
  cert: CertificateInfo, issuer: CertificateInfo | undefined, embedded: { crls: Buffer[]; ocsps: Buffer[] }, context: ValidationContext,
): Promise<RevocationResult> {
  if (!issuer) return { status: 'unknown', source: null };
  for (const ocsp of embedded.ocsps) {
    const result = (await ocspStatus(ocsp, cert, issuer)) ?? (await embeddedBasicOcsp(ocsp, cert, issuer));
    if (result && result.status !== 'unknown') return { ...result, source: 'embedded ocsp', evidence: { kind: 'ocsp', der: ocsp } };
  }
  for (const crl of embedded.crls) {
    const result = await crlStatus(crl, cert, issuer);
    if (result) return { ...result, source: 'embedded crl', evidence: { kind: 'crl', der: crl } };
  }
  if (!context.offline) {
    for (const url of cert.ocspUrls) {
      const der = await fetchOcsp(url, cert, issuer, context.fetchTimeoutMs ?? 5000);
      const result = der ? await ocspStatus(der, cert, issuer) : undefined;
      if (result && result.status !== 'unknown') return { ...result, source: url, evidence: { kind: 'ocsp', der: der as Buffer } };
    }
    for (const url of cert.crlUrls) {
      const der = await fetchOverHttp(url, context.fetchTimeoutMs ?? 5000);
      const result = der ? await crlStatus(der, cert, issuer) : undefined;
      if (result) return { ...result, source: url, evidence: { kind: 'crl', der: der as Buffer } };
    }
  }
  return { status: 'unknown', source: null };
}

/** adbe-revocationInfoArchival stores OCSPResponse; some producers store the BasicOCSPResponse itself. */
async function embeddedBasicOcsp(der: Buffer, cert: CertificateInfo, issuer: CertificateInfo): Promise<RevocationResult | undefined> {
  try {
    return await basicOcspStatus(pkijs.BasicOCSPResponse.fromBER(new Uint8Array(der).buffer), cert, issuer);
  } catch {
    return undefined;
  }
}
