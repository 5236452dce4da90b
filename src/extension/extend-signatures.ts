/**
 * Takes the signatures of a document to PAdES B-LT or B-LTA (ETSI EN 319 142-1 §5.4): every signature is
 * validated first, then the certificates of its path (and of its signature timestamp) and the OCSP
 * responses and CRLs the verdict rested on are stored in the DSS, so the document can be validated later
 * without the network; B-LTA adds a document timestamp over all of it. Run again on a B-LTA document, it
 * renews it: the last document timestamp's validation data, then a new one (before the TSA certificate
 * expires). Only documents whose signatures all pass are extended: validation data for a failing
 * signature would preserve a wrong verdict.
 */
import { OID, parseCertificate, readSignedData, SigningDigestAlgorithm } from '../cms';
import { AppError } from '../errors';
import { addDss, findSignatures, PdfFile } from '../pdf';
import type { TimestampAuthority } from '../network';
import { addDocumentTimestamp } from '../signing';
import { buildChain, checkPathRevocation, DocumentReport, validatePdf, ValidationContext, verifyCms } from '../validation';

export interface ExtendOptions {
  level: 'B-LT' | 'B-LTA';
  /** Time-stamping authority for the document timestamp (required for B-LTA). */
  tsa?: TimestampAuthority;
  digestAlgorithm?: SigningDigestAlgorithm;
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

export async function extendSignatures(input: Buffer, context: ValidationContext, options: ExtendOptions): Promise<ExtendResult> {
  if (options.level === 'B-LTA' && !options.tsa) throw new AppError('USAGE', 'B-LTA needs a time-stamping authority');
  if (!context.fetcher) throw new AppError('USAGE', 'extension collects revocation data and cannot run offline');
  const report = await validatePdf(input, context);
  if (report.error) throw new AppError('PDF_MALFORMED', report.error.en);
  const signatures = report.signatures.filter((s) => s.type === 'signature');
  if (signatures.length === 0) throw new AppError('DOCUMENT_NOT_SIGNED', 'the document has no signature to extend');
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

  // The certificates: those of each path (found among the signatures, the DSS, the intermediates and the
  // anchors), and every certificate of each signature timestamp.
  const file = PdfFile.parse(input);
  const pool: Buffer[] = [...context.intermediates.map((c) => c.der), ...context.trust.certificates.map((c) => c.der)];
  const tokens: Array<{ token: Buffer; certificates: Buffer[] }> = [];
  for (const found of findSignatures(file)) {
    if (!found.contents) continue;
    try {
      const cms = readSignedData(found.contents);
      pool.push(...cms.certificates);
      const token = cms.signerInfos[0]?.unsignedAttributes.find((a) => a.type === OID.signatureTimeStampToken)?.values[0];
      if (token) tokens.push({ token, certificates: readSignedData(token).certificates });
    } catch {
      // validated above: an unreadable CMS cannot have passed
    }
  }
  // Validation data for the signature timestamps' TSA certificates too (EN 319 142-1 §5.4.2): what their
  // responders answer now, where they name one.
  const tsaEvidence: Array<{ kind: 'ocsp' | 'crl'; base64: string } | undefined> = [];
  for (const { token, certificates } of tokens) {
    const tsa = verifyCms(token, () => Buffer.alloc(0)).signer;
    if (!tsa) continue;
    const chain = buildChain(tsa, [...context.intermediates, ...certificates.map((c) => parseCertificate(c))], context.trust, new Date());
    if (!chain.anchor) continue;
    const revocation = await checkPathRevocation(chain.path, (c) => !!context.trust.match(c), { crls: [], ocsps: [] }, context, new Date());
    for (const r of [revocation.signer, ...revocation.authorities.map((a) => a.result)]) {
      if (r.evidence) tsaEvidence.push({ kind: r.evidence.kind, base64: r.evidence.der.toString('base64') });
    }
  }
  const wanted = new Set(covered.flatMap((s) => s.certificatePath.map((c) => c.sha256)));
  const certificates = unique([...pool.filter((der) => wanted.has(parseCertificate(der).sha256)), ...tokens.flatMap((t) => t.certificates)]);
  const evidence = [...covered.flatMap((s) => [s.revocation.evidence, ...(s.revocation.authorities ?? []).map((a) => a.evidence)]), ...tsaEvidence];
  const of = (kind: 'ocsp' | 'crl') => unique(evidence.flatMap((e) => (e?.kind === kind ? [Buffer.from(e.base64, 'base64')] : [])));
  const ocsps = of('ocsp');
  const crls = of('crl');

  let pdf: Buffer = Buffer.concat([input, addDss(file, { certificates, ocsps, crls }).update]);
  let renewBy: Date | undefined;
  if (options.level === 'B-LTA') {
    const stamped = await addDocumentTimestamp(pdf, options.tsa as TimestampAuthority, options.digestAlgorithm);
    pdf = stamped.pdf;
    renewBy = verifyCms(stamped.token, () => Buffer.alloc(0)).signer?.notAfter;
  }
  return { pdf, report, added: { certificates: certificates.length, ocsps: ocsps.length, crls: crls.length }, renewBy };
}

function unique(items: Buffer[]): Buffer[] {
  return items.filter((item, i) => items.findIndex((other) => other.equals(item)) === i);
}
