/** Reading exchanges: who may see one (sender or recipient; others get 404), the view each sees, lists, and the stored files. */
import { mongo } from 'mongoose';
import { AppError } from '../errors';
import { Caller, codesOf } from './agency.service';
import { documentIdOf } from './edxml-package';
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
      documentId: documentIdOf(exchange),
      recipients: recipients.map((r) => ({
        organId: r.organId, organName: r.organName, status: r.status, history: r.history, documentRemoved: r.documentRemoved, needsReview: !!r.needsReview,
        arrival: r.arrival ? { number: r.arrival.number, year: r.arrival.year, at: r.arrival.at, forwardTo: r.arrival.forwardTo ?? '' } : null,
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
   * What an agency's inbox or outbox is made of (its recipient entries and their exchanges), read once and
   * reused while the agency's change counter has not moved (see change-counters.ts): the embedded database
   * scans a whole collection for any filter but `_id`, so a box is read in full at most once per change.
   */
  const boxes = new Map<string, { token: string; entries: RecipientDoc[]; exchanges: Map<string, ExchangeDoc> }>();
  const BOXES_KEPT = 16;
  async function boxOf(box: 'inbox' | 'outbox', codes: string[]) {
    const key = `${box}:${codes.join(',')}`;
    // The counters are read before the data: a change made meanwhile moves them, and the next read reloads.
    const token = await ctx.changes.read(codes);
    const kept = boxes.get(key);
    if (kept && kept.token === token) return kept;
    let entries: RecipientDoc[];
    let exchanges: ExchangeDoc[];
    if (box === 'inbox') {
      entries = await models.Recipient.find({ organId: { $in: codes } }).lean();
      exchanges = entries.length ? await models.Exchange.find({ exchangeId: { $in: entries.map((r) => r.exchangeId) } }).lean() : [];
    } else {
      exchanges = await models.Exchange.find({ fromOrganId: { $in: codes }, inboundTo: '' }).lean();
      entries = exchanges.length ? await models.Recipient.find({ exchangeId: { $in: exchanges.map((e) => e.exchangeId) } }).lean() : [];
    }
    const loaded = { token, entries, exchanges: new Map(exchanges.map((e) => [e.exchangeId, e])) };
    boxes.delete(key);
    boxes.set(key, loaded);
    if (boxes.size > BOXES_KEPT) boxes.delete(boxes.keys().next().value as string);
    return loaded;
  }

  /**
   * The inbox (copies the caller's agency received) or the outbox (what it sent), newest first, filtered
   * by status, date range, the other agency, số/ký hiệu and trích yếu text, with the count of each status.
   */
  async function list(caller: Caller, query: ListQuery) {
    const { entries, exchanges } = await boxOf(query.box, codesOf(caller));
    const [number, ...notation] = (query.number ?? '').split('/');
    const text = query.text?.toLocaleLowerCase('vi');
    const headerMatches = (e: ExchangeDoc): boolean => (!query.number || (e.codeNumber === number.trim() && (notation.length === 0 || e.codeNotation === notation.join('/').trim())))
      && (!text || e.subject.toLocaleLowerCase('vi').includes(text));
    const counts: Record<string, number> = {};
    for (const r of entries) counts[r.status] = (counts[r.status] ?? 0) + 1;
    if (query.box === 'outbox') {
      const byExchange = new Map<string, RecipientDoc[]>();
      for (const r of entries) byExchange.set(r.exchangeId, [...(byExchange.get(r.exchangeId) ?? []), r]);
      const matching = [...exchanges.values()].filter((e) => {
        const rs = byExchange.get(e.exchangeId) ?? [];
        return headerMatches(e) && (!query.from || e.createdAt >= query.from) && (!query.to || e.createdAt <= query.to)
          && (!query.status || rs.some((r) => r.status === query.status)) && (!query.counterpart || rs.some((r) => r.organId === query.counterpart));
      }).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
      const page = matching.slice((query.page - 1) * query.pageSize, query.page * query.pageSize);
      return { total: matching.length, page: query.page, pageSize: query.pageSize, counts, items: page.map((e) => view(e, byExchange.get(e.exchangeId) ?? [])) };
    }
    const matching = entries.filter((r) => {
      const e = exchanges.get(r.exchangeId);
      return !!e && headerMatches(e) && (!query.status || r.status === query.status) && (!query.counterpart || e.fromOrganId === query.counterpart)
        && (!query.from || r.updatedAt >= query.from) && (!query.to || r.updatedAt <= query.to);
    }).sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime());
    const page = matching.slice((query.page - 1) * query.pageSize, query.page * query.pageSize);
    return { total: matching.length, page: query.page, pageSize: query.pageSize, counts, items: page.map((r) => view(exchanges.get(r.exchangeId) as ExchangeDoc, [r])) };
  }

  return { access, view, get, readDocument, openDocument, list };
}

export type ExchangeReads = ReturnType<typeof createExchangeReads>;
