/**
 * Two-phase signing for USB tokens on an official's own PC: the service prepares the PDF and returns the
 * bytes to sign; the token signs them locally; the service checks the value against the certificate and
 * embeds it. Sessions are single-use, bound to the API key that opened them, and expire (checked
 * explicitly on use: no TTL index).
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import { Connection, mongo } from 'mongoose';
import type { AuditLog } from '../audit';
import { readCertificates, SignatureScheme, SigningDigestAlgorithm } from '../cms';
import { AppError } from '../errors';
import type { TimestampAuthority } from '../network';
import { BufferSource } from '../pdf';
import {
  buildSignerStamp, checkSignatureValue, completeSignature, joinParts, Placement, prepareSignature, PreparedSignature, requestTimestamp, signatureTimestampAttribute, timestampReserve,
} from '../signing';
import type { Caller } from './agency.service';
import { deleteGridFile } from './document-store';
import { Models } from './models';

export interface OpenSessionInput {
  pdf: Buffer;
  certificateChainPem: string;
  scheme?: SignatureScheme;
  digestAlgorithm?: SigningDigestAlgorithm;
  fieldName?: string;
  reason?: string;
  location?: string;
  /** Where the official's visible signature goes (Decree 30/2020 Appendix I: at the signing place). */
  placement?: Placement;
  /** The official's handwritten signature (PNG), drawn in the visible signature. */
  signatureImage?: Buffer;
  /** The official's title (chức vụ) above the signature image. */
  title?: string;
  /** The draft this signature is for; the signed PDF goes back to it. */
  draftId?: string;
}

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** tsa: when set, completed signatures get a signature time-stamp (PAdES B-T) from this TSA. */
export function createSigningSessionService(connection: Connection, models: Models, audit: AuditLog, ttlSeconds: number, tsa?: TimestampAuthority) {
  // One bucket per service: a new bucket re-checks its indexes on first upload, a schema write each time.
  let documents: mongo.GridFSBucket | undefined;
  const bucket = (): mongo.GridFSBucket => (documents ??= new mongo.GridFSBucket(connection.db as never, { bucketName: 'session_files' }));

  async function open(caller: Caller, input: OpenSessionInput) {
    const chain = readCertificates(Buffer.from(input.certificateChainPem ?? '', 'utf8'));
    if (chain.length === 0) throw new AppError('INVALID_REQUEST', 'the signer certificate chain (PEM) is required');
    const scheme = input.scheme ?? 'rsa-pkcs1';
    if (!['rsa-pkcs1', 'rsa-pss', 'ecdsa'].includes(scheme)) throw new AppError('INVALID_REQUEST', `unknown scheme ${scheme}`);
    const digestAlgorithm = input.digestAlgorithm ?? 'sha256';
    if (!['sha256', 'sha384', 'sha512'].includes(digestAlgorithm)) throw new AppError('INVALID_REQUEST', `unknown digest ${digestAlgorithm}`);
    const reserve = tsa ? await timestampReserve(tsa, digestAlgorithm) : 0;
    const signingTime = new Date();
    const appearance = input.placement
      ? await buildSignerStamp({ certificate: chain[0], placement: input.placement, signingTime, signatureImage: input.signatureImage, title: input.title })
      : undefined;
    const prepared = prepareSignature(input.pdf, {
      certificateChain: chain, scheme, digestAlgorithm, fieldName: input.fieldName, reason: input.reason, location: input.location, reserve, appearance, signingTime,
    });
    // Expired sessions are removed here, on the next use of the collection.
    const stale = await models.SigningSession.find({ expiresAt: { $lt: new Date() } }, { sessionId: 1, originalFileId: 1 }).lean();
    for (const s of stale) await deleteGridFile(bucket(), s.originalFileId as never);
    if (stale.length) await models.SigningSession.deleteMany({ sessionId: { $in: stale.map((s) => s.sessionId) } });
    const upload = bucket().openUploadStream('original.pdf');
    await new Promise<void>((resolve, reject) => Readable.from([input.pdf]).pipe(upload).on('finish', () => resolve()).on('error', reject));
    const sessionId = randomUUID();
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    // The signing agent on the official's PC asks the service about the session with this token.
    const agentToken = randomBytes(24).toString('base64url');
    await models.SigningSession.create({
      sessionId, organId: caller.organId, keyId: caller.keyId, expiresAt, originalFileId: upload.id,
      agentTokenHash: sha256(agentToken), certificateSha256: sha256(chain[0]), draftId: input.draftId ?? null, documentDigest: prepared.documentDigest.toString('hex'),
      increment: prepared.pdf.increment, byteRange: prepared.pdf.byteRange, contentsStart: prepared.pdf.contentsStart,
      contentsEnd: prepared.pdf.contentsEnd, fieldName: prepared.pdf.fieldName, dataToSign: prepared.dataToSign,
      digestAlgorithm, scheme, chain, signingTime: prepared.signingTime,
    });
    await audit.append({
      type: 'signing-session.opened', organId: caller.organId, keyId: caller.keyId, subject: sessionId,
      details: { field: prepared.pdf.fieldName, certificateSha256: sha256(chain[0]), draftId: input.draftId ?? null },
    });
    return {
      sessionId, agentToken, expiresAt: expiresAt.toISOString(), fieldName: prepared.pdf.fieldName, scheme, digestAlgorithm,
      dataToSign: prepared.dataToSign.toString('base64'), digestToSign: prepared.digestToSign.toString('base64'),
    };
  }

  /**
   * What the signing agent checks before its token signs: that the session exists, is open, and names the
   * certificate the agent holds and the bytes the page gave it. Answered only to the holder of the
   * session's agent token (sent to the page that opened it).
   */
  async function describeForAgent(sessionId: string, agentToken: unknown) {
    const session = await models.SigningSession.findOne({ sessionId }).lean();
    const given = Buffer.from(sha256(typeof agentToken === 'string' ? agentToken : ''), 'hex');
    if (!session?.agentTokenHash || !timingSafeEqual(given, Buffer.from(session.agentTokenHash, 'hex'))) throw new AppError('SESSION_NOT_FOUND', 'no such signing session');
    if (session.used) throw new AppError('SESSION_USED', 'this signing session was already completed');
    if (session.expiresAt < new Date()) throw new AppError('SESSION_EXPIRED', 'the signing session has expired; start again');
    return {
      sessionId, organId: session.organId, certificateSha256: session.certificateSha256, documentDigest: session.documentDigest ?? null,
      dataToSignSha256: sha256(Buffer.from(session.dataToSign.buffer ?? session.dataToSign)), expiresAt: session.expiresAt.toISOString(),
    };
  }

  async function complete(caller: Caller, sessionId: string, signatureValueB64: unknown): Promise<Buffer> {
    if (typeof signatureValueB64 !== 'string' || !/^[A-Za-z0-9+/=_-]+$/.test(signatureValueB64)) {
      throw new AppError('INVALID_REQUEST', 'signatureValue (base64) is required');
    }
    const session = await models.SigningSession.findOne({ sessionId }).lean();
    // Bound to the caller's API key: any other caller gets "not found".
    if (!session || session.keyId !== caller.keyId) throw new AppError('SESSION_NOT_FOUND', 'no such signing session');
    if (session.used) throw new AppError('SESSION_USED', 'this signing session was already completed');
    if (session.expiresAt < new Date()) throw new AppError('SESSION_EXPIRED', 'the signing session has expired; start again');
    const chunks: Buffer[] = [];
    for await (const chunk of bucket().openDownloadStream(session.originalFileId as never)) chunks.push(chunk as Buffer);
    const original = Buffer.concat(chunks);
    const prepared: PreparedSignature = {
      pdf: {
        original: new BufferSource(original), increment: Buffer.from(session.increment.buffer ?? session.increment), byteRange: session.byteRange as [number, number, number, number],
        contentsStart: session.contentsStart, contentsEnd: session.contentsEnd, fieldName: session.fieldName,
      },
      dataToSign: Buffer.from(session.dataToSign.buffer ?? session.dataToSign),
      digestToSign: Buffer.alloc(0),
      documentDigest: Buffer.alloc(0),
      digestAlgorithm: session.digestAlgorithm as SigningDigestAlgorithm,
      scheme: session.scheme as SignatureScheme,
      certificateChain: session.chain.map((c) => Buffer.from((c as unknown as { buffer?: Buffer }).buffer ?? c)),
      signingTime: session.signingTime,
    };
    const value = Buffer.from(signatureValueB64, 'base64');
    // The time-stamp is asked for only once the value is known to verify (the token signs the value).
    if (tsa && !checkSignatureValue(prepared, value)) {
      throw new AppError('SIGNATURE_VALUE_INVALID', 'the signature value does not verify with the signer certificate');
    }
    const unsigned = tsa ? [signatureTimestampAttribute(await requestTimestamp(tsa, value, prepared.digestAlgorithm))] : undefined;
    const completed = completeSignature(prepared, value, unsigned);
    // Single use: only the first completion flips `used`.
    const claimed = await models.SigningSession.updateOne({ sessionId, used: false }, { $set: { used: true } });
    if (claimed.modifiedCount === 0) throw new AppError('SESSION_USED', 'this signing session was already completed');
    await deleteGridFile(bucket(), session.originalFileId as never);
    const signed = joinParts(completed);
    await audit.append({
      type: 'signing-session.completed', organId: caller.organId, keyId: caller.keyId, subject: sessionId,
      details: { certificateSha256: session.certificateSha256 ?? null, draftId: session.draftId ?? null, sha256: sha256(signed) },
    });
    if (session.draftId) await onDraftSigned?.(session.draftId, signed, caller);
    return signed;
  }

  /** Called with each signed draft (the drafts service stores it and moves it to the clerk's queue). */
  let onDraftSigned: ((draftId: string, signed: Buffer, caller: Caller) => Promise<void>) | undefined;
  const whenDraftSigned = (fn: typeof onDraftSigned): void => {
    onDraftSigned = fn;
  };

  return { open, complete, describeForAgent, whenDraftSigned };
}

export type SigningSessionService = ReturnType<typeof createSigningSessionService>;
