/** Archival re-verification of a stored document, now or as of a past time. */
import { createHash } from 'node:crypto';
import { AppError } from '../errors';
import { Caller } from './agency.service';
import type { ExchangeContext } from './exchange-context';

export function createReverifyExchange(ctx: ExchangeContext) {
  const { audit, validator } = ctx;
  const { access, readDocument } = ctx.reads;
  /**
   * Archival re-verification: the stored document is read back, checked against the SHA-256 recorded when
   * it was accepted, and validated again now (or as of `at`). Nothing is written but the access log.
   */
  async function reverify(caller: Caller, exchangeId: string, options: { at?: Date } = {}) {
    const { exchange, own, isSender } = await access(caller, exchangeId);
    if (!isSender && own?.documentRemoved) throw new AppError('NOT_FOUND', 'the document was recalled by its sender');
    const bytes = await readDocument(exchange.fileId);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const fresh = await validator.validate(bytes, { fileName: exchange.fileName, at: options.at, fileSha256: sha256, includeCertificates: true, lane: caller.organId });
    await audit.append({ type: 'exchange.read', organId: caller.organId, keyId: caller.keyId, subject: exchangeId, details: { reverified: fresh.indication, at: options.at?.toISOString() ?? null } });
    return { exchangeId, storedSha256: exchange.sha256, sha256, storedIntact: sha256 === exchange.sha256, acceptedVerdict: exchange.verification, report: fresh };
  }

  return reverify;
}
