/**
 * An edXML package arriving (QCVN 102:2016), from an agency's own system or from a peer Kyso: read as a
 * stream into the document store, then recorded as an arrival (a document) or applied to the sender's
 * recipient history (a status). A package that breaks the format is refused with the element named and
 * nothing of it is kept.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { AppError } from '../errors';
import { EdxmlAttachmentSink, EdxmlManifestEntry, EdxmlMessage, edxmlError, readEdxml } from '../edxml';
import { Caller, codesOf } from './agency.service';
import type { StoredUpload } from './document-store';
import { mainDocumentIndex, receiveMetadataOf } from './edxml-package';
import type { ExchangeContext } from './exchange-context';
import type { PeerDoc, StatusEntry } from './models';
import type { createApplyRemoteRecall } from './apply-remote-recall';
import type { createApplyRemoteStatus } from './apply-remote-status';
import type { createReceiveExchange } from './receive-exchange';

type Receive = ReturnType<typeof createReceiveExchange>;
type ApplyRemoteStatus = ReturnType<typeof createApplyRemoteStatus>;
type ApplyRemoteRecall = ReturnType<typeof createApplyRemoteRecall>;

/** What a peer hears back for each of its recipients here: the history the copy started with (01, or 01 and 02). */
export interface PeerArrival {
  organId: string;
  exchangeId?: string;
  history: Array<Pick<StatusEntry, 'status' | 'at' | 'reason'>>;
}

export function createReceiveEdxml(ctx: ExchangeContext, receive: Receive, applyRemoteStatus: ApplyRemoteStatus, applyRemoteRecall: ApplyRemoteRecall) {
  const { documents, models } = ctx;

  /** Reads the package; attachments stream into the store (all removed again if the package is refused). */
  async function readPackage(source: AsyncIterable<Buffer>, maxFileBytes: number) {
    const uploads = new Map<string, StoredUpload>();
    const open = (entry: EdxmlManifestEntry): EdxmlAttachmentSink => {
      const pass = new PassThrough();
      let size = 0;
      const upload = documents.upload(pass, entry.attachmentName, entry.contentType);
      // A failed upload removes its own chunks (document-store.ts); its error is the one abort() or end() reports.
      upload.catch(() => undefined);
      return {
        write: (bytes) => {
          size += bytes.length;
          if (size > maxFileBytes) throw new AppError('PAYLOAD_TOO_LARGE', `attachment ${entry.attachmentName} is larger than ${Math.round(maxFileBytes / 1024 / 1024)} MB`);
          return pass.write(bytes) ? undefined : once(pass, 'drain').then(() => undefined);
        },
        end: async () => {
          pass.end();
          uploads.set(entry.contentId, await upload);
        },
        abort: async () => {
          pass.destroy();
          const stored = await upload.then((u) => u, () => undefined);
          if (stored) await documents.discard([stored.fileId]);
        },
      };
    };
    const pkg = await readEdxml(source, open);
    return { pkg, uploads };
  }

  /** The document and its attachments of a read message, in manifest order. */
  function filesOf(message: EdxmlMessage, uploads: Map<string, StoredUpload>) {
    const main = mainDocumentIndex(message);
    const file = (i: number) => uploads.get(message.manifest[i].contentId) as StoredUpload;
    const document = { upload: file(main), name: message.manifest[main].attachmentName };
    const attachments = message.manifest.map((m, i) => ({ m, i })).filter(({ i }) => i !== main).map(({ m, i }) => ({ upload: file(i), name: m.attachmentName }));
    return { document, attachments };
  }

  /** The Idempotency-Key of a package that came without one: its DocumentId, hashed to the key's alphabet. */
  const keyOf = (given: string | undefined, message: EdxmlMessage) => given || `edxml-${createHash('sha256').update(message.documentId).digest('hex').slice(0, 40)}`;

  async function withUploads<T>(uploads: Map<string, StoredUpload>, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      // Uploads that no record came to refer to (a refusal, a replay) go at once.
      await documents.discardUnreferenced([...uploads.values()].map((u) => u.fileId));
    }
  }

  /** A package posted by one agency's own system (POST /v1/exchanges/inbound, application/xml). */
  async function fromAgency(caller: Caller, source: AsyncIterable<Buffer>, options: { idempotencyKey?: string; maxFileBytes: number }) {
    const idempotencyKey = options.idempotencyKey;
    const { pkg, uploads } = await readPackage(source, options.maxFileBytes);
    return withUploads(uploads, async () => {
      if (pkg.kind === 'status') return { kind: 'status' as const, view: await applyRemoteStatus(pkg.status, { senderCodes: codesOf(caller), caller }) };
      const message = pkg.message;
      if (!message.to.some((t) => codesOf(caller).includes(t.organId))) {
        throw edxmlError('MessageHeader/To', `the package is not addressed to ${caller.organId}`);
      }
      if (message.business.docType === 1) {
        return { kind: 'recall' as const, results: await applyRemoteRecall(message, { recipientCodes: codesOf(caller), keyId: caller.keyId }) };
      }
      const { document, attachments } = filesOf(message, uploads);
      const { exchange, created } = await receive(caller, {
        pdf: document.upload.bytes, fileName: document.name, stored: document.upload, metadata: receiveMetadataOf(message), idempotencyKey: keyOf(idempotencyKey, message),
        attachments: attachments.map((a) => ({ name: a.name, bytes: a.upload.bytes, stored: a.upload })),
      });
      return { kind: 'message' as const, exchangeId: exchange.exchangeId, created };
    });
  }

  /** A package from a peer Kyso: a document for its agencies here, or a status of a document sent from here. */
  async function fromPeer(peer: PeerDoc, source: AsyncIterable<Buffer>, options: { idempotencyKey: string; maxFileBytes: number }) {
    const { idempotencyKey } = options;
    const { pkg, uploads } = await readPackage(source, options.maxFileBytes);
    return withUploads(uploads, async () => {
      if (pkg.kind === 'status') {
        await applyRemoteStatus(pkg.status, { peerId: peer.peerId });
        return { kind: 'status' as const };
      }
      const message = pkg.message;
      if (!ctx.peers.serves(peer, message.from.organId)) {
        throw new AppError('PEER_UNKNOWN', `peer ${peer.name} does not serve agency ${message.from.organId}`, { details: { element: 'MessageHeader/From/OrganId' } });
      }
      if (message.business.docType === 1) return { kind: 'recall' as const, results: await applyRemoteRecall(message, { peerId: peer.peerId, keyId: `peer:${peer.peerId}` }) };
      const codes = message.to.map((t) => t.organId);
      const local = await models.Agency.find({ organId: { $in: codes }, active: true }).lean();
      if (!local.length) throw new AppError('AGENCY_UNKNOWN', `no agency named in MessageHeader/To (${codes.join(', ')}) is served here`);
      const { document, attachments } = filesOf(message, uploads);
      const results: PeerArrival[] = [];
      for (const [index, agency] of local.entries()) {
        // The first record keeps the streamed uploads; the others store their own copies.
        const share = index === 0;
        const caller: Caller = { organId: agency.organId, organName: agency.name, role: 'receiver', keyId: `peer:${peer.peerId}` };
        const { exchange, history } = await receive(caller, {
          pdf: document.upload.bytes, fileName: document.name, stored: share ? document.upload : undefined, metadata: receiveMetadataOf(message),
          idempotencyKey: `peer-${idempotencyKey}`, viaPeer: peer.peerId,
          attachments: attachments.map((a) => ({ name: a.name, bytes: a.upload.bytes, stored: share ? a.upload : undefined })),
        });
        results.push({ organId: agency.organId, exchangeId: exchange.exchangeId, history: history.map((h) => ({ status: h.status, at: h.at, reason: h.reason })) });
      }
      return { kind: 'message' as const, results };
    });
  }

  return { fromAgency, fromPeer };
}

export type ReceiveEdxml = ReturnType<typeof createReceiveEdxml>;
