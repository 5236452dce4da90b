/**
 * Validation as a service to the rest of Kyso: one call, `validate(pdf, request)`, either in this thread
 * (the command line, where the process is the user's) or in a pool of worker threads (the HTTP service), so
 * that parsing and decompressing a hostile document never blocks other requests. Both give the same report.
 */
import { AppError } from '../errors';
import { openByteSource } from '../pdf';
import { DocumentReport, unreadableReport } from './report';

export { unreadableReport };
import { validatePdf, ValidatePdfOptions } from './validate-document';
import type { ValidationContext } from './validation-context';

export interface ValidationRequest extends ValidatePdfOptions {
  fileName?: string;
  /** `official`: only the official-duty anchors (agencies that do not accept public-CA signatures). */
  trust?: 'all' | 'official';
  /** Validate as of this moment (archival re-validation). */
  at?: Date;
  /** Whose request this is (an agency): the pool keeps one caller's documents from taking every worker. */
  lane?: string;
}

/** A document in memory, or a file read where the validation needs it (a 1 GB file costs megabytes). */
export type PdfInput = Buffer | { path: string };

export interface DocumentValidator {
  validate(pdf: PdfInput, request?: ValidationRequest): Promise<DocumentReport>;
  close(): Promise<void>;
}

/** The context a request asks for, derived from the base one. */
export function contextFor(base: ValidationContext, request: ValidationRequest, officialOnly: () => ValidationContext['trust']): ValidationContext {
  const trust = request.trust === 'official' ? officialOnly() : base.trust;
  return { ...base, trust, at: request.at ?? base.at };
}

/** Splits a request into the validatePdf options (what stays is the context choice). */
export function optionsOf(request: ValidationRequest): ValidatePdfOptions {
  const { fileName, trust, at, lane, ...options } = request;
  void fileName; void trust; void at; void lane;
  return options;
}

export function createInProcessValidator(context: ValidationContext): DocumentValidator {
  let official: ValidationContext['trust'] | undefined;
  const officialOnly = () => (official ??= context.trust.officialOnly());
  return {
    validate: (pdf, request = {}) => validateInput(pdf, contextFor(context, request, officialOnly), request),
    close: async () => undefined,
  };
}

/** Validates a document given in memory or as a file path; a file that cannot be read is reported, not thrown. */
export async function validateInput(pdf: PdfInput, context: ValidationContext, request: ValidationRequest): Promise<DocumentReport> {
  if (Buffer.isBuffer(pdf)) return validatePdf(pdf, context, request.fileName, optionsOf(request));
  let source;
  try {
    source = openByteSource(pdf.path);
  } catch (error) {
    const { cause, code } = error as { cause?: unknown; code?: unknown };
    return unreadableReport(request.fileName ?? pdf.path, cause ?? code);
  }
  try {
    return await validatePdf(source, context, request.fileName, optionsOf(request));
  } finally {
    source.close();
  }
}

/** The error a caller gets for a report that says the input is no PDF Kyso will read. */
export function reportError(report: DocumentReport): AppError | undefined {
  if (!report.error) return undefined;
  return new AppError(report.error.code === 'PDF_DECODE_BUDGET_EXCEEDED' ? 'PDF_DECODE_BUDGET_EXCEEDED' : 'PDF_MALFORMED', report.error.en);
}
