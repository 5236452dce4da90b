/** Sending a signed document to local agencies: validated before it leaves, one recipient entry each, verified under each recipient's own trust policy. */
import { createHash, randomUUID } from 'node:crypto';
import { mongo } from 'mongoose';
import { AppError } from '../errors';
import { reportError } from '../validation';
import { Caller, codesOf } from './agency.service';
import { createBatchedInsert } from './batched-insert';
import type { ExchangeContext } from './exchange-context';
import { IncomingFile, parseRequest, refuseReusedKey, requestHash, sendMetadataSchema, summariseReport } from './exchange-request';
import { attachmentHashes, IncomingAttachment, keepAttachments } from './keep-attachments';
import { AgencyDoc, ExchangeDoc, isDuplicateKey, RecipientDoc } from './models';
import { arrivalHistory, STATUS } from './status-machine';


/** How long a recipient lookup is reused, and how many different recipient sets are kept. */
const RECIPIENTS_TTL_MS = 1000;
const RECIPIENT_SETS = 256;

/** A one-second memo of recipient lookups (the read that every send makes before any write). */
function recentLookups<T>() {
  const kept = new Map<string, { until: number; value: Promise<T> }>();
  return (codes: string[], read: () => Promise<T>): Promise<T> => {
    const key = [...codes].sort().join('\u0000');
    const now = Date.now();
    const hit = kept.get(key);
    if (hit && hit.until > now) return hit.value;
    if (kept.size >= RECIPIENT_SETS) kept.clear();
    const value = read();
    kept.set(key, { until: now + RECIPIENTS_TTL_MS, value });
    // A failed read is not reused.
    value.catch(() => kept.delete(key));
    return value;
  };
}

export function createSendExchange(ctx: ExchangeContext) {
  const { models, documents, audit, validator } = ctx;
  const { view, get } = ctx.reads;
  const { keepCertificates } = ctx.evidence;
  // Exchange and recipient documents of concurrent sends are written together (see batched-insert.ts).
  const insertExchange = createBatchedInsert(() => models.Exchange.collection as never);
  const insertRecipient = createBatchedInsert(() => models.Recipient.collection as never);
  // The active agencies holding a set of codes, read once a second at most for the same recipients: a
  // renamed, added or deactivated agency is seen by every instance within a second.
  const recentAgencies = recentLookups<AgencyDoc[]>();
  const recipientsOf = (to: string[]) => recentAgencies(to, () => models.Agency.find({ $or: [{ organId: { $in: to } }, { 'history.organId': { $in: to } }], active: true }).lean().exec());

  type SendInput = IncomingFile & { pdf: Buffer; fileName: string; metadata: unknown; idempotencyKey: string; attachments?: IncomingAttachment[] };
  type SendResult = { exchange: ExchangeDoc; created: boolean; view: Record<string, unknown> };

  // Streamed uploads of a request that fails are removed by the HTTP layer that made them (app.ts,
  // keepingUploads); here only the replays, which succeed without keeping the new upload, discard it.
  async function send(caller: Caller, input: SendInput): Promise<SendResult> {
    // Where the time goes, phase by phase (kyso_send_phase_seconds; the bench prints the breakdown).
    let last = process.hrtime.bigint();
    const phase = (name: string) => {
      const now = process.hrtime.bigint();
      ctx.metrics?.sendPhase(name, Number(now - last) / 1e9);
      last = now;
    };
    const meta = parseRequest(sendMetadataSchema, input);
    const to = [...new Set(meta.to)];
    const own = codesOf(caller);
    if (to.some((id) => own.includes(id))) throw new AppError('INVALID_REQUEST', 'an agency does not send a document to itself');
    // A recipient named by an earlier code gets the document under the code it has now.
    const found = await recipientsOf(to);
    const holder = (code: string) => found.find((a) => a.organId === code) ?? found.find((a) => a.history.some((h) => h.organId === code));
    // Agencies served by another Kyso get the document through that peer.
    const remote = await ctx.peers.peersServing(to.filter((code) => !holder(code)));
    const unknown = to.filter((id) => !holder(id) && !remote.has(id));
    if (unknown.length) throw new AppError('AGENCY_UNKNOWN', `unknown or inactive recipient agency: ${unknown.join(', ')}`);
    const agencies = [...new Map(to.filter((id) => holder(id)).map((id) => holder(id) as AgencyDoc).map((a) => [a.organId, a])).values()];
    if (agencies.some((a) => a.organId === caller.organId)) throw new AppError('INVALID_REQUEST', 'an agency does not send a document to itself');
    const year = meta.issuedDate.getUTCFullYear();
    // Replays (same Idempotency-Key) and duplicate numbers are decided by the unique indexes at insert time,
    // which is also what makes them race-free; a replay then answers with the first exchange.

    phase('lookup');
    const sha256 = input.stored?.sha256 ?? createHash('sha256').update(input.pdf).digest('hex');
    const hash = requestHash(input.metadata, sha256, attachmentHashes(input.attachments ?? []));
    const report = await validator.validate(input.pdf, { fileName: input.fileName, fileSha256: sha256, includeCertificates: true, countPages: true, lane: caller.organId });
    const unreadable = reportError(report);
    if (unreadable) throw unreadable;
    if (report.indication === 'NO_SIGNATURE') throw new AppError('DOCUMENT_NOT_SIGNED', 'the document has no digital signature');
    if (report.indication === 'TOTAL_FAILED') {
      throw new AppError('DOCUMENT_SIGNATURE_INVALID', `a signature fails validation (${report.subIndication ?? 'disallowed change after signing'})`, {
        details: { verification: summariseReport(report) },
      });
    }
    phase('validate');
    // Attachments travel as separate files, each with its own hash and, for PDFs, its own verdict.
    const attachments = await keepAttachments(ctx, caller, input.attachments ?? [], { refuseFailing: true });
    const fileId = input.stored?.fileId ?? await documents.store(input.pdf, input.fileName, sha256);
    phase('store');
    const verification = summariseReport(report);
    const exchangeId = randomUUID();
    let exchange: ExchangeDoc;
    try {
      // Validated and given its defaults by mongoose, written by the batched inserter (a hot path). The
      // verdict and the stored report are built here, fresh, and join the document after validation: both
      // are free-form (Mixed) paths, which mongoose would only copy deeply.
      const stored = await keepCertificates(report);
      const created = new models.Exchange({
        exchangeId, fromOrganId: caller.organId, fromOrganName: caller.organName, attachments, requestHash: hash, inboundTo: '',
        to: [...agencies.map((a) => ({ organId: a.organId, organName: a.name })), ...[...remote.keys()].map((id) => ({ organId: id, organName: id }))],
        codeNumber: meta.codeNumber, codeNotation: meta.codeNotation, year, issuedDate: meta.issuedDate, subject: meta.subject,
        documentType: meta.documentType, signerCompetence: meta.signerCompetence, signerPosition: meta.signerPosition, signerFullName: meta.signerFullName,
        promulgationPlace: meta.promulgationPlace, priority: meta.priority, dueDate: meta.dueDate ?? null,
        idempotencyKey: input.idempotencyKey, fileId, fileName: input.fileName, sha256, size: input.pdf.length,
        pageAmount: report.pageCount ?? 0, businessKind: meta.businessKind,
      });
      await created.validate();
      exchange = { ...created.toObject(), verification, report: stored } as ExchangeDoc;
      await insertExchange(exchange as unknown as Record<string, unknown>);
    } catch (error) {
      await documents.discard([fileId, ...attachments.map((a) => a.fileId as mongo.ObjectId)]);
      if (isDuplicateKey(error)) {
        const again = await models.Exchange.findOne({ fromOrganId: caller.organId, idempotencyKey: input.idempotencyKey }).lean();
        if (again) refuseReusedKey(again, hash);
        if (again) return { exchange: again, created: false, view: await get(caller, again.exchangeId, { logAccess: false }) };
        throw new AppError('DUPLICATE_DOCUMENT_NUMBER', `số ${meta.codeNumber}/${meta.codeNotation} was already sent in ${year}`);
      }
      throw error;
    }
    phase('exchange');
    const now = new Date();
    const strict = agencies.some((a) => a.trustPolicy?.acceptPublicCa === false)
      ? await validator.validate(input.pdf, { fileName: input.fileName, fileSha256: sha256, includeCertificates: true, trust: 'official', lane: caller.organId })
      : undefined;
    const recipients: RecipientDoc[] = agencies.map((a) => {
      // Verified at receipt under the recipient's own policy; a failure is returned automatically.
      const own = a.trustPolicy?.acceptPublicCa === false && strict ? strict : report;
      const history = arrivalHistory(own, now, a.organId);
      return {
        exchangeId, organId: a.organId, organName: a.name, status: history[history.length - 1].status, history, updatedAt: now,
        documentRemoved: false, verification: own === report ? null : summariseReport(own),
        needsReview: history.length === 1 && own.indication === 'INDETERMINATE',
      };
    });
    // Recipients on peers: "đang chuyển" until their Kyso confirms arrival (01).
    for (const [organId, peer] of remote) {
      recipients.push({
        exchangeId, organId, organName: organId, status: STATUS.IN_TRANSIT, history: [{ status: STATUS.IN_TRANSIT, at: now, byOrganId: caller.organId }],
        updatedAt: now, documentRemoved: false, verification: null, needsReview: false, peerId: peer.peerId,
      });
    }
    // Straight to the driver: the entries are fully built above and need no casting (hot path).
    // Independent writes, both awaited before the answer: the recipients' entries and the audit event.
    await Promise.all([
      ...recipients.map((r) => insertRecipient({ ...r })),
      ctx.changes.bump([caller.organId, ...recipients.map((r) => r.organId)]),
      audit.append({ type: 'exchange.sent', organId: caller.organId, keyId: caller.keyId, subject: exchangeId, details: { to, sha256, codeNumber: meta.codeNumber, codeNotation: meta.codeNotation } }),
    ]);
    const byPeer = new Map<string, string[]>();
    for (const [organId, peer] of remote) byPeer.set(peer.peerId, [...(byPeer.get(peer.peerId) ?? []), organId]);
    await ctx.outbox.enqueueDocument(exchangeId, byPeer);
    // Answered from what was just written: no read-back of a collection that grows with every exchange.
    phase('recipients');
    ctx.metrics?.sent();
    return { exchange, created: true, view: view(exchange, recipients) };
  }

  return send;
}
