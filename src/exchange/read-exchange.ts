/** Reading exchanges: who may see one (sender or recipient; others get 404), the view each sees, lists, and the stored files. */
import { mongo } from 'mongoose';
import { AppError } from '../errors';
import { Caller, codesOf } from './agency.service';
import type { ExchangeContext } from './exchange-context';
import { ExchangeDoc, RecipientDoc } from './models';

export interface ListQuery {
  box: 'inbox' | 'outbox';
  status?: string;
  from?: Date;
  to?: Date;
  /** The other agency: the sender (inbox) or a recipient (outbox). */
  counterpart?: string;
  /** "số/ký hiệu", or the số alone. */
  number?: string;
  /** Words of the trích yếu (subject), case-insensitive. */
  text?: string;
  page: number;
  pageSize: number;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function createExchangeReads(ctx: ExchangeContext) {
  const { models, documents, audit } = ctx;
  async function access(caller: Caller, exchangeId: string): Promise<{ exchange: ExchangeDoc; recipients: RecipientDoc[]; own?: RecipientDoc; isSender: boolean }> {
    const exchange = await models.Exchange.findOne({ exchangeId }).lean();
    if (!exchange) throw new AppError('NOT_FOUND', 'no such exchange');
    const recipients = await models.Recipient.find({ exchangeId }).lean();
    const codes = codesOf(caller);
    // A record of a document received from outside has no sender here, whatever its `from` says.
    const isSender = !exchange.inboundTo && codes.includes(exchange.fromOrganId);
    const own = recipients.find((r) => codes.includes(r.organId));
    // Other agencies get the same answer as for a missing exchange: its existence is not disclosed.
    if (!isSender && !own) throw new AppError('NOT_FOUND', 'no such exchange');
    return { exchange, recipients, own, isSender };
  }

  function view(exchange: ExchangeDoc, recipients: RecipientDoc[]): Record<string, unknown> {
    const { _id, __v, fileId, report, ...rest } = exchange as ExchangeDoc & { _id?: unknown; __v?: unknown };
    void _id; void __v; void fileId; void report;
    return {
      ...rest,
      attachments: (exchange.attachments ?? []).map(({ name, sha256, size, verification }) => ({ name, sha256, size, verification })),
      archives: (exchange.archives ?? []).map(({ sha256, size, level, at, byOrganId, renewBy }) => ({ sha256, size, level, at, byOrganId, renewBy })),
      documentId: `${exchange.fromOrganId},${exchange.issuedDate.toISOString().slice(0, 10).replace(/-/g, '/')},${exchange.codeNumber}/${exchange.codeNotation}`,
      recipients: recipients.map((r) => ({
        organId: r.organId, organName: r.organName, status: r.status, history: r.history, documentRemoved: r.documentRemoved, needsReview: !!r.needsReview,
        ...(r.verification ? { verification: r.verification } : {}),
      })),
    };
  }

  async function get(caller: Caller, exchangeId: string, options: { logAccess?: boolean } = {}): Promise<Record<string, unknown>> {
    const { exchange, recipients, own, isSender } = await access(caller, exchangeId);
    if (options.logAccess !== false) await audit.append({ type: 'exchange.read', organId: caller.organId, keyId: caller.keyId, subject: exchangeId });
    return view(exchange, isSender ? recipients : own ? [own] : []);
  }

  async function readDocument(fileId: unknown): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of documents.open(fileId as mongo.ObjectId)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** The main document (attachment undefined) or attachment number `attachment` (0-based). */
  async function openDocument(caller: Caller, exchangeId: string, attachment?: number): Promise<{ stream: NodeJS.ReadableStream; fileName: string; size: number; sha256: string }> {
    const { exchange, own, isSender } = await access(caller, exchangeId);
    if (!isSender && own?.documentRemoved) throw new AppError('NOT_FOUND', 'the document was recalled by its sender');
    const file = attachment === undefined
      ? { fileId: exchange.fileId, name: exchange.fileName, size: exchange.size, sha256: exchange.sha256 }
      : exchange.attachments?.[attachment];
    if (!file) throw new AppError('NOT_FOUND', 'no such attachment');
    await audit.append({ type: 'exchange.read', organId: caller.organId, keyId: caller.keyId, subject: exchangeId, details: { document: attachment ?? 'main' } });
    return { stream: documents.open(file.fileId as unknown as mongo.ObjectId), fileName: file.name, size: file.size, sha256: file.sha256 };
  }

  /**
   * The inbox (copies the caller's agency received) or the outbox (what it sent), newest first, filtered
   * by status, date range, the other agency, số/ký hiệu and trích yếu text, with the count of each status.
   */
  async function list(caller: Caller, query: ListQuery) {
    const codes = codesOf(caller);
    const range: Record<string, Date> = {};
    if (query.from) range.$gte = query.from;
    if (query.to) range.$lte = query.to;
    // Header filters select exchanges first (number, text, counterpart on the inbox side).
    const header: Record<string, unknown> = {};
    if (query.number) {
      const [n, ...notation] = query.number.split('/');
      header.codeNumber = n.trim();
      if (notation.length) header.codeNotation = notation.join('/').trim();
    }
    if (query.text) header.subject = { $regex: escapeRegExp(query.text), $options: 'i' };
    if (query.box === 'outbox') {
      const filter: Record<string, unknown> = { fromOrganId: { $in: codes }, inboundTo: '', ...header };
      if (query.from || query.to) filter.createdAt = range;
      const mine = async (extra: Record<string, unknown>) => (await models.Recipient.find(extra, { exchangeId: 1 }).lean()).map((r) => r.exchangeId);
      if (query.status || query.counterpart) {
        filter.exchangeId = { $in: await mine({ ...(query.status ? { status: query.status } : {}), ...(query.counterpart ? { organId: query.counterpart } : {}) }) };
      }
      const total = await models.Exchange.countDocuments(filter);
      const items = await models.Exchange.find(filter).sort({ createdAt: -1 }).skip((query.page - 1) * query.pageSize).limit(query.pageSize).lean();
      const recipients = await models.Recipient.find({ exchangeId: { $in: items.map((e) => e.exchangeId) } }).lean();
      const sent = (await models.Exchange.find({ fromOrganId: { $in: codes }, inboundTo: '' }, { exchangeId: 1 }).lean()).map((e) => e.exchangeId);
      const counts = await countStatuses({ exchangeId: { $in: sent } });
      return { total, page: query.page, pageSize: query.pageSize, counts, items: items.map((e) => view(e, recipients.filter((r) => r.exchangeId === e.exchangeId))) };
    }
    // The inbox: one read of the agency's copies gives the counts per status, the total and the page (the
    // embedded database scans a collection for any filter but the _id, so one scan instead of three).
    let exchangeIds: Set<string> | undefined;
    if (Object.keys(header).length || query.counterpart) {
      exchangeIds = new Set((await models.Exchange.find({ ...header, ...(query.counterpart ? { fromOrganId: query.counterpart } : {}) }, { exchangeId: 1 }).lean()).map((e) => e.exchangeId));
    }
    const mine = await models.Recipient.find({ organId: { $in: codes } }).lean();
    const counts: Record<string, number> = {};
    for (const r of mine) counts[r.status] = (counts[r.status] ?? 0) + 1;
    const matching = mine.filter((r) => (!query.status || r.status === query.status)
      && (!query.from || r.updatedAt >= query.from) && (!query.to || r.updatedAt <= query.to)
      && (!exchangeIds || exchangeIds.has(r.exchangeId)));
    matching.sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime());
    const own = matching.slice((query.page - 1) * query.pageSize, query.page * query.pageSize);
    const exchanges = await models.Exchange.find({ exchangeId: { $in: own.map((r) => r.exchangeId) } }).lean();
    return {
      total: matching.length, page: query.page, pageSize: query.pageSize, counts,
      items: own.flatMap((r) => {
        const e = exchanges.find((x) => x.exchangeId === r.exchangeId);
        return e ? [view(e, [r])] : [];
      }),
    };
  }

  /** How many recipient copies are in each status (only the statuses present). */
  async function countStatuses(filter: Record<string, unknown>): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const r of await models.Recipient.find(filter, { status: 1, _id: 0 }).lean()) counts[r.status] = (counts[r.status] ?? 0) + 1;
    return counts;
  }

  return { access, view, get, readDocument, openDocument, list };
}

export type ExchangeReads = ReturnType<typeof createExchangeReads>;
