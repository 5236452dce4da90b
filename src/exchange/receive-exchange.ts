/** A document arriving from outside this service for one local agency, verified on arrival. */
import { createHash, randomUUID } from 'node:crypto';
import { mongo } from 'mongoose';
import { AppError } from '../errors';
import { reportError } from '../validation';
import { Caller } from './agency.service';
import type { ExchangeContext } from './exchange-context';
import { IncomingFile, parseRequest, receiveMetadataSchema, refuseReusedKey, requestHash, summariseReport } from './exchange-request';
import { attachmentHashes, IncomingAttachment, keepAttachments } from './keep-attachments';
import { ExchangeDoc, isDuplicateKey } from './models';
import { arrivalHistory } from './status-machine';

export function createReceiveExchange(ctx: ExchangeContext) {
  const { models, documents, audit, validator } = ctx;
  const { keepCertificates } = ctx.evidence;
  /**
   * A document arriving from outside this service (e.g. through the national document axis) for the
   * caller's agency. It is verified on arrival (Decree 30/2020 Art. 21): a document whose signature fails
   * is recorded and returned automatically (status 02) with the failing sub-indication as the reason.
   */
  type ReceiveInput = IncomingFile & {
    pdf: Buffer; fileName: string; metadata: unknown; idempotencyKey: string; attachments?: IncomingAttachment[];
    /** The peer (another Kyso) it arrived from: this agency's statuses flow back there. */
    viaPeer?: string;
  };

  async function receive(caller: Caller, input: ReceiveInput) {
    const meta = parseRequest(receiveMetadataSchema, input);
    // A document from outside never speaks for an agency of this service (it would enter its outbox and
    // take its numbers): a local sender, under its current or an earlier code, is refused.
    if (await models.Agency.exists({ $or: [{ organId: meta.from.organId }, { 'history.organId': meta.from.organId }] })) {
      throw new AppError('INBOUND_SENDER_IS_LOCAL', `agency ${meta.from.organId} is served by this Kyso; its documents are sent with POST /v1/exchanges, not received from outside`);
    }
    const key = `inbound:${caller.organId}:${input.idempotencyKey}`;
    const sha256 = input.stored?.sha256 ?? createHash('sha256').update(input.pdf).digest('hex');
    const hash = requestHash(input.metadata, sha256, attachmentHashes(input.attachments ?? []));
    const replay = await models.Exchange.findOne({ fromOrganId: meta.from.organId, idempotencyKey: key }).lean();
    if (replay) {
      refuseReusedKey(replay, hash);
      await documents.discard([input.stored?.fileId, ...(input.attachments ?? []).map((a) => a.stored?.fileId)].filter((id) => id !== undefined));
      const entry = await models.Recipient.findOne({ exchangeId: replay.exchangeId, organId: caller.organId }, { history: 1 }).lean();
      return { exchange: replay, created: false, history: entry?.history ?? [] };
    }
    const agency = await models.Agency.findOne({ organId: caller.organId }).lean();
    const report = await validator.validate(input.pdf, {
      fileName: input.fileName, fileSha256: sha256, includeCertificates: true, countPages: true, lane: caller.organId, trust: agency?.trustPolicy?.acceptPublicCa === false ? 'official' : 'all',
    });
    // Not a PDF Kyso can read (or a compression bomb): refused, nothing kept.
    const unreadable = reportError(report);
    if (unreadable) throw unreadable;
    const verification = summariseReport(report);
    const year = meta.issuedDate.getUTCFullYear();
    const attachments = await keepAttachments(ctx, caller, input.attachments ?? [], { refuseFailing: false });
    const fileId = input.stored?.fileId ?? await documents.store(input.pdf, input.fileName, sha256);
    const exchangeId = randomUUID();
    let exchange: ExchangeDoc;
    try {
      exchange = (await models.Exchange.create({
        exchangeId, fromOrganId: meta.from.organId, fromOrganName: meta.from.organName, to: [{ organId: caller.organId, organName: caller.organName }],
        inboundTo: caller.organId, requestHash: hash, attachments, viaPeer: input.viaPeer ?? null,
        codeNumber: meta.codeNumber, codeNotation: meta.codeNotation, year, issuedDate: meta.issuedDate, subject: meta.subject,
        documentType: meta.documentType, signerCompetence: meta.signerCompetence, signerPosition: meta.signerPosition, signerFullName: meta.signerFullName,
        promulgationPlace: meta.promulgationPlace, priority: meta.priority, dueDate: meta.dueDate ?? null,
        idempotencyKey: key, fileId, fileName: input.fileName, sha256, size: input.pdf.length, verification,
        pageAmount: report.pageCount ?? 0, businessKind: meta.businessKind, report: await keepCertificates(report),
      })).toObject();
    } catch (error) {
      await documents.discard([fileId, ...attachments.map((a) => a.fileId as unknown as mongo.ObjectId)]);
      if (isDuplicateKey(error)) {
        throw new AppError('DUPLICATE_DOCUMENT_NUMBER', `số ${meta.codeNumber}/${meta.codeNotation} of ${meta.from.organId} was already received in ${year}`);
      }
      throw error;
    }
    const now = new Date();
    const history = arrivalHistory(report, now, caller.organId);
    const failing = history.length > 1 ? history[1].reason : undefined;
    await models.Recipient.create({
      exchangeId, organId: caller.organId, organName: caller.organName, status: history[history.length - 1].status, history, updatedAt: now,
      needsReview: !failing && report.indication === 'INDETERMINATE',
    });
    await ctx.changes.bump([caller.organId]);
    await audit.append({ type: 'exchange.received', organId: caller.organId, keyId: caller.keyId, subject: exchangeId, details: { from: meta.from.organId, sha256, returned: failing ?? null, viaPeer: input.viaPeer ?? null } });
    return { exchange, created: true, history };
  }

  return receive;
}
