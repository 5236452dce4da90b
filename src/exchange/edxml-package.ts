/**
 * Between an exchange record and an edXML package (QCVN 102:2016): the header Kyso writes for an exchange,
 * the header fields it takes from a received package, and the DocumentId that ties statuses to documents.
 */
import { mongo } from 'mongoose';
import { AppError } from '../errors';
import { EdxmlAttachmentSource, EdxmlMessage, edxmlDocumentId, edxmlError, EdxmlStatus, parseEdxmlDate } from '../edxml';
import type { DocumentStore } from './document-store';
import type { ExchangeDoc, StatusEntry } from './models';

/** The DocumentId of an exchange: OrganId,yyyy/MM/dd,number/notation. */
export function documentIdOf(exchange: Pick<ExchangeDoc, 'fromOrganId' | 'issuedDate' | 'codeNumber' | 'codeNotation'>): string {
  return edxmlDocumentId(exchange.fromOrganId, exchange.issuedDate, exchange.codeNumber, exchange.codeNotation);
}

/** The parts of a DocumentId (OrganId,yyyy/MM/dd,number/notation); a notation may itself hold "/". */
export function parseDocumentId(documentId: string): { organId: string; issuedDate: Date; codeNumber: string; codeNotation: string } | null {
  const [organId, date, ...rest] = documentId.split(',');
  const code = rest.join(',');
  const slash = code.indexOf('/');
  const issuedDate = date ? parseEdxmlDate(date) : null;
  if (!organId || !issuedDate || slash <= 0) return null;
  return { organId: organId.trim(), issuedDate, codeNumber: code.slice(0, slash).trim(), codeNotation: code.slice(slash + 1).trim() };
}

/** The package of an exchange: the document first, then its attachments, each streamed from the store when written. */
export function edxmlOfExchange(exchange: ExchangeDoc, documents: DocumentStore): { message: EdxmlMessage; attachments: EdxmlAttachmentSource[] } {
  const files = [
    { name: exchange.fileName || 'document.pdf', fileId: exchange.fileId, type: 'application/pdf' },
    ...(exchange.attachments ?? []).map((a) => ({ name: a.name, fileId: a.fileId, type: a.name.toLowerCase().endsWith('.pdf') ? 'application/pdf' : 'application/octet-stream' })),
  ];
  const attachments = files.map((f, i) => ({
    entry: { contentId: `cid:${exchange.exchangeId}.${i}@kyso`, contentType: f.type, attachmentName: f.name, ...(i === 0 ? { description: 'Văn bản chính' } : { description: 'Phụ lục' }) },
    open: () => documents.open(f.fileId as unknown as mongo.ObjectId) as AsyncIterable<Buffer>,
  }));
  const message: EdxmlMessage = {
    from: { organId: exchange.fromOrganId, organName: exchange.fromOrganName || exchange.fromOrganId },
    to: exchange.to.map((t) => ({ organId: t.organId, organName: t.organName })),
    codeNumber: exchange.codeNumber,
    codeNotation: exchange.codeNotation,
    promulgationPlace: exchange.promulgationPlace,
    promulgationDate: exchange.issuedDate,
    // No code list of document types is shared between systems: the type name travels as written.
    documentType: exchange.documentType ? { typeName: exchange.documentType } : undefined,
    subject: exchange.subject,
    signer: exchange.signerFullName || exchange.signerPosition || exchange.signerCompetence
      ? { competence: exchange.signerCompetence, position: exchange.signerPosition, fullName: exchange.signerFullName } : undefined,
    dueDate: exchange.dueDate ?? null,
    toPlaces: exchange.to.map((t) => t.organName),
    otherInfo: {
      priority: exchange.priority, promulgationAmount: exchange.to.length, pageAmount: exchange.pageAmount || undefined,
      appendixes: (exchange.attachments ?? []).map((a) => a.name),
    },
    documentId: documentIdOf(exchange),
    trace: [{ organId: exchange.fromOrganId, timestamp: exchange.createdAt }],
    business: { docType: exchange.businessKind ?? 0, reason: exchange.businessKind === 1 ? exchange.recallReason : undefined },
    manifest: attachments.map((a) => a.entry),
  };
  return { message, attachments };
}

/** The recall of a sent document: its header with BussinessDocType 1 and the reason, and no attachments. */
export function edxmlRecallOf(exchange: ExchangeDoc, documents: DocumentStore): EdxmlMessage {
  const { message } = edxmlOfExchange(exchange, documents);
  return { ...message, trace: [...message.trace, { organId: exchange.fromOrganId, timestamp: exchange.recalledAt ?? new Date() }], business: { docType: 1, reason: exchange.recallReason }, manifest: [] };
}

/** The receive metadata of a package (what /v1/exchanges/inbound takes as JSON). */
export function receiveMetadataOf(message: EdxmlMessage): Record<string, unknown> {
  return {
    from: { organId: message.from.organId, organName: message.from.organName },
    codeNumber: message.codeNumber, codeNotation: message.codeNotation, issuedDate: message.promulgationDate.toISOString(), subject: message.subject,
    ...(message.documentType?.typeName ? { documentType: message.documentType.typeName } : {}),
    ...(message.signer?.competence ? { signerCompetence: message.signer.competence } : {}),
    ...(message.signer?.position ? { signerPosition: message.signer.position } : {}),
    ...(message.signer?.fullName ? { signerFullName: message.signer.fullName } : {}),
    ...(message.promulgationPlace ? { promulgationPlace: message.promulgationPlace } : {}),
    ...(message.dueDate ? { dueDate: message.dueDate.toISOString() } : {}),
    priority: message.otherInfo.priority, businessKind: message.business.docType,
  };
}

/** Which attachment of a package is the document: the first PDF of the manifest. */
export function mainDocumentIndex(message: EdxmlMessage): number {
  const index = message.manifest.findIndex((m) => m.contentType === 'application/pdf' || m.attachmentName.toLowerCase().endsWith('.pdf'));
  if (index < 0) throw edxmlError('edXMLManifest', 'no attachment is a PDF document (ContentType application/pdf or a .pdf name)');
  return index;
}

/** The status package of one recipient's status entry. */
export function edxmlStatusOf(exchange: ExchangeDoc, recipient: { organId: string; organName: string }, entry: StatusEntry): EdxmlStatus {
  return {
    responseFor: { organId: exchange.fromOrganId, code: `${exchange.codeNumber}/${exchange.codeNotation}`, promulgationDate: exchange.issuedDate, documentId: documentIdOf(exchange) },
    from: { organId: recipient.organId, organName: recipient.organName },
    statusCode: entry.status,
    description: entry.reason,
    timestamp: entry.at,
    staffInfo: entry.staffName || entry.staffPosition ? { staff: entry.staffName, department: entry.staffPosition } : undefined,
  };
}

/** The exchange a status answers, refused with the element named when the DocumentId cannot be read. */
export function statusTarget(status: EdxmlStatus): NonNullable<ReturnType<typeof parseDocumentId>> {
  const target = parseDocumentId(status.responseFor.documentId);
  if (!target) throw edxmlError('Status/ResponseFor/DocumentId', `is not OrganId,yyyy/MM/dd,number/notation: "${status.responseFor.documentId.slice(0, 80)}"`);
  if (target.organId !== status.responseFor.organId) throw new AppError('EDXML_INVALID', 'edXML Status/ResponseFor: OrganId and DocumentId name different issuers', { details: { element: 'Status/ResponseFor/OrganId' } });
  return target;
}
