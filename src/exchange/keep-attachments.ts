/** Attachments in separate files (Decree 30/2020 Appendix I): each kept with its hash and, for a PDF, its own verdict. */
import { createHash } from 'node:crypto';
import { AppError } from '../errors';
import type { Caller } from './agency.service';
import type { ExchangeContext } from './exchange-context';
import { IncomingFile, summariseReport } from './exchange-request';
import type { ExchangeDoc } from './models';

export type IncomingAttachment = IncomingFile & { name: string; bytes: Buffer };

/**
 * Validates and stores attachments. A sender's attachment whose signature fails is refused (`refuseFailing`);
 * an arriving one is kept with its failing verdict for the recipient to see.
 */
export async function keepAttachments(
  ctx: Pick<ExchangeContext, 'validator' | 'documents'>, caller: Caller, attachments: IncomingAttachment[], options: { refuseFailing: boolean },
): Promise<NonNullable<ExchangeDoc['attachments']>> {
  const kept: NonNullable<ExchangeDoc['attachments']> = [];
  for (const a of attachments) {
    const hash = a.stored?.sha256 ?? createHash('sha256').update(a.bytes).digest('hex');
    let check: Record<string, unknown> | null = null;
    if (a.bytes.subarray(0, 1024).includes('%PDF-')) {
      const r = await ctx.validator.validate(a.bytes, { fileName: a.name, fileSha256: hash, lane: caller.organId });
      if (options.refuseFailing && r.indication === 'TOTAL_FAILED') {
        throw new AppError('DOCUMENT_SIGNATURE_INVALID', `a signature on attachment ${a.name} fails validation (${r.subIndication ?? 'disallowed change after signing'})`);
      }
      if (!r.error) check = summariseReport(r);
    }
    kept.push({ name: a.name, sha256: hash, size: a.bytes.length, fileId: a.stored?.fileId ?? await ctx.documents.store(a.bytes, a.name, hash), verification: check });
  }
  return kept;
}

export const attachmentHashes = (attachments: IncomingAttachment[]): string[] =>
  attachments.map((a) => a.stored?.sha256 ?? createHash('sha256').update(a.bytes).digest('hex'));
