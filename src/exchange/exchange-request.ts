/**
 * What a send or an arrival carries: the edXML header fields (validated), the Idempotency-Key and what it
 * stands for, and the summary of a validation report kept with the exchange.
 */
import { createHash } from 'node:crypto';
import { mongo } from 'mongoose';
import { z } from 'zod';
import { AppError } from '../errors';
import type { DocumentReport } from '../validation';
import { ExchangeDoc, ORGAN_ID_PATTERN } from './models';

/** Control characters have no place in a document number or notation (they break registers and edXML). */
const printable = (max: number) => z.string().trim().min(1).max(max).regex(/^[^\u0000-\u001f\u007f-\u009f]*$/, 'must not contain control characters');
/** Vietnamese state documents date from 1945; one issued more than a day ahead is a typing mistake. */
const issuedDate = z.coerce.date().refine((d) => d >= new Date('1945-01-01T00:00:00Z') && d.getTime() <= Date.now() + 86_400_000, 'must be between 1945 and today');
const organId = z.string().regex(ORGAN_ID_PATTERN);

export const sendMetadataSchema = z.object({
  to: z.array(organId).min(1).max(500),
  codeNumber: printable(20),
  codeNotation: printable(50),
  issuedDate,
  subject: z.string().min(1).max(2000),
  documentType: z.string().max(100).optional(),
  /** edXML SignerInfo/Competence: the signer's authority, e.g. "KT. BỘ TRƯỞNG", "TM. ỦY BAN NHÂN DÂN". */
  signerCompetence: z.string().max(200).optional(),
  signerPosition: z.string().max(200).optional(),
  signerFullName: z.string().max(200).optional(),
  promulgationPlace: z.string().max(200).optional(),
  /** 0 thường (normal), 1 khẩn, 2 thượng khẩn, 3 hỏa tốc. */
  priority: z.coerce.number().int().min(0).max(3).default(0),
  businessKind: z.coerce.number().int().min(0).max(3).default(0),
  dueDate: z.coerce.date().refine((d) => d.getUTCFullYear() >= 1945 && d.getUTCFullYear() <= 2200, 'must be a plausible date').optional(),
});
export type SendMetadata = z.infer<typeof sendMetadataSchema>;

export const receiveMetadataSchema = sendMetadataSchema.omit({ to: true }).extend({
  from: z.object({ organId, organName: z.string().min(1).max(300) }),
});

/** Checks the Idempotency-Key and parses the header metadata of a send or an arrival. */
export function parseRequest<S extends z.ZodTypeAny>(schema: S, input: { metadata: unknown; idempotencyKey: string }): z.infer<S> {
  if (!/^[\w.:-]{8,128}$/.test(input.idempotencyKey)) {
    throw new AppError('INVALID_REQUEST', 'an Idempotency-Key header (8–128 characters) is required');
  }
  const parsed = schema.safeParse(input.metadata);
  if (!parsed.success) {
    throw new AppError('INVALID_REQUEST', `invalid metadata: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/**
 * What an Idempotency-Key stands for: the header fields and the hashes of the files. A key sent again with
 * another request is refused (IDEMPOTENCY_KEY_REUSED) instead of silently answering with the first.
 */
export function requestHash(metadata: unknown, fileSha256: string, attachmentHashes: string[] = []): string {
  const canonical = (v: unknown): unknown => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]))
    : Array.isArray(v) ? v.map(canonical) : v);
  return createHash('sha256').update(JSON.stringify([canonical(metadata), fileSha256, attachmentHashes])).digest('hex');
}

export function refuseReusedKey(stored: ExchangeDoc, hash: string): void {
  if (stored.requestHash && stored.requestHash !== hash) {
    throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request; use a new key for a new document');
  }
}

export function summariseReport(report: DocumentReport): Record<string, unknown> {
  return {
    indication: report.indication,
    subIndication: report.subIndication,
    validatedAt: report.validatedAt,
    sha256: report.sha256,
    signatures: report.signatures.map((s) => ({
      field: s.field, appearance: s.appearance ?? null, type: s.type, signer: s.signer?.subject ?? null, claimedSigningTime: s.claimedSigningTime,
      timestamp: s.timestamp?.genTime ?? null, intact: s.intact, coverage: s.coverage, modificationsAfter: s.modificationsAfter,
      level: s.level, indication: s.indication, subIndication: s.subIndication, trustAnchor: s.trustAnchor,
      messages: s.messages.map((m) => m.vi),
    })),
  };
}

/** A received file: its bytes, and where it already is when the upload streamed into the store. */
export interface IncomingFile {
  stored?: { fileId: mongo.ObjectId; sha256: string };
}
