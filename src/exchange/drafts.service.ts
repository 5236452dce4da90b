/**
 * Drafts: documents waiting for an official's signature (uploaded by a clerk or the official), signed in the
 * browser through the signing agent on the official's PC, then in the clerk's queue to be sealed and sent.
 * A draft belongs to one agency; others get "not found".
 */
import { createHash, randomUUID } from 'node:crypto';
import type { mongo } from 'mongoose';
import type { AuditLog } from '../audit';
import type { SignatureScheme, SigningDigestAlgorithm } from '../cms';
import { AppError } from '../errors';
import type { Placement } from '../signing';
import { DocumentValidator, reportError } from '../validation';
import { Caller, codesOf } from './agency.service';
import type { DocumentStore } from './document-store';
import type { DraftDoc, Models } from './models';
import type { SigningSessionService } from './signing-session.service';

const DRAFT_STATUSES = ['awaiting-signature', 'signed', 'sent'] as const;

export type DraftView = Omit<DraftDoc, 'fileId'>;
const viewOf = ({ draftId, organId, createdBy, subject, fileName, sha256, size, pageCount, status, signedBy, signedAt, createdAt }: DraftDoc): DraftView => ({
  draftId, organId, createdBy, subject, fileName, sha256, size, pageCount, status, signedBy: signedBy ?? null, signedAt: signedAt ?? null, createdAt,
});

export function createDraftsService(models: Models, documents: DocumentStore, validator: DocumentValidator, sessions: SigningSessionService, audit: AuditLog) {
  async function own(caller: Caller, draftId: string): Promise<DraftDoc> {
    const draft = await models.Draft.findOne({ draftId }).lean();
    if (!draft || !codesOf(caller).includes(draft.organId)) throw new AppError('NOT_FOUND', 'no such draft');
    return draft;
  }

  async function createDraft(caller: Caller, input: { pdf: Buffer; fileName: string; subject: unknown }): Promise<DraftView> {
    if (typeof input.subject !== 'string' || !input.subject.trim() || input.subject.length > 2000) throw new AppError('INVALID_REQUEST', 'the draft needs a subject (trích yếu, at most 2000 characters)');
    const report = await validator.validate(input.pdf, { structureOnly: true, lane: caller.organId });
    const unreadable = reportError(report);
    if (unreadable) throw unreadable;
    const sha256 = createHash('sha256').update(input.pdf).digest('hex');
    const fileId = await documents.store(input.pdf, input.fileName, sha256);
    const draft: DraftDoc = {
      draftId: randomUUID(), organId: caller.organId, createdBy: caller.keyId, subject: input.subject.trim(), fileName: input.fileName, fileId: fileId as never,
      sha256, size: input.pdf.length, pageCount: report.pageCount ?? 0, status: 'awaiting-signature', signedBy: null, signedAt: null, createdAt: new Date(),
    };
    await models.Draft.create(draft);
    await audit.append({ type: 'draft.created', organId: caller.organId, keyId: caller.keyId, subject: draft.draftId, details: { sha256 } });
    return viewOf(draft);
  }

  async function listDrafts(caller: Caller, status?: string): Promise<DraftView[]> {
    if (status !== undefined && !(DRAFT_STATUSES as readonly string[]).includes(status)) throw new AppError('INVALID_REQUEST', `status is one of ${DRAFT_STATUSES.join(', ')}`);
    const filter: Record<string, unknown> = { organId: { $in: codesOf(caller) }, ...(status ? { status } : {}) };
    const drafts = await models.Draft.find(filter).sort({ createdAt: -1 }).limit(500).lean();
    return drafts.map((d) => viewOf(d as DraftDoc));
  }

  async function getDraft(caller: Caller, draftId: string): Promise<DraftView> {
    return viewOf(await own(caller, draftId));
  }

  async function openDraftDocument(caller: Caller, draftId: string) {
    const draft = await own(caller, draftId);
    return { stream: documents.open(draft.fileId as unknown as mongo.ObjectId), fileName: draft.fileName, size: draft.size, sha256: draft.sha256 };
  }

  /** A signing session over the draft's current bytes, for the official's token (through the agent). */
  async function openSigning(caller: Caller, draftId: string, input: { certificateChain: unknown; scheme?: unknown; digestAlgorithm?: unknown; placement?: unknown; signatureImage?: unknown; title?: unknown }) {
    const draft = await own(caller, draftId);
    if (draft.status === 'sent') throw new AppError('STATUS_TRANSITION_INVALID', 'this draft was already sent');
    const chunks: Buffer[] = [];
    for await (const chunk of documents.open(draft.fileId as unknown as mongo.ObjectId)) chunks.push(chunk as Buffer);
    const p = input.placement as { page?: unknown; x1?: unknown; y1?: unknown; x2?: unknown; y2?: unknown } | undefined;
    let placement: Placement | undefined;
    if (p !== undefined && p !== null) {
      const n = [p.page, p.x1, p.y1, p.x2, p.y2];
      if (!n.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 20_000) || (p.page as number) < 1 || (p.page as number) > draft.pageCount) {
        throw new AppError('INVALID_REQUEST', 'placement is { page (from 1), x1, y1, x2, y2 } in PDF points');
      }
      const [x1, y1, x2, y2] = [p.x1, p.y1, p.x2, p.y2] as number[];
      placement = { pageIndex: (p.page as number) - 1, rect: [Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2)] };
    }
    // The official's handwritten signature (PNG, base64), drawn in the stamp (Decree 30/2020 Appendix I).
    let signatureImage: Buffer | undefined;
    if (input.signatureImage !== undefined && input.signatureImage !== null) {
      if (typeof input.signatureImage !== 'string' || input.signatureImage.length > 700_000) throw new AppError('INVALID_REQUEST', 'signatureImage is a PNG (base64) of at most 500 KB');
      signatureImage = Buffer.from(input.signatureImage, 'base64');
      if (!signatureImage.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex'))) throw new AppError('INVALID_REQUEST', 'signatureImage must be a PNG');
    }
    if (signatureImage && !placement) throw new AppError('INVALID_REQUEST', 'a signature image needs a placement');
    const title = input.title === undefined || input.title === null ? undefined : String(input.title).normalize('NFC');
    if (title !== undefined && (title.length > 120 || /[\u0000-\u0009\u000b-\u001f\u007f]/.test(title))) throw new AppError('INVALID_REQUEST', 'title is the official\'s chức vụ, up to 120 characters (lines split by \\n)');
    return sessions.open(caller, {
      signatureImage, title,
      pdf: Buffer.concat(chunks), certificateChainPem: typeof input.certificateChain === 'string' ? input.certificateChain : '', scheme: input.scheme as SignatureScheme | undefined,
      digestAlgorithm: input.digestAlgorithm as SigningDigestAlgorithm | undefined, placement, reason: 'Ký ban hành', draftId,
    });
  }

  /** The signed bytes replace the draft's; it goes to the clerk's queue (status signed). */
  async function storeSigned(draftId: string, signed: Buffer, caller: Caller): Promise<void> {
    const draft = await models.Draft.findOne({ draftId }).lean();
    if (!draft) throw new AppError('NOT_FOUND', 'no such draft');
    const sha256 = createHash('sha256').update(signed).digest('hex');
    const fileId = await documents.store(signed, draft.fileName, sha256);
    await models.Draft.updateOne({ draftId }, { $set: { fileId, sha256, size: signed.length, status: 'signed', signedBy: caller.keyId, signedAt: new Date() } });
    await audit.append({ type: 'draft.signed', organId: caller.organId, keyId: caller.keyId, subject: draftId, details: { sha256 } });
  }
  sessions.whenDraftSigned(storeSigned);

  /** The clerk sent the draft (as exchange `exchangeId`): it leaves the queue. */
  async function markSent(caller: Caller, draftId: string, exchangeId: unknown): Promise<DraftView> {
    const draft = await own(caller, draftId);
    if (typeof exchangeId !== 'string') throw new AppError('INVALID_REQUEST', 'exchangeId is required');
    const exchange = await models.Exchange.findOne({ exchangeId, fromOrganId: { $in: codesOf(caller) } }).lean();
    if (!exchange) throw new AppError('NOT_FOUND', 'no such exchange of this agency');
    await models.Draft.updateOne({ draftId }, { $set: { status: 'sent' } });
    await audit.append({ type: 'draft.sent', organId: caller.organId, keyId: caller.keyId, subject: draftId, details: { exchangeId } });
    return viewOf({ ...draft, status: 'sent' });
  }

  return { createDraft, listDrafts, getDraft, openDraftDocument, openSigning, markSent };
}

export type DraftsService = ReturnType<typeof createDraftsService>;
