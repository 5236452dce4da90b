/**
 * Revocation status from OCSP (RFC 6960) and CRLs (RFC 5280 §5): data embedded in the document first (DSS,
 * adbe-revocationInfoArchival), then the certificate's OCSP responder (AIA) and CRL distribution points
 * over HTTP unless offline. A response counts only if its signature verifies against the issuer (or a
 * responder the issuer delegated with id-kp-OCSPSigning).
 */
import type * as Asn1js from 'asn1js';
import type * as Pkijs from 'pkijs';
import { createHash } from 'node:crypto';
import { asn1js, CertificateInfo, parseCertificate, pkijs, SignatureAlgorithm, verifyCertificateSignature, verifySignatureValue } from '../cms';
import type { RevocationFetcher } from '../network';
import type { RevocationPolicy } from './policy';
import { ValidationContext } from './validation-context';

export interface RevocationResult {
  status: 'good' | 'revoked' | 'unknown';
  source: string | null;
  revokedAt?: Date;
  /** The period the answer speaks for (OCSP thisUpdate/nextUpdate, CRL thisUpdate/nextUpdate). */
  thisUpdate?: Date;
  nextUpdate?: Date;
  /** Set when the answer says nothing about the signing time (soft mode keeps it, with a warning). */
  stale?: boolean;
  /** The OCSP response or CRL the answer came from, so the verdict can be replayed later. */
  evidence?: { kind: 'ocsp' | 'crl'; der: Buffer };
  /**
   * When fresh data was required (ValidationContext.revocationFreshAfter) and only older answers came:
   * the newest of them, so the caller can say when to try again (a CRL's nextUpdate).
   */
  olderThanRequired?: { source: string; thisUpdate?: Date; nextUpdate?: Date };
}

/** How often a responder that answers with data not newer than required is asked again, a second apart. */
const FRESH_OCSP_ATTEMPTS = 3;

/**
 * Whether an answer speaks for the signing time: issued after it (or at most the policy's allowance
 * before), or valid until at least then. A revocation is permanent, so a "revoked" answer always counts.
 */
export function isFresh(result: RevocationResult, signingTime: Date, policy: RevocationPolicy): boolean {
  if (result.status === 'revoked') return true;
  if (!result.thisUpdate) return false;
  if (result.thisUpdate.getTime() >= signingTime.getTime() - policy.maxAgeBeforeSigningMs) return true;
  return !!result.nextUpdate && result.nextUpdate >= signingTime;
}

/** A parsed AlgorithmIdentifier as verifySignatureValue takes it. */
function algorithmOf(identifier: Pkijs.AlgorithmIdentifier): SignatureAlgorithm {
  const params = identifier.algorithmParams;
  return { oid: identifier.algorithmId, params: params ? Buffer.from(params.toBER()) : undefined };
}

interface ParsedCrl {
  thisUpdate: Date;
  nextUpdate?: Date;
  /** Revoked serial (hex, no leading zeros) → revocation date. */
  revoked: Map<string, Date>;
  tbs: Buffer;
  signature: Buffer;
  algorithm: SignatureAlgorithm;
  /** Issuer certificate SHA-256 → whether it signed this CRL. */
  verifiedBy: Map<string, boolean>;
}

/**
 * Parsed CRLs by content (SHA-256): a document's DSS gives the same CRL for every certificate of every
 * path, and a large CRL takes longer to parse than everything else the validation does.
 */
const parsedCrls = new Map<string, ParsedCrl | null>();
const PARSED_CRLS_KEPT = 64;

function parseCrl(der: Buffer): ParsedCrl | null {
  const key = createHash('sha256').update(der).digest('hex');
  if (parsedCrls.has(key)) return parsedCrls.get(key) as ParsedCrl | null;
  let parsed: ParsedCrl | null = null;
  try {
    const crl = new pkijs.CertificateRevocationList({ schema: asn1js.fromBER(new Uint8Array(der).buffer).result });
    parsed = {
      thisUpdate: crl.thisUpdate.value,
      nextUpdate: crl.nextUpdate?.value,
      revoked: new Map((crl.revokedCertificates ?? []).map((r) => [Buffer.from(r.userCertificate.valueBlock.valueHexView).toString('hex').replace(/^0+/, ''), r.revocationDate.value])),
      tbs: Buffer.from(crl.tbsView),
      signature: Buffer.from(crl.signatureValue.valueBlock.valueHexView),
      algorithm: algorithmOf(crl.signatureAlgorithm),
      verifiedBy: new Map(),
    };
  } catch {
    parsed = null;
  }
  if (parsedCrls.size >= PARSED_CRLS_KEPT) parsedCrls.delete(parsedCrls.keys().next().value as string);
  parsedCrls.set(key, parsed);
  return parsed;
}

async function crlStatus(crlDer: Buffer, cert: CertificateInfo, issuer: CertificateInfo): Promise<RevocationResult | undefined> {
  const crl = parseCrl(crlDer);
  if (!crl) return undefined;
  let verified = crl.verifiedBy.get(issuer.sha256);
  if (verified === undefined) {
    verified = verifySignatureValue(issuer.publicKey, issuer.keyType, crl.algorithm, crl.tbs, crl.signature, undefined).outcome === 'verified';
    crl.verifiedBy.set(issuer.sha256, verified);
  }
  if (!verified) return undefined;
  const revokedAt = crl.revoked.get(cert.serialHex.replace(/^0+/, ''));
  const period = { thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate };
  if (revokedAt) return { status: 'revoked', source: 'crl', revokedAt, ...period };
  return { status: 'good', source: 'crl', ...period };
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

async function basicOcspStatus(basic: Pkijs.BasicOCSPResponse, cert: CertificateInfo, issuer: CertificateInfo): Promise<RevocationResult | undefined> {
  if (!ocspSignedByIssuerOrDelegate(basic, issuer)) return undefined;
  const issuerCert = pkijs.Certificate.fromBER(issuer.der);
  const certObj = pkijs.Certificate.fromBER(cert.der);
  for (const single of basic.tbsResponseData.responses) {
    if (!(await single.certID.isEqual(await certIdFor(single, certObj, issuerCert)))) continue;
    const status = single.certStatus as Asn1js.BaseBlock & { idBlock: { tagNumber: number } };
    const period = { thisUpdate: single.thisUpdate, nextUpdate: single.nextUpdate };
    if (status.idBlock.tagNumber === 0) return { status: 'good', source: 'ocsp', ...period };
    if (status.idBlock.tagNumber === 1) {
      const inner = (status as unknown as Asn1js.Constructed).valueBlock.value[0] as Asn1js.GeneralizedTime;
      return { status: 'revoked', source: 'ocsp', revokedAt: inner.toDate(), ...period };
    }
    return { status: 'unknown', source: 'ocsp', ...period };
  }
  return undefined;
}

/**
 * RFC 6960 §4.2.2.2: the response is signed by the CA that issued the certificate itself, or by a
 * responder certificate that CA issued with id-kp-OCSPSigning. The signature is checked directly with the
 * responder's key: the issuer is already on the path being validated, so no chain of its own is demanded.
 */
function ocspSignedByIssuerOrDelegate(basic: Pkijs.BasicOCSPResponse, issuer: CertificateInfo): boolean {
  const delegates = (basic.certs ?? []).flatMap((c) => {
    try {
      const info = parseCertificate(Buffer.from(c.toSchema().toBER()));
      return info.extendedKeyUsage?.includes(OCSP_SIGNING) && verifyCertificateSignature(info, issuer) ? [info] : [];
    } catch {
      return [];
    }
  });
  const tbs = Buffer.from(basic.tbsResponseData.tbsView);
  const signature = Buffer.from(basic.signature.valueBlock.valueHexView);
  const algorithm = algorithmOf(basic.signatureAlgorithm);
  return [issuer, ...delegates].some((responder) => verifySignatureValue(responder.publicKey, responder.keyType, algorithm, tbs, signature, undefined).outcome === 'verified');
}

async function certIdFor(single: Pkijs.SingleResponse, cert: Pkijs.Certificate, issuer: Pkijs.Certificate): Promise<Pkijs.CertID> {
  const id = new pkijs.CertID();
  const hash = single.certID.hashAlgorithm.algorithmId === '1.3.14.3.2.26' ? 'SHA-1' : 'SHA-256';
  await id.createForCertificate(cert, { hashAlgorithm: hash, issuerCertificate: issuer });
  return id;
}

async function fetchOcsp(fetcher: RevocationFetcher, url: string, cert: CertificateInfo, issuer: CertificateInfo): Promise<Buffer | undefined> {
  try {
    const request = new pkijs.OCSPRequest();
    await request.createForCertificate(pkijs.Certificate.fromBER(cert.der), { hashAlgorithm: 'SHA-1', issuerCertificate: pkijs.Certificate.fromBER(issuer.der) });
    return await fetcher.fetchOcsp(url, Buffer.from(request.toSchema(true).toBER()));
  } catch {
    return undefined;
  }
}

export interface EmbeddedRevocationData {
  crls: Buffer[];
  ocsps: Buffer[];
}

/**
 * The status of one certificate at the signing time: embedded answers first, then the network. An answer
 * that does not speak for the signing time is passed over; in soft mode the best such answer is returned
 * (marked stale) when nothing fresher is found, in hard mode it is not used.
 */
export async function checkRevocation(
  cert: CertificateInfo, issuer: CertificateInfo | undefined, embedded: EmbeddedRevocationData, context: ValidationContext, signingTime: Date = new Date(),
): Promise<RevocationResult> {
  if (!issuer) return { status: 'unknown', source: null };
  let fallback: RevocationResult | undefined;
  let olderThanRequired: RevocationResult['olderThanRequired'];
  const freshAfter = context.revocationFreshAfter;
  const tooOld = (result: RevocationResult): boolean => !!freshAfter && result.status !== 'revoked' && (!result.thisUpdate || result.thisUpdate <= freshAfter);
  const accept = (result: RevocationResult | undefined, source = 'embedded'): RevocationResult | undefined => {
    if (!result || result.status === 'unknown') return undefined;
    if (tooOld(result)) {
      if (!olderThanRequired || (result.thisUpdate && (!olderThanRequired.thisUpdate || result.thisUpdate > olderThanRequired.thisUpdate))) {
        olderThanRequired = { source, thisUpdate: result.thisUpdate, nextUpdate: result.nextUpdate };
      }
      return undefined;
    }
    if (isFresh(result, signingTime, context.policy.revocation)) return result;
    if (context.policy.revocation.mode === 'soft' && !fallback) fallback = { ...result, stale: true };
    return undefined;
  };
  for (const ocsp of embedded.ocsps) {
    const result = accept((await ocspStatus(ocsp, cert, issuer)) ?? (await embeddedBasicOcsp(ocsp, cert, issuer)));
    if (result) return { ...result, source: 'embedded ocsp', evidence: { kind: 'ocsp', der: ocsp } };
  }
  for (const crl of embedded.crls) {
    const result = accept(await crlStatus(crl, cert, issuer));
    if (result) return { ...result, source: 'embedded crl', evidence: { kind: 'crl', der: crl } };
  }
  const fetcher = context.fetcher;
  if (fetcher) {
    for (const url of cert.ocspUrls) {
      // A responder may answer from a cache issued in the same second as the timestamp: ask again.
      for (let attempt = 1; attempt <= FRESH_OCSP_ATTEMPTS; attempt++) {
        const der = await fetchOcsp(fetcher, url, cert, issuer);
        const answer = der ? await ocspStatus(der, cert, issuer) : undefined;
        if (answer && tooOld(answer) && attempt < FRESH_OCSP_ATTEMPTS) {
          await new Promise((resolve) => setTimeout(resolve, 1100));
          continue;
        }
        const result = accept(answer, url);
        if (result) return { ...result, source: url, evidence: { kind: 'ocsp', der: der as Buffer } };
        break;
      }
    }
    for (const url of cert.crlUrls) {
      const der = await fetcher.fetchCrl(url);
      const result = accept(der ? await crlStatus(der, cert, issuer) : undefined, url);
      if (result) return { ...result, source: url, evidence: { kind: 'crl', der: der as Buffer } };
    }
  }
  return fallback ?? { status: 'unknown', source: null, olderThanRequired };
}

export interface PathRevocation {
  signer: RevocationResult;
  /** The CA certificates between the signer and the trust anchor, top-down (RFC 5280 §6.1 order). */
  authorities: Array<{ certificate: CertificateInfo; result: RevocationResult }>;
}

/** The answers for every certificate of a path: the signer's, then each CA's. */
export function everyResult(path: PathRevocation): RevocationResult[] {
  return [path.signer, ...path.authorities.map((a) => a.result)];
}

/** Revocation of every certificate of a path below its trust anchor (anchors are trusted as they are). */
export async function checkPathRevocation(
  path: CertificateInfo[], isAnchor: (c: CertificateInfo) => boolean, embedded: EmbeddedRevocationData, context: ValidationContext, signingTime: Date,
): Promise<PathRevocation> {
  const authorities: PathRevocation['authorities'] = [];
  for (let i = path.length - 2; i >= 1; i--) {
    if (isAnchor(path[i])) continue;
    authorities.push({ certificate: path[i], result: await checkRevocation(path[i], path[i + 1], embedded, context, signingTime) });
  }
  const signer = path.length > 1 && !isAnchor(path[0])
    ? await checkRevocation(path[0], path[1], embedded, context, signingTime)
    : { status: 'good' as const, source: 'trust anchor' };
  return { signer, authorities };
}

/** adbe-revocationInfoArchival stores OCSPResponse; some producers store the BasicOCSPResponse itself. */
async function embeddedBasicOcsp(der: Buffer, cert: CertificateInfo, issuer: CertificateInfo): Promise<RevocationResult | undefined> {
  try {
    return await basicOcspStatus(pkijs.BasicOCSPResponse.fromBER(new Uint8Array(der).buffer), cert, issuer);
  } catch {
    return undefined;
  }
}
