/**
 * Sending, receiving and following documents between agencies (edXML QCVN 102:2016 statuses; Decree
 * 30/2020 Art. 21 and Appendix VI): validate before sending, store the PDF in GridFS with its SHA-256,
 * one recipient entry per agency with a status history, recall, access log, on-time statistics.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mongo } from 'mongoose';
import { z } from 'zod';
import type { AuditLog } from '../audit';
import { AppError } from '../errors';
import { DocumentReport, DocumentValidator, extendSignatures, reportError, ValidationContext } from '../validation';
import { Caller, codesOf } from './agency.service';
import { createBatchedInsert } from './batched-insert';
import type { DocumentStore } from './document-store';
import { AgencyDoc, ExchangeDoc, isDuplicateKey, Models, ORGAN_ID_PATTERN, RecipientDoc, StatusEntry } from './models';

export const STATUS = {
  ARRIVED: '01', RETURNED: '02', ACCEPTED: '03', ASSIGNED: '04', IN_PROGRESS: '05', DONE: '06',
  RECALL_REQUESTED: '13', RECALL_ACCEPTED: '15', RECALL_REFUSED: '16',
} as const;

/** Moves a recipient may make (edXML status codes). Recall answers follow a recall request only. */
const TRANSITIONS: Record<string, string[]> = {
  '01': ['02', '03'],
  '03': ['04', '05', '06'],
  '04': ['05', '06'],
  '05': ['06'],
  '13': ['15', '16'],
  '16': ['03', '04', '05', '06'],
};

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

const receiveMetadataSchema = sendMetadataSchema.omit({ to: true }).extend({
  from: z.object({ organId, organName: z.string().min(1).max(300) }),
});

/** Checks the Idempotency-Key and parses the header metadata of a send or an arrival. */
function parseRequest<S extends z.ZodTypeAny>(schema: S, input: { metadata: unknown; idempotencyKey: string }): z.infer<S> {
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
function requestHash(metadata: unknown, fileSha256: string, attachmentHashes: string[] = []): string {
  const canonical = (v: unknown): unknown => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]))
    : Array.isArray(v) ? v.map(canonical) : v);
  return createHash('sha256').update(JSON.stringify([canonical(metadata), fileSha256, attachmentHashes])).digest('hex');
}

function refuseReusedKey(stored: ExchangeDoc, hash: string): void {
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
      field: s.field, type: s.type, signer: s.signer?.subject ?? null, claimedSigningTime: s.claimedSigningTime,
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

export function createExchangeService(documents: DocumentStore, models: Models, audit: AuditLog, validation: ValidationContext, validator: DocumentValidator, tsaUrl?: string) {

  // Exchange and recipient documents of concurrent sends are written together (see batched-insert.ts).
  const insertExchange = createBatchedInsert(() => models.Exchange.collection as never);
  const insertRecipient = createBatchedInsert(() => models.Recipient.collection as never);

  // Certificates already stored as evidence (in this process): each is written once, on first sight.
  const storedCertificates = new Set<string>();

  /**
   * Moves the certificates of a report's paths into the evidence store (content-addressed, once each) and
   * returns the report without them; report() puts them back, so a stored verdict can be replayed.
   */
  async function keepCertificates(report: DocumentReport): Promise<Record<string, unknown>> {
    const copy = JSON.parse(JSON.stringify(report)) as DocumentReport;
    const fresh = new Map<string, { sha256: string; der: Buffer; subject: string }>();
    for (const entry of copy.signatures.flatMap((s) => s.certificatePath)) {
      if (entry.der && !storedCertificates.has(entry.sha256)) fresh.set(entry.sha256, { sha256: entry.sha256, der: Buffer.from(entry.der, 'base64'), subject: entry.subject });
      delete entry.der;
    }
    if (fresh.size > 0) {
      // Unordered: a certificate another request stored meanwhile is a duplicate key, which is fine.
      await models.EvidenceCertificate.collection.insertMany([...fresh.values()].map((c) => ({ ...c, firstSeen: new Date() })), { ordered: false })
        .catch((error: { code?: number; writeErrors?: Array<{ code?: number }> }) => {
          const errors = error.writeErrors ?? [error];
          if (!errors.every((e) => isDuplicateKey(e))) throw error;
        });
      for (const sha of fresh.keys()) storedCertificates.add(sha);
    }
    return copy as unknown as Record<string, unknown>;
  }

  function arrivalHistory(report: DocumentReport, at: Date, byOrganId: string): StatusEntry[] {
    const history: StatusEntry[] = [{ status: STATUS.ARRIVED, at, byOrganId }];
    const failing = report.error ? 'PDF_MALFORMED' : report.indication === 'NO_SIGNATURE' ? 'NO_SIGNATURE'
      : report.indication === 'TOTAL_FAILED' ? (report.subIndication ?? 'MODIFIED_AFTER_SIGNING') : undefined;
    if (failing) {
      history.push({ status: STATUS.RETURNED, at, byOrganId, reason: `Tự động trả lại: chữ ký số không hợp lệ (${failing}) / returned automatically: signature check failed (${failing})` });
    }
    return history;
  }

  type SendInput = IncomingFile & { pdf: Buffer; fileName: string; metadata: unknown; idempotencyKey: string; attachments?: Array<IncomingFile & { name: string; bytes: Buffer }> };
  type SendResult = { exchange: ExchangeDoc; created: boolean; view: Record<string, unknown> };

  // Streamed uploads of a request that fails are removed by the HTTP layer that made them (app.ts,
  // keepingUploads); here only the replays, which succeed without keeping the new upload, discard it.
  async function send(caller: Caller, input: SendInput): Promise<SendResult> {
    const meta = parseRequest(sendMetadataSchema, input);
    const to = [...new Set(meta.to)];
    const own = codesOf(caller);
    if (to.some((id) => own.includes(id))) throw new AppError('INVALID_REQUEST', 'an agency does not send a document to itself');
    // A recipient named by an earlier code gets the document under the code it has now.
    const found = await models.Agency.find({ $or: [{ organId: { $in: to } }, { 'history.organId': { $in: to } }], active: true }).lean();
    const holder = (code: string) => found.find((a) => a.organId === code) ?? found.find((a) => a.history.some((h) => h.organId === code));
    const unknown = to.filter((id) => !holder(id));
    if (unknown.length) throw new AppError('AGENCY_UNKNOWN', `unknown or inactive recipient agency: ${unknown.join(', ')}`);
    const agencies = [...new Map(to.map((id) => holder(id) as AgencyDoc).map((a) => [a.organId, a])).values()];
    if (agencies.some((a) => a.organId === caller.organId)) throw new AppError('INVALID_REQUEST', 'an agency does not send a document to itself');
    const year = meta.issuedDate.getUTCFullYear();
    // Replays (same Idempotency-Key) and duplicate numbers are decided by the unique indexes at insert time,
    // which is also what makes them race-free; a replay then answers with the first exchange.

    const sha256 = input.stored?.sha256 ?? createHash('sha256').update(input.pdf).digest('hex');
    const attachmentHashes = (input.attachments ?? []).map((a) => a.stored?.sha256 ?? createHash('sha256').update(a.bytes).digest('hex'));
    const hash = requestHash(input.metadata, sha256, attachmentHashes);
    const report = await validator.validate(input.pdf, { fileName: input.fileName, fileSha256: sha256, includeCertificates: true, countPages: true, lane: caller.organId });
    const unreadable = reportError(report);
    if (unreadable) throw unreadable;
    if (report.indication === 'NO_SIGNATURE') throw new AppError('DOCUMENT_NOT_SIGNED', 'the document has no digital signature');
    if (report.indication === 'TOTAL_FAILED') {
      throw new AppError('DOCUMENT_SIGNATURE_INVALID', `a signature fails validation (${report.subIndication ?? 'disallowed change after signing'})`, {
        details: { verification: summariseReport(report) },
      });
    }
    // Attachments travel as separate files, each with its own hash and, for PDFs, its own verdict.
    const attachments: NonNullable<ExchangeDoc['attachments']> = [];
    for (const a of input.attachments ?? []) {
      const hash = a.stored?.sha256 ?? createHash('sha256').update(a.bytes).digest('hex');
      let check: Record<string, unknown> | null = null;
      if (a.bytes.subarray(0, 1024).includes('%PDF-')) {
        const r = await validator.validate(a.bytes, { fileName: a.name, fileSha256: hash, lane: caller.organId });
        if (r.indication === 'TOTAL_FAILED') {
          throw new AppError('DOCUMENT_SIGNATURE_INVALID', `a signature on attachment ${a.name} fails validation (${r.subIndication ?? 'disallowed change after signing'})`);
        }
        if (!r.error) check = summariseReport(r);
      }
      attachments.push({ name: a.name, sha256: hash, size: a.bytes.length, fileId: a.stored?.fileId ?? await documents.store(a.bytes, a.name, hash), verification: check });
    }
    const fileId = input.stored?.fileId ?? await documents.store(input.pdf, input.fileName, sha256);
    const verification = summariseReport(report);
    const exchangeId = randomUUID();
    let exchange: ExchangeDoc;
    try {
      // Validated and given its defaults by mongoose, written by the batched inserter (a hot path).
      const created = new models.Exchange({
        exchangeId, fromOrganId: caller.organId, fromOrganName: caller.organName, attachments, requestHash: hash, inboundTo: '',
        to: agencies.map((a) => ({ organId: a.organId, organName: a.name })),
        codeNumber: meta.codeNumber, codeNotation: meta.codeNotation, year, issuedDate: meta.issuedDate, subject: meta.subject,
        documentType: meta.documentType, signerCompetence: meta.signerCompetence, signerPosition: meta.signerPosition, signerFullName: meta.signerFullName,
        promulgationPlace: meta.promulgationPlace, priority: meta.priority, dueDate: meta.dueDate ?? null,
        idempotencyKey: input.idempotencyKey, fileId, fileName: input.fileName, sha256, size: input.pdf.length, verification,
        pageAmount: report.pageCount ?? 0, businessKind: meta.businessKind, report: await keepCertificates(report),
      });
      await created.validate();
      exchange = created.toObject();
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
    // Straight to the driver: the entries are fully built above and need no casting (hot path).
    // Independent writes, both awaited before the answer: the recipients' entries and the audit event.
    await Promise.all([
      ...recipients.map((r) => insertRecipient({ ...r })),
      audit.append({ type: 'exchange.sent', organId: caller.organId, keyId: caller.keyId, subject: exchangeId, details: { to, sha256, codeNumber: meta.codeNumber, codeNotation: meta.codeNotation } }),
    ]);
    // Answered from what was just written: no read-back of a collection that grows with every exchange.
    return { exchange, created: true, view: view(exchange, recipients) };
  }

  /**
   * A document arriving from outside this service (e.g. through the national document axis) for the
   * caller's agency. It is verified on arrival (Decree 30/2020 Art. 21): a document whose signature fails
   * is recorded and returned automatically (status 02) with the failing sub-indication as the reason.
   */
  type ReceiveInput = IncomingFile & { pdf: Buffer; fileName: string; metadata: unknown; idempotencyKey: string };

  async function receive(caller: Caller, input: ReceiveInput) {
    const meta = parseRequest(receiveMetadataSchema, input);
    // A document from outside never speaks for an agency of this service (it would enter its outbox and
    // take its numbers): a local sender, under its current or an earlier code, is refused.
    if (await models.Agency.exists({ $or: [{ organId: meta.from.organId }, { 'history.organId': meta.from.organId }] })) {
      throw new AppError('INBOUND_SENDER_IS_LOCAL', `agency ${meta.from.organId} is served by this Kyso; its documents are sent with POST /v1/exchanges, not received from outside`);
    }
    const key = `inbound:${caller.organId}:${input.idempotencyKey}`;
    const sha256 = input.stored?.sha256 ?? createHash('sha256').update(input.pdf).digest('hex');
    const hash = requestHash(input.metadata, sha256);
    const replay = await models.Exchange.findOne({ fromOrganId: meta.from.organId, idempotencyKey: key }).lean();
    if (replay) {
      refuseReusedKey(replay, hash);
      if (input.stored) await documents.discard([input.stored.fileId]);
      return { exchange: replay, created: false };
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
    const fileId = input.stored?.fileId ?? await documents.store(input.pdf, input.fileName, sha256);
    const exchangeId = randomUUID();
    let exchange: ExchangeDoc;
    try {
      exchange = (await models.Exchange.create({
        exchangeId, fromOrganId: meta.from.organId, fromOrganName: meta.from.organName, to: [{ organId: caller.organId, organName: caller.organName }],
        inboundTo: caller.organId, requestHash: hash,
        codeNumber: meta.codeNumber, codeNotation: meta.codeNotation, year, issuedDate: meta.issuedDate, subject: meta.subject,
        documentType: meta.documentType, signerCompetence: meta.signerCompetence, signerPosition: meta.signerPosition, signerFullName: meta.signerFullName,
        promulgationPlace: meta.promulgationPlace, priority: meta.priority, dueDate: meta.dueDate ?? null,
        idempotencyKey: key, fileId, fileName: input.fileName, sha256, size: input.pdf.length, verification,
        pageAmount: report.pageCount ?? 0, businessKind: meta.businessKind, report: await keepCertificates(report),
      })).toObject();
    } catch (error) {
      await documents.discard([fileId]);
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
    await audit.append({ type: 'exchange.received', organId: caller.organId, keyId: caller.keyId, subject: exchangeId, details: { from: meta.from.organId, sha256, returned: failing ?? null } });
    return { exchange, created: true };
  }

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

  /** The full report stored at receipt, for archivists replaying a verdict. */
  async function report(caller: Caller, exchangeId: string): Promise<Record<string, unknown>> {
    const { exchange } = await access(caller, exchangeId);
    await audit.append({ type: 'exchange.read', organId: caller.organId, keyId: caller.keyId, subject: exchangeId, details: { report: true } });
    const stored = (exchange.report ?? {}) as unknown as Partial<DocumentReport>;
    const paths = (stored.signatures ?? []).flatMap((s) => s.certificatePath ?? []);
    const certificates = await models.EvidenceCertificate.find({ sha256: { $in: [...new Set(paths.map((c) => c.sha256))] } }).lean();
    const der = new Map(certificates.map((c) => [c.sha256, Buffer.from((c.der as unknown as { buffer?: Buffer }).buffer ?? c.der).toString('base64')]));
    for (const entry of paths) if (der.has(entry.sha256)) entry.der = der.get(entry.sha256);
    return stored as Record<string, unknown>;
  }

  async function readDocument(fileId: unknown): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of documents.open(fileId as mongo.ObjectId)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /**
   * A long-term copy of the document (PAdES B-LTA, ETSI EN 319 142-1 §5.4): the stored bytes are checked
   * against their recorded hash, validated online, given the validation data and a document timestamp,
   * and kept beside the original (which is never replaced). Again later, it renews the newest copy.
   */
  async function archive(caller: Caller, exchangeId: string) {
    const { exchange } = await access(caller, exchangeId);
    if (!tsaUrl) throw new AppError('TSA_NOT_CONFIGURED', 'long-term copies need a time-stamping authority (KYSO_TSA_URL)');
    const latest = exchange.archives?.[exchange.archives.length - 1] ?? { fileId: exchange.fileId, sha256: exchange.sha256 };
    const bytes = await readDocument(latest.fileId);
    if (createHash('sha256').update(bytes).digest('hex') !== latest.sha256) {
      throw new AppError('DOCUMENT_SIGNATURE_INVALID', 'the stored document no longer matches the hash recorded for it');
    }
    const extended = await extendSignatures(bytes, validation, { level: 'B-LTA', tsaUrl });
    const sha256 = createHash('sha256').update(extended.pdf).digest('hex');
    const fileId = await documents.store(extended.pdf, exchange.fileName, sha256);
    const entry = { fileId, sha256, size: extended.pdf.length, level: 'B-LTA', at: new Date(), byOrganId: caller.organId, renewBy: extended.renewBy ?? null };
    await models.Exchange.updateOne({ exchangeId }, { $push: { archives: entry }, $set: { renewBy: entry.renewBy } });
    await audit.append({ type: 'exchange.archived', organId: caller.organId, keyId: caller.keyId, subject: exchangeId, details: { sha256, added: extended.added } });
    return { exchangeId, sha256, size: entry.size, level: entry.level, at: entry.at, byOrganId: entry.byOrganId, renewBy: entry.renewBy, added: extended.added };
  }

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

  /**
   * Everything an auditor needs to replay how an exchange went, in one JSON document: the header and each
   * recipient's history, the report made at acceptance with its certificates and revocation evidence, the
   * audit events about the exchange, and whether the whole audit chain is intact.
   */
  async function evidence(caller: Caller, exchangeId: string) {
    const { exchange, recipients, own, isSender } = await access(caller, exchangeId);
    const receiptReport = await report(caller, exchangeId);
    const events = await audit.list({ subject: exchangeId }, 10_000);
    const chain = await audit.verify();
    // A recipient sees what GET /exchanges/:id shows it: its own history, and of the audit events only its
    // own and the sender's, with the key ids of its own agency alone. The sender sees every recipient.
    const codes = codesOf(caller);
    const visible = isSender ? events : events.filter((e) => e.organId && (codes.includes(e.organId) || (!exchange.inboundTo && e.organId === exchange.fromOrganId)));
    return {
      generatedAt: new Date().toISOString(),
      exchange: view(exchange, isSender ? recipients : own ? [own] : []),
      document: { fileName: exchange.fileName, size: exchange.size, sha256: exchange.sha256 },
      receiptReport,
      auditEvents: visible.map(({ seq, at, type, organId, keyId, details, hash, prevHash }) => ({
        seq, at, type, organId, keyId: organId && codes.includes(organId) ? keyId : null, details, hash, prevHash,
      })),
      auditChain: chain,
    };
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

  async function list(caller: Caller, query: { box: 'inbox' | 'outbox'; status?: string; from?: Date; to?: Date; page: number; pageSize: number }) {
    const range: Record<string, Date> = {};
    if (query.from) range.$gte = query.from;
    if (query.to) range.$lte = query.to;
    if (query.box === 'outbox') {
      const filter: Record<string, unknown> = { fromOrganId: { $in: codesOf(caller) }, inboundTo: '' };
      if (query.from || query.to) filter.createdAt = range;
      if (query.status) {
        const ids = (await models.Recipient.find({ status: query.status }, { exchangeId: 1 }).lean()).map((r) => r.exchangeId);
        filter.exchangeId = { $in: ids };
      }
      const total = await models.Exchange.countDocuments(filter);
      const items = await models.Exchange.find(filter).sort({ createdAt: -1 }).skip((query.page - 1) * query.pageSize).limit(query.pageSize).lean();
      const recipients = await models.Recipient.find({ exchangeId: { $in: items.map((e) => e.exchangeId) } }).lean();
      return { total, page: query.page, pageSize: query.pageSize, items: items.map((e) => view(e, recipients.filter((r) => r.exchangeId === e.exchangeId))) };
    }
    const filter: Record<string, unknown> = { organId: { $in: codesOf(caller) } };
    if (query.status) filter.status = query.status;
    if (query.from || query.to) filter.updatedAt = range;
    const total = await models.Recipient.countDocuments(filter);
    const own = await models.Recipient.find(filter).sort({ updatedAt: -1 }).skip((query.page - 1) * query.pageSize).limit(query.pageSize).lean();
    const exchanges = await models.Exchange.find({ exchangeId: { $in: own.map((r) => r.exchangeId) } }).lean();
    return {
      total, page: query.page, pageSize: query.pageSize,
      items: own.flatMap((r) => {
        const e = exchanges.find((x) => x.exchangeId === r.exchangeId);
        return e ? [view(e, [r])] : [];
      }),
    };
  }

  async function changeStatus(
    caller: Caller, exchangeId: string, input: { status?: unknown; reason?: unknown; staff?: { name?: unknown; position?: unknown } },
  ): Promise<Record<string, unknown>> {
    const { own } = await access(caller, exchangeId);
    if (!own) throw new AppError('FORBIDDEN', 'only a recipient changes its status; the sender may recall');
    const status = String(input.status ?? '');
    const reason = typeof input.reason === 'string' ? input.reason.trim() : undefined;
    if (!(TRANSITIONS[own.status] ?? []).includes(status)) {
      throw new AppError('STATUS_TRANSITION_INVALID', `status ${own.status} cannot move to ${status || '(none)'}`, { details: { allowed: TRANSITIONS[own.status] ?? [] } });
    }
    if ((status === STATUS.RETURNED || status === STATUS.RECALL_REFUSED) && !reason) {
      throw new AppError('INVALID_REQUEST', 'a reason is required to return a document or refuse a recall');
    }
    const staffName = typeof input.staff?.name === 'string' ? input.staff.name.slice(0, 200) : undefined;
    const staffPosition = typeof input.staff?.position === 'string' ? input.staff.position.slice(0, 200) : undefined;
    const entry: StatusEntry = {
      status, at: new Date(), byOrganId: caller.organId, ...(reason ? { reason } : {}), ...(staffName ? { staffName } : {}), ...(staffPosition ? { staffPosition } : {}),
    };
    const update: Record<string, unknown> = {
      $set: { status, updatedAt: entry.at, needsReview: false, ...(status === STATUS.RECALL_ACCEPTED ? { documentRemoved: true } : {}) },
      $push: { history: entry },
    };
    // Conditional on the status read above: two concurrent moves cannot both apply.
    const result = await models.Recipient.updateOne({ exchangeId, organId: own.organId, status: own.status }, update);
    if (result.modifiedCount === 0) throw new AppError('STATUS_TRANSITION_INVALID', 'the status changed meanwhile; read it again');
    await audit.append({ type: 'exchange.status-changed', organId: caller.organId, keyId: caller.keyId, subject: exchangeId, details: { from: own.status, to: status, reason } });
    return get(caller, exchangeId);
  }

  async function recall(caller: Caller, exchangeId: string, reason: unknown): Promise<Record<string, unknown>> {
    const { exchange, recipients, isSender } = await access(caller, exchangeId);
    if (!isSender) throw new AppError('FORBIDDEN', 'only the sender can recall an exchange');
    if (typeof reason !== 'string' || !reason.trim()) throw new AppError('INVALID_REQUEST', 'a reason is required to recall');
    if (exchange.state === 'recalled') throw new AppError('STATUS_TRANSITION_INVALID', 'the exchange is already recalled');
    const at = new Date();
    await models.Exchange.updateOne({ exchangeId, state: 'sent' }, { $set: { state: 'recalled', recallReason: reason.trim(), recalledAt: at } });
    for (const r of recipients) {
      if (r.status === STATUS.RETURNED || r.status === STATUS.RECALL_ACCEPTED) continue;
      await models.Recipient.updateOne(
        { exchangeId, organId: r.organId, status: r.status },
        { $set: { status: STATUS.RECALL_REQUESTED, updatedAt: at }, $push: { history: { status: STATUS.RECALL_REQUESTED, at, byOrganId: caller.organId, reason: reason.trim() } } },
      );
    }
    await audit.append({ type: 'exchange.recalled', organId: caller.organId, keyId: caller.keyId, subject: exchangeId, details: { reason } });
    return get(caller, exchangeId);
  }

  /** On-time figures for documents an agency received with a due date (Decree 61/2018 style reporting). */
  async function statistics(caller: Caller, range: { from?: Date; to?: Date }): Promise<Record<string, number>> {
    const own = await models.Recipient.find({ organId: { $in: codesOf(caller) } }).lean();
    const exchanges = await models.Exchange.find({ exchangeId: { $in: own.map((r) => r.exchangeId) }, dueDate: { $ne: null } }).lean();
    const now = new Date();
    const stats = { withDueDate: 0, doneOnTime: 0, doneLate: 0, openOverdue: 0, openInTime: 0 };
    for (const e of exchanges) {
      if ((range.from && e.createdAt < range.from) || (range.to && e.createdAt > range.to)) continue;
      const r = own.find((x) => x.exchangeId === e.exchangeId) as RecipientDoc;
      const due = e.dueDate as Date;
      stats.withDueDate++;
      const done = r.history.find((h) => h.status === STATUS.DONE);
      if (done) done.at <= due ? stats.doneOnTime++ : stats.doneLate++;
      else if (now > due) stats.openOverdue++;
      else stats.openInTime++;
    }
    return stats;
  }

  return { send, receive, get, report, reverify, evidence, archive, archivesDue, openArchive, openDocument, list, changeStatus, recall, statistics };
}

export type ExchangeService = ReturnType<typeof createExchangeService>;
