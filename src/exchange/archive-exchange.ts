/** Long-term (PAdES B-LTA) copies of exchanged documents: made, renewed, listed when due, read. */
import { createHash } from 'node:crypto';
import { mongo } from 'mongoose';
import { AppError } from '../errors';
import { extendSignatures } from '../extension';
import { Caller, codesOf } from './agency.service';
import type { ExchangeContext } from './exchange-context';
import type { ExchangeDoc } from './models';

export function createArchiveExchange(ctx: ExchangeContext) {
  const { models, documents, audit, validation, tsa } = ctx;
  const { access, readDocument } = ctx.reads;
  /**
   * A long-term copy of the document (PAdES B-LTA, ETSI EN 319 142-1 §5.4): the stored bytes are checked
   * against their recorded hash, validated online, given the validation data and a document timestamp,
   * and kept beside the original (which is never replaced). Again later, it renews the newest copy.
   */
  async function archive(caller: Caller, exchangeId: string) {
    const { exchange } = await access(caller, exchangeId);
    const made = await keepLongTermCopy(exchange, { organId: caller.organId });
    await audit.append({ type: 'exchange.archived', organId: caller.organId, keyId: caller.keyId, subject: exchangeId, details: { sha256: made.sha256, added: made.added } });
    return made;
  }

  /** Extends the newest copy (or the original) to B-LTA and keeps it beside the earlier ones. */
  async function keepLongTermCopy(exchange: ExchangeDoc, by: { organId: string }) {
    const { exchangeId } = exchange;
    if (!tsa) throw new AppError('TSA_NOT_CONFIGURED', 'long-term copies need a time-stamping authority (KYSO_TSA_URL)');
    const latest = exchange.archives?.[exchange.archives.length - 1] ?? { fileId: exchange.fileId, sha256: exchange.sha256 };
    const bytes = await readDocument(latest.fileId);
    if (createHash('sha256').update(bytes).digest('hex') !== latest.sha256) {
      throw new AppError('DOCUMENT_SIGNATURE_INVALID', 'the stored document no longer matches the hash recorded for it');
    }
    const extended = await extendSignatures(bytes, validation, { level: 'B-LTA', tsa });
    const sha256 = createHash('sha256').update(extended.pdf).digest('hex');
    const fileId = await documents.store(extended.pdf, exchange.fileName, sha256);
    const entry = { fileId, sha256, size: extended.pdf.length, level: 'B-LTA', at: new Date(), byOrganId: by.organId, renewBy: extended.renewBy ?? null };
    await models.Exchange.updateOne({ exchangeId }, { $push: { archives: entry }, $set: { renewBy: entry.renewBy, renewalRetryAt: null, renewalFailures: 0 } });
    await ctx.changes.bump([exchange.fromOrganId, ...exchange.to.map((t) => t.organId)]);
    return { exchangeId, sha256, size: entry.size, level: entry.level, at: entry.at, byOrganId: entry.byOrganId, renewBy: entry.renewBy, added: extended.added };
  }

  /**
   * Exchanges of the caller's agency (sent or received) whose newest long-term copy must be renewed within
   * `withinDays`: an explicit query on the recorded renewal date, soonest first.
   */
  async function archivesDue(caller: Caller, withinDays: number) {
    const codes = codesOf(caller);
    const received = (await models.Recipient.find({ organId: { $in: codes } }, { exchangeId: 1 }).lean()).map((r) => r.exchangeId);
    const due = await models.Exchange.find({
      renewBy: { $ne: null, $lte: new Date(Date.now() + withinDays * 86_400_000) },
      $or: [{ fromOrganId: { $in: codes }, inboundTo: '' }, { exchangeId: { $in: received } }],
    }).sort({ renewBy: 1 }).limit(1000).lean();
    return { withinDays, items: due.map((e) => ({ exchangeId: e.exchangeId, codeNumber: e.codeNumber, codeNotation: e.codeNotation, renewBy: e.renewBy, archives: e.archives?.length ?? 0 })) };
  }

  /** The newest long-term copy of the document. */
  async function openArchive(caller: Caller, exchangeId: string): Promise<{ stream: NodeJS.ReadableStream; fileName: string; size: number; sha256: string }> {
    const { exchange, own, isSender } = await access(caller, exchangeId);
    if (!isSender && own?.documentRemoved) throw new AppError('NOT_FOUND', 'the document was recalled by its sender');
    const latest = exchange.archives?.[exchange.archives.length - 1];
    if (!latest) throw new AppError('NOT_FOUND', 'this exchange has no long-term copy yet');
    await audit.append({ type: 'exchange.read', organId: caller.organId, keyId: caller.keyId, subject: exchangeId, details: { document: 'archive' } });
    return { stream: documents.open(latest.fileId as unknown as mongo.ObjectId), fileName: exchange.fileName, size: latest.size, sha256: latest.sha256 };
  }

  return { archive, archivesDue, openArchive, keepLongTermCopy };
}
