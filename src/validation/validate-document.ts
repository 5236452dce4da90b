/**
 * Validates every signature and document timestamp of a PDF (ETSI EN 319 102-1 basic validation, EN
 * 319 142-1 PAdES levels): the document is read within its decoding budget, the facts are collected
 * (collect-evidence), and the policy judges them (verdict). Returns a report; never throws, whatever the
 * input.
 */
import { createHash } from 'node:crypto';
import { isAppError } from '../errors';
import { asByteSource, ByteSource, DecodeBudget, feedRange, listFormFields, PdfFile } from '../pdf';
import { collectEvidence } from './collect-evidence';
import { say } from './messages';
import type { DocumentReport } from './report';
import type { ValidationContext } from './validation-context';
import { judgeDocument } from './verdict';

export interface ValidatePdfOptions {
  /** The file's SHA-256 when the caller already has it; else computed only with hashFile. */
  fileSha256?: string;
  hashFile?: boolean;
  /** Put each path certificate's DER (base64) in the report, so the verdict can be replayed from it alone. */
  includeCertificates?: boolean;
  /** Count the pages (report.pageCount). */
  countPages?: boolean;
  /**
   * Read only what signing a document touches (catalog, pages, form fields) and stop: a pre-flight that
   * refuses unreadable documents and compression bombs before the service signs.
   */
  structureOnly?: boolean;
  /** Cap of the document's decoded-bytes budget (see DecodeBudget); the default cap when unset. */
  decodeBudgetCap?: number;
}

/**
 * `input` is the document in memory or an open file: a file is read only where the validation needs it
 * (its structure, the signatures, the changes after each), its byte ranges hashed a megabyte at a time.
 */
export async function validatePdf(input: Buffer | ByteSource, context: ValidationContext, fileName?: string, options: ValidatePdfOptions = {}): Promise<DocumentReport> {
  const source = asByteSource(input);
  const report: DocumentReport = {
    file: fileName,
    sha256: options.fileSha256 ?? (options.hashFile ? sha256Of(source) : null),
    size: source.length,
    revisions: 0,
    signatures: [],
    bytesAfterLastRevision: 0,
    indication: 'NO_SIGNATURE',
    subIndication: null,
    messages: [],
    validatedAt: new Date().toISOString(),
  };
  let file: PdfFile;
  try {
    file = PdfFile.parse(source, undefined, DecodeBudget.forSize(source.length, options.decodeBudgetCap));
  } catch (error) {
    report.error = isAppError(error) && error.code === 'PDF_DECODE_BUDGET_EXCEEDED'
      ? say('PDF_DECODE_BUDGET_EXCEEDED', { detail: error.message })
      : say('PDF_UNREADABLE', { detail: isAppError(error) ? error.message : undefined });
    return report;
  }
  report.revisions = file.xref.sections.length;
  if (options.countPages || options.structureOnly) {
    try {
      report.pageCount = file.pageRefs().length;
    } catch {
      report.pageCount = 0;
    }
  }
  if (options.structureOnly) {
    try {
      listFormFields(file);
    } catch (error) {
      report.error = say('PDF_UNREADABLE', { detail: error instanceof Error ? error.message : String(error) });
    }
  } else {
    judgeDocument(await collectEvidence(file, context), context.policy, report, { withCertificates: options.includeCertificates === true });
  }
  // Parts of a bomb may have been skipped as unreadable on the way; the document as a whole is refused.
  if (file.budget.exceeded) report.error = say('PDF_DECODE_BUDGET_EXCEEDED', { detail: file.budget.error().message });
  return report;
}

function sha256Of(source: ByteSource): string {
  const hash = createHash('sha256');
  feedRange(source, 0, source.length, (piece) => hash.update(piece));
  return hash.digest('hex');
}
