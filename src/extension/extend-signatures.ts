/**
 * Takes the signatures of a document to PAdES B-LT or B-LTA (ETSI EN 319 142-1 §5.4): every signature is
 * validated first, then the certificates of its path (and of its signature timestamp), the OCSP responses
 * and CRLs the verdict rested on, and the OCSP responders' own certificates are stored in the DSS, so the
 * document can be validated later without the network; B-LTA adds a document timestamp over all of it.
 * Run again on a B-LTA document, it renews it: the last document timestamp's validation data, then a new
 * one (before the TSA certificate expires). Only documents whose signatures all pass are extended:
 * validation data for a failing signature would preserve a wrong verdict.
 *
 * Validation data every validator accepts later (EU DSS's freshness check): revocation answers must be
 * issued strictly after the newest timestamp they speak after. Extension waits until a second past that
 * timestamp's genTime and accuracy, asks responders again when they answer from an older cache, and when
 * a CA's newest CRL is still older, says so and when to finish (its next update).
 */
import { CertificateInfo, OID, parseCertificate, pkijs, readSignedData, readTstInfo, SigningDigestAlgorithm } from '../cms';
import { AppError } from '../errors';
import type { TimestampAuthority } from '../network';
import { addDss, findSignatures, PdfFile } from '../pdf';
import { addDocumentTimestamp } from '../signing';
import { buildChain, checkPathRevocation, DocumentReport, everyResult, RevocationSummary, validatePdf, ValidationContext, verifyCms } from '../validation';

export interface ExtendOptions {
  level: 'B-LT' | 'B-LTA';
  /** Time-stamping authority for the document timestamp (required for B-LTA). */
  tsa?: TimestampAuthority;
  digestAlgorithm?: SigningDigestAlgorithm;
  /** The longest wait for the newest timestamp to be more than a second old (default 5 s). */
  maxWaitMs?: number;
}

export interface ExtendResult {
  pdf: Buffer;
  /** The validation the extension rests on (before extension). */
  report: DocumentReport;
  added: { certificates: number; ocsps: number; crls: number };
  /**
   * B-LTA: when the new document timestamp's TSA certificate expires. The document must be renewed (a
   * new timestamp over it) before then, or its long-term proof ends with that certificate.
   */
  renewBy?: Date;
}

interface DocumentTokens {
  /** Signature time-stamp tokens with the certificates they carry. */
  tokens: Array<{ token: Buffer; certificates: Buffer[] }>;
  /** Every certificate the signatures carry. */
  certificates: Buffer[];
  /** genTime + accuracy of the newest timestamp (signature or document), if any. */
  newest?: Date;
}

function readTokens(file: PdfFile): DocumentTokens {
  const out: DocumentTokens = { tokens: [], certificates: [] };
  const see = (token: Buffer): void => {
    const tst = readSignedData(token).eContent;
    const info = tst ? readTstInfo(tst) : undefined;
    if (!info) return;
    const until = new Date(info.genTime.getTime() + info.accuracyMs);
    if (!out.newest || until > out.newest) out.newest = until;
  };
  for (const found of findSignatures(file)) {
    if (!found.contents || found.unreadable) continue;
    try {
      const cms = readSignedData(found.contents);
      out.certificates.push(...cms.certificates);
      if (found.type === 'document-timestamp') {
        see(found.contents);
        continue;
      }
      const token = cms.signerInfos[0]?.unsignedAttributes.find((a) => a.type === OID.signatureTimeStampToken)?.values[0];
      if (token) {
        out.tokens.push({ token, certificates: readSignedData(token).certificates });
        see(token);
      }
    } catch {
      // validated below: an unreadable CMS cannot pass
    }
  }
  return out;
}

/** The certificates an OCSP response carries (its responder's, for the DSS /Certs). */
function ocspCertificates(der: Buffer): Buffer[] {
  try {
    const response = pkijs.OCSPResponse.fromBER(new Uint8Array(der).buffer);
    const basic = response.responseBytes ? pkijs.BasicOCSPResponse.fromBER(response.responseBytes.response.valueBlock.valueHexView) : pkijs.BasicOCSPResponse.fromBER(new Uint8Array(der).buffer);
    return (basic.certs ?? []).map((c) => Buffer.from(c.toSchema().toBER()));
  } catch {
    return [];
  }
}

function describeTooOld(subject: string, r: RevocationSummary, after: Date): string | undefined {
  const old = r.olderThanRequired;
  if (!old) return undefined;
  const next = old.nextUpdate ? `; extend again after its next update, ${old.nextUpdate}` : '';
  return `the newest revocation data for "${subject}" (${old.source}) was issued ${old.thisUpdate ?? 'at an unknown time'}, not after the timestamp of ${after.toISOString()}${next}`;
}

export async function extendSignatures(input: Buffer, context: ValidationContext, options: ExtendOptions): Promise<ExtendResult> {
  if (options.level === 'B-LTA' && !options.tsa) throw new AppError('USAGE', 'B-LTA needs a time-stamping authority');
  if (!context.fetcher) throw new AppError('USAGE', 'extension collects revocation data and cannot run offline');
  let file: PdfFile;
  try {
    file = PdfFile.parse(input);
  } catch (error) {
    throw new AppError('PDF_MALFORMED', error instanceof Error ? error.message : String(error));
  }
  const document = readTokens(file);
  // One CRL per distribution point for the whole run: every path that names it rests on the same issue.
  const crls = new Map<string, Promise<Buffer | undefined>>();
  const base = context.fetcher;
  const fetcher = { ...base, fetchCrl: (url: string) => crls.get(url) ?? crls.set(url, base.fetchCrl(url)).get(url) as Promise<Buffer | undefined> };
  // Revocation data must be issued strictly after the newest timestamp: wait until a second past it.
  const fresh: ValidationContext = { ...context, fetcher, revocationFreshAfter: document.newest };
  if (document.newest) {
    const wait = document.newest.getTime() + 1000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, options.maxWaitMs ?? 5000)));
  }
  const report = await validatePdf(input, fresh);
  if (report.error) throw new AppError('PDF_MALFORMED', report.error.en);
  if (!report.signatures.some((s) => s.type === 'signature')) throw new AppError('DOCUMENT_NOT_SIGNED', 'the document has no signature to extend');
  const tooOld = report.signatures.flatMap((s) => [
    describeTooOld(s.signer?.subject ?? s.field, s.revocation, document.newest as Date),
    ...(s.revocation.authorities ?? []).map((a) => describeTooOld(a.subject, a, document.newest as Date)),
  ]).filter((m): m is string => !!m);
  if (tooOld.length > 0) throw new AppError('REVOCATION_NOT_YET_FRESH', [...new Set(tooOld)].join('; '));
  const failing = report.signatures.filter((s) => s.indication !== 'TOTAL_PASSED');
  if (failing.length > 0) {
    throw new AppError('DOCUMENT_SIGNATURE_INVALID', `only documents whose signatures all pass are extended: ${failing.map((s) => `${s.field} ${s.indication}/${s.subIndication}`).join(', ')}`);
  }
  // Document timestamps already there are covered too: extending a B-LTA document again is its renewal
  // (the last timestamp's validation data, then a new timestamp over it).
  const covered = report.signatures;
  const missing = covered.flatMap((s) => [
    ...(s.revocation.evidence || s.revocation.source === 'trust anchor' ? [] : [s.signer?.subject ?? s.field]),
    ...(s.revocation.authorities ?? []).filter((a) => !a.evidence).map((a) => a.subject),
  ]);
  if (missing.length > 0) {
    throw new AppError('REVOCATION_UNAVAILABLE', `no revocation data could be collected for: ${[...new Set(missing)].join('; ')}`);
  }

  // Validation data for the signature timestamps' TSA certificates too (EN 319 142-1 §5.4.2), issued
  // after the timestamps as well.
  const pool: Buffer[] = [...context.intermediates.map((c) => c.der), ...context.trust.certificates.map((c) => c.der), ...document.certificates];
  const evidence: Array<{ kind: 'ocsp' | 'crl'; der: Buffer }> = [];
  const pathCertificates: CertificateInfo[] = [];
  for (const { token, certificates } of document.tokens) {
    const tsa = verifyCms(token, () => Buffer.alloc(0)).signer;
    if (!tsa) continue;
    const chain = buildChain(tsa, [...context.intermediates, ...certificates.map((c) => parseCertificate(c))], context.trust, new Date());
    if (!chain.anchor) continue;
    pathCertificates.push(...chain.path);
    const revocation = await checkPathRevocation(chain.path, (c) => !!context.trust.match(c), { crls: [], ocsps: [] }, fresh, new Date());
    for (const r of everyResult(revocation)) if (r.evidence) evidence.push(r.evidence);
  }
  for (const s of covered) {
    for (const e of [s.revocation.evidence, ...(s.revocation.authorities ?? []).map((a) => a.evidence)]) {
      if (e) evidence.push({ kind: e.kind, der: Buffer.from(e.base64, 'base64') });
    }
  }
  const byHash = new Map([...pool.map((der) => parseCertificate(der)), ...pathCertificates].map((c) => [c.sha256, c] as const));
  const signaturePaths = covered.map((s) => s.certificatePath.map((c) => byHash.get(c.sha256)).filter((c): c is CertificateInfo => !!c));
  // Where a certificate names both a responder and a distribution point, both answers are kept: some
  // validators read only one kind.
  const crlOnly: ValidationContext = { ...fresh, fetcher: { ...fetcher, fetchOcsp: async () => undefined } };
  for (const [i, s] of covered.entries()) {
    const path = signaturePaths[i];
    if (path.length < 2 || !path[0].ocspUrls.length || !path[0].crlUrls.length || s.revocation.evidence?.kind !== 'ocsp') continue;
    const viaCrl = await checkPathRevocation(path.slice(0, 2), () => false, { crls: [], ocsps: [] }, crlOnly, new Date());
    if (viaCrl.signer.evidence) evidence.push(viaCrl.signer.evidence);
  }
  const ocsps = unique(evidence.filter((e) => e.kind === 'ocsp').map((e) => e.der));
  const crlList = unique(evidence.filter((e) => e.kind === 'crl').map((e) => e.der));
  const certificates = unique([
    ...signaturePaths.flat().map((c) => c.der),
    ...pathCertificates.map((c) => c.der),
    ...document.tokens.flatMap((t) => t.certificates),
    ...ocsps.flatMap(ocspCertificates),
  ]);

  let pdf: Buffer = Buffer.concat([input, addDss(file, { certificates, ocsps, crls: crlList }).update]);
  let renewBy: Date | undefined;
  if (options.level === 'B-LTA') {
    const stamped = await addDocumentTimestamp(pdf, options.tsa as TimestampAuthority, options.digestAlgorithm);
    pdf = stamped.pdf;
    renewBy = verifyCms(stamped.token, () => Buffer.alloc(0)).signer?.notAfter;
  }
  return { pdf, report, added: { certificates: certificates.length, ocsps: ocsps.length, crls: crlList.length }, renewBy };
}

function unique(items: Buffer[]): Buffer[] {
  return items.filter((item, i) => items.findIndex((other) => other.equals(item)) === i);
}
