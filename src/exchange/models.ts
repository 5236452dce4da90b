/**
 * Persistence for agencies, API keys, exchanges (edXML header fields, QCVN 102:2016; Decree 30/2020
 * Appendix VI), per-recipient status, signing sessions and audit events. Only features both MongoDB and
 * FerretDB 1.x support: flat indexed fields (no dotted index paths), unique indexes, no TTL indexes (expiry
 * is an explicit query), no transactions (ordered writes + idempotency keys instead).
 */
import { Connection, Schema, Types } from 'mongoose';
import { ORGAN_ID_PATTERN } from '../edxml';

/** Roles inside one agency; `admin` manages only its own agency's keys. */
export const ROLES = ['signer', 'clerk', 'receiver', 'archivist', 'admin'] as const;
export type Role = (typeof ROLES)[number];
/**
 * The service operator registers agencies and changes their names and codes. The role is never issued to an
 * agency: its keys belong to no agency (organId ''), so they read no exchange; they are made at the first
 * start or from the command line (`kyso-service operator-key`).
 */
export const OPERATOR = 'operator' as const;
export type CallerRole = Role | typeof OPERATOR;

export { ORGAN_ID_PATTERN } from '../edxml';

export interface AgencyDoc {
  organId: string;
  name: string;
  active: boolean;
  /** Earlier names and codes with validity periods (agencies merge and rename). */
  history: Array<{ organId: string; name: string; validFrom: Date; validTo: Date }>;
  trustPolicy: { acceptPublicCa: boolean };
  createdAt: Date;
}

export interface ApiKeyDoc {
  keyId: string;
  /** The agency the key acts for; '' for an operator key. */
  organId: string;
  role: CallerRole;
  /** SHA-256 of the random secret; the secret itself is never stored. */
  secretHash: string;
  createdAt: Date;
  revokedAt?: Date | null;
}

export interface StatusEntry {
  status: string;
  at: Date;
  byOrganId: string;
  reason?: string;
  /** The staff member who made the move, as they gave it (edXML StaffInfo). */
  staffName?: string;
  staffPosition?: string;
}

/**
 * A report kept with an exchange: its JSON text. It is only ever read whole (by auditors), and as text the
 * database stores one value instead of a tree of hundreds (on the embedded backend, about half of what
 * writing an exchange costs). Exchanges stored earlier hold the object itself.
 */
export type StoredReport = string | Record<string, unknown>;

export interface ExchangeDoc {
  exchangeId: string;
  fromOrganId: string;
  fromOrganName: string;
  to: Array<{ organId: string; organName: string }>;
  codeNumber: string;
  codeNotation: string;
  year: number;
  issuedDate: Date;
  subject: string;
  documentType?: string;
  signerCompetence?: string;
  signerPosition?: string;
  signerFullName?: string;
  promulgationPlace?: string;
  priority: number;
  dueDate?: Date | null;
  idempotencyKey: string;
  /** SHA-256 of the request the Idempotency-Key was first used for (header fields and file hashes). */
  requestHash?: string;
  /**
   * '' for a document sent by a local agency; for one received from outside, the local agency it was
   * received for. Such a record is in no local outbox and in no local agency's number space.
   */
  inboundTo: string;
  fileId: Types.ObjectId;
  fileName: string;
  sha256: string;
  size: number;
  /** Attachments in separate files (Decree 30/2020 Appendix I), each with its hash and own verdict. */
  attachments?: Array<{ name: string; sha256: string; size: number; fileId: Types.ObjectId; verification: Record<string, unknown> | null }>;
  pageAmount: number;
  /** edXML business kind: 0 new, 1 recall, 2 update, 3 replace. */
  businessKind: number;
  verification: Record<string, unknown>;
  /** The full validation report at receipt (chain, revocation sources, messages) for later audit. */
  report: StoredReport;
  state: 'sent' | 'recalled';
  /** Long-term copies of the document (PAdES B-LTA, validation data and a document timestamp), newest last. */
  archives?: Array<{ fileId: Types.ObjectId; sha256: string; size: number; level: string; at: Date; byOrganId: string; renewBy?: Date | null }>;
  /** The scheduled renewal tries again from then (after a failure, or a renewal that gained no time). */
  renewalRetryAt?: Date | null;
  renewalFailures?: number;
  /** When the newest long-term copy must be renewed (its document timestamp's TSA certificate expires). */
  renewBy?: Date | null;
  recallReason?: string;
  recalledAt?: Date | null;
  /** For a document that arrived from another Kyso: that peer, to which this agency's statuses flow back. */
  viaPeer?: string | null;
  createdAt: Date;
}

export interface RecipientDoc {
  exchangeId: string;
  organId: string;
  organName: string;
  status: string;
  history: StatusEntry[];
  /** The recipient's copy is removed when a recall is accepted (status 15); the record stays. */
  documentRemoved: boolean;
  /** The verdict under this recipient's own trust policy, when it differs from the service default. */
  verification?: Record<string, unknown> | null;
  /** INDETERMINATE on receipt: a person must look before accepting (Decree 30/2020 Art. 21). */
  needsReview: boolean;
  /** A recipient served by another Kyso (a peer): its copy travels there and its statuses come back. */
  peerId?: string | null;
  /** The arrival mark (ĐẾN) this agency stamped on its copy: số đến from its incoming register. */
  arrival?: { number: number; year: number; at: Date; forwardTo?: string; fileId: Types.ObjectId; sha256: string; size: number } | null;
  updatedAt: Date;
}

/** The registers a clerk keeps (Decree 30/2020): documents going out, arriving, and copies made. */
export const REGISTER_BOOKS = ['outgoing', 'incoming', 'copies'] as const;
export type RegisterBook = (typeof REGISTER_BOOKS)[number];

/**
 * One number of a register. Numbers run from 1 each calendar year (Vietnam time) per agency and book; an
 * entry is written only when what it numbers was made, so failed attempts leave no gap.
 */
export interface RegisterEntryDoc {
  organId: string;
  book: RegisterBook;
  year: number;
  number: number;
  /** The exchange it belongs to; an issued number gets it when the issued document is sent. */
  exchangeId?: string;
  /** SHA-256 of what the number was written into (issuing). */
  sha256?: string;
  at: Date;
  by: string;
  /** What the number was given to: an arrival stamp, a copy (with its form), … */
  what: string;
}

/** A copy an agency made of a document it holds (SAO Y, SAO LỤC, TRÍCH SAO), signed by the agency. */
export interface CopyDoc {
  copyId: string;
  exchangeId: string;
  organId: string;
  form: 'SAO Y' | 'SAO LỤC' | 'TRÍCH SAO';
  number: number;
  year: number;
  /** TRÍCH SAO: the pages copied (from 1). */
  pages: number[];
  fileId: Types.ObjectId;
  sha256: string;
  size: number;
  at: Date;
  by: string;
}

/**
 * Another Kyso instance this one exchanges with: the agencies it serves (codes or code prefixes), where it
 * listens, and the Ed25519 public key its requests are signed with. No secret of the link is stored.
 */
export interface PeerDoc {
  peerId: string;
  name: string;
  baseUrl: string;
  organIds: string[];
  prefixes: string[];
  publicKey: string;
  active: boolean;
  createdAt: Date;
}

/**
 * A package waiting for a peer: a document for its recipients there, or a status for the document's sender.
 * Kept until the peer confirms; retried with exponential back-off; survives restarts of either side.
 */
export interface DeliveryDoc {
  deliveryId: string;
  kind: 'document' | 'status' | 'recall';
  peerId: string;
  exchangeId: string;
  /** For a document: the recipients on the peer; for a status: the recipient whose status it is. */
  organIds: string[];
  /** For a status: the history entry to send. */
  entry?: StatusEntry | null;
  state: 'pending' | 'delivered';
  attempts: number;
  nextAttemptAt: Date;
  /** A delivery being worked on by some instance until then (a crashed worker's claim runs out). */
  leaseUntil: Date;
  lastError?: string | null;
  createdAt: Date;
  deliveredAt?: Date | null;
}

export interface SigningSessionDoc {
  sessionId: string;
  organId: string;
  keyId: string;
  expiresAt: Date;
  used: boolean;
  originalFileId: Types.ObjectId;
  increment: Buffer;
  byteRange: number[];
  contentsStart: number;
  contentsEnd: number;
  fieldName: string;
  dataToSign: Buffer;
  digestAlgorithm: string;
  scheme: string;
  chain: Buffer[];
  signingTime: Date;
  createdAt: Date;
  /** SHA-256 of the token the signing agent shows to ask about this session. */
  agentTokenHash?: string;
  /** SHA-256 of the signer certificate the session was opened for. */
  certificateSha256?: string;
  /** The draft being signed, if any. */
  draftId?: string | null;
  /** The document digest (hex) the signed attributes carry as messageDigest: what the agent logs. */
  documentDigest?: string;
}

/** A document waiting for, or carrying, an official's signature before the clerk seals and sends it. */
export interface DraftDoc {
  draftId: string;
  organId: string;
  /** Who uploaded it (key id or user:<username>). */
  createdBy: string;
  subject: string;
  fileName: string;
  fileId: Types.ObjectId;
  sha256: string;
  size: number;
  pageCount: number;
  /** awaiting-signature → signed (the clerk's queue) → sent. */
  status: 'awaiting-signature' | 'signed' | 'sent';
  signedBy?: string | null;
  signedAt?: Date | null;
  createdAt: Date;
}

export interface EvidenceCertificateDoc {
  sha256: string;
  der: Buffer;
  subject?: string;
  firstSeen: Date;
}

export function createModels(connection: Connection) {
  const agency = new Schema<AgencyDoc>({
    organId: { type: String, required: true, match: ORGAN_ID_PATTERN },
    name: { type: String, required: true },
    active: { type: Boolean, default: true },
    history: [{ _id: false, organId: String, name: String, validFrom: Date, validTo: Date }],
    trustPolicy: { acceptPublicCa: { type: Boolean, default: true } },
    createdAt: { type: Date, default: () => new Date() },
  });
  agency.index({ organId: 1 }, { unique: true });

  const apiKey = new Schema<ApiKeyDoc>({
    keyId: { type: String, required: true },
    organId: { type: String, default: '' },
    role: { type: String, enum: [...ROLES, OPERATOR], required: true },
    secretHash: { type: String, required: true },
    createdAt: { type: Date, default: () => new Date() },
    revokedAt: { type: Date, default: null },
  });
  apiKey.index({ keyId: 1 }, { unique: true });

  const exchange = new Schema<ExchangeDoc>({
    exchangeId: { type: String, required: true },
    fromOrganId: { type: String, required: true },
    fromOrganName: String,
    to: [{ _id: false, organId: String, organName: String }],
    codeNumber: { type: String, required: true },
    codeNotation: { type: String, required: true },
    year: { type: Number, required: true },
    issuedDate: { type: Date, required: true },
    subject: { type: String, required: true },
    documentType: String,
    signerCompetence: String,
    signerPosition: String,
    signerFullName: String,
    promulgationPlace: String,
    priority: { type: Number, default: 0 },
    dueDate: { type: Date, default: null },
    idempotencyKey: { type: String, required: true },
    requestHash: String,
    inboundTo: { type: String, default: '' },
    fileId: { type: Schema.Types.ObjectId, required: true },
    fileName: String,
    sha256: String,
    size: Number,
    attachments: [{ _id: false, name: String, sha256: String, size: Number, fileId: Schema.Types.ObjectId, verification: Schema.Types.Mixed }],
    archives: [{ _id: false, fileId: Schema.Types.ObjectId, sha256: String, size: Number, level: String, at: Date, byOrganId: String, renewBy: Date }],
    renewalRetryAt: { type: Date },
    renewalFailures: { type: Number },
    renewBy: { type: Date, default: null },
    pageAmount: Number,
    businessKind: { type: Number, default: 0 },
    verification: { type: Schema.Types.Mixed },
    report: { type: Schema.Types.Mixed },
    state: { type: String, default: 'sent' },
    recallReason: String,
    recalledAt: { type: Date, default: null },
    viaPeer: { type: String, default: null },
    createdAt: { type: Date, default: () => new Date() },
  });
  exchange.index({ exchangeId: 1 }, { unique: true });
  exchange.index({ fromOrganId: 1, idempotencyKey: 1 }, { unique: true });
  // "số, ký hiệu" is unique per issuer per year (Decree 30/2020 Art. 15); documents received from outside
  // have a number space per receiving agency, apart from every local issuer's.
  exchange.index({ fromOrganId: 1, inboundTo: 1, year: 1, codeNumber: 1, codeNotation: 1 }, { unique: true });
  exchange.index({ fromOrganId: 1, createdAt: -1 });
  exchange.index({ fileId: 1 });

  const recipient = new Schema<RecipientDoc>({
    exchangeId: { type: String, required: true },
    organId: { type: String, required: true },
    organName: String,
    status: { type: String, required: true },
    history: [{ _id: false, status: String, at: Date, byOrganId: String, reason: String, staffName: String, staffPosition: String }],
    documentRemoved: { type: Boolean, default: false },
    verification: { type: Schema.Types.Mixed, default: null },
    needsReview: { type: Boolean, default: false },
    peerId: { type: String, default: null },
    arrival: { type: Schema.Types.Mixed, default: null },
    updatedAt: { type: Date, default: () => new Date() },
  });
  recipient.index({ exchangeId: 1, organId: 1 }, { unique: true });
  recipient.index({ organId: 1, updatedAt: -1 });

  const session = new Schema<SigningSessionDoc>({
    sessionId: { type: String, required: true },
    organId: String,
    keyId: String,
    expiresAt: Date,
    used: { type: Boolean, default: false },
    originalFileId: Schema.Types.ObjectId,
    increment: Buffer,
    byteRange: [Number],
    contentsStart: Number,
    contentsEnd: Number,
    fieldName: String,
    dataToSign: Buffer,
    digestAlgorithm: String,
    scheme: String,
    chain: [Buffer],
    signingTime: Date,
    createdAt: { type: Date, default: () => new Date() },
    agentTokenHash: String,
    certificateSha256: String,
    draftId: { type: String, default: null },
    documentDigest: String,
  });
  session.index({ sessionId: 1 }, { unique: true });

  const draft = new Schema<DraftDoc>({
    draftId: { type: String, required: true },
    organId: { type: String, required: true },
    createdBy: { type: String, required: true },
    subject: { type: String, required: true },
    fileName: String,
    fileId: { type: Schema.Types.ObjectId, required: true },
    sha256: String,
    size: Number,
    pageCount: Number,
    status: { type: String, required: true },
    signedBy: { type: String, default: null },
    signedAt: { type: Date, default: null },
    createdAt: { type: Date, default: () => new Date() },
  });
  draft.index({ draftId: 1 }, { unique: true });
  draft.index({ organId: 1, createdAt: -1 });

  // Certificates that verdicts rested on, stored once each by content (reports refer to them by SHA-256).
  const certificate = new Schema<EvidenceCertificateDoc>({
    sha256: { type: String, required: true },
    der: { type: Buffer, required: true },
    subject: String,
    firstSeen: { type: Date, default: () => new Date() },
  });
  certificate.index({ sha256: 1 }, { unique: true });

  const peer = new Schema<PeerDoc>({
    peerId: { type: String, required: true },
    name: { type: String, required: true },
    baseUrl: { type: String, required: true },
    organIds: [String],
    prefixes: [String],
    publicKey: { type: String, required: true },
    active: { type: Boolean, default: true },
    createdAt: { type: Date, default: () => new Date() },
  });
  peer.index({ peerId: 1 }, { unique: true });

  const delivery = new Schema<DeliveryDoc>({
    deliveryId: { type: String, required: true },
    kind: { type: String, enum: ['document', 'status', 'recall'], required: true },
    peerId: { type: String, required: true },
    exchangeId: { type: String, required: true },
    organIds: [String],
    entry: { type: Schema.Types.Mixed, default: null },
    state: { type: String, enum: ['pending', 'delivered'], default: 'pending' },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    leaseUntil: { type: Date, default: () => new Date(0) },
    lastError: { type: String, default: null },
    createdAt: { type: Date, default: () => new Date() },
    deliveredAt: { type: Date, default: null },
  });
  delivery.index({ deliveryId: 1 }, { unique: true });
  delivery.index({ state: 1, nextAttemptAt: 1 });

  const registerEntry = new Schema<RegisterEntryDoc>({
    organId: { type: String, required: true },
    book: { type: String, enum: REGISTER_BOOKS, required: true },
    year: { type: Number, required: true },
    number: { type: Number, required: true },
    exchangeId: { type: String },
    sha256: { type: String },
    at: { type: Date, required: true },
    by: { type: String, required: true },
    what: { type: String, required: true },
  });
  // The guarantee: a number is given once per agency, book and year.
  registerEntry.index({ organId: 1, book: 1, year: 1, number: 1 }, { unique: true });

  const copy = new Schema<CopyDoc>({
    copyId: { type: String, required: true },
    exchangeId: { type: String, required: true },
    organId: { type: String, required: true },
    form: { type: String, required: true },
    number: Number,
    year: Number,
    pages: [Number],
    fileId: { type: Schema.Types.ObjectId, required: true },
    sha256: String,
    size: Number,
    at: Date,
    by: String,
  });
  copy.index({ copyId: 1 }, { unique: true });
  copy.index({ exchangeId: 1, organId: 1 });

  return {
    RegisterEntry: connection.model<RegisterEntryDoc>('RegisterEntry', registerEntry, 'register_entries'),
    Copy: connection.model<CopyDoc>('Copy', copy, 'copies'),
    Peer: connection.model<PeerDoc>('Peer', peer, 'peers'),
    Delivery: connection.model<DeliveryDoc>('Delivery', delivery, 'deliveries'),
    Agency: connection.model<AgencyDoc>('Agency', agency, 'agencies'),
    ApiKey: connection.model<ApiKeyDoc>('ApiKey', apiKey, 'api_keys'),
    Exchange: connection.model<ExchangeDoc>('Exchange', exchange, 'exchanges'),
    Recipient: connection.model<RecipientDoc>('Recipient', recipient, 'exchange_recipients'),
    SigningSession: connection.model<SigningSessionDoc>('SigningSession', session, 'signing_sessions'),
    Draft: connection.model<DraftDoc>('Draft', draft, 'drafts'),
    EvidenceCertificate: connection.model<EvidenceCertificateDoc>('EvidenceCertificate', certificate, 'evidence_certificates'),
  };
}

export type Models = ReturnType<typeof createModels>;

/** Whether a write failed on a unique index (MongoDB and FerretDB answer code 11000): the one place that knows. */
export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: number } | null)?.code === 11000;
}
