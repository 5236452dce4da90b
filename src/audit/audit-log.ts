/**
 * A tamper-evident audit trail: every event carries the SHA-256 of the previous event of its chain and of
 * its own canonical content, and a sequence number unique in its chain, so a deleted, reordered or edited
 * event breaks the chain (`verify`). Each writer (one per service process) appends to a chain of its own,
 * named when the process starts: instances sharing a database never race for a sequence number, and
 * `verify` walks every chain. Events written before chains were named form the chain "" and verify as before.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Connection, Schema } from 'mongoose';

/** Every event the service records. */
export type AuditEventType =
  /** An agency was registered by an administrator. */
  | 'agency.registered'
  /** An agency got a new name; the old one went to its history. */
  | 'agency.renamed'
  | 'agency.code-changed'
  /** An API key was issued (the secret is never recorded). */
  | 'api-key.issued'
  /** An API key was revoked. */
  | 'api-key.revoked'
  /** A PDF was signed with a server-side key. */
  | 'document.signed'
  /** The number and date places were added to a document before the official signs it. */
  | 'document.places-added'
  /** The clerk issued a document: the outgoing register's number and the date written by the seal signature. */
  | 'document.issued'
  /** A two-phase signing session was opened for a token on the official's PC. */
  | 'signing-session.opened'
  /** A two-phase signing session was completed with the token's signature value. */
  | 'signing-session.completed'
  /** A PDF was verified on request. */
  | 'document.verified'
  /** An exchange was sent to recipients. */
  | 'exchange.sent'
  /** A document arrived from outside the service and was verified (and returned if it failed). */
  | 'exchange.received'
  /** A recipient's status changed (received, returned, accepted, done, recall answers). */
  | 'exchange.status-changed'
  /** The sender recalled an exchange. */
  | 'exchange.recalled'
  /** A recall of a document held here arrived from its sender's system (edXML BussinessDocType 1). */
  | 'exchange.recall-received'
  /** The scheduled job renewed a long-term (B-LTA) copy. */
  | 'exchange.archive-renewed'
  | 'exchange.archived'
  /** Someone read an exchange's metadata or document (access log, Decree 30 Appendix VI). */
  | 'exchange.read'
  /** An account of a person was created, had its password reset, or was disabled or enabled again. */
  | 'user.created'
  | 'user.password-reset'
  | 'user.disabled'
  | 'user.enabled'
  /** A person signed in or out, or a sign-in failed (the username as typed; never the password). */
  | 'user.logged-in'
  | 'user.logged-out'
  | 'user.login-failed'
  /** Repeated wrong passwords locked an account for a while. */
  | 'user.locked'
  /** The operator signed in or out of the web application with its key, or a sign-in with a key failed (never the key). */
  | 'operator.logged-in'
  | 'operator.logged-out'
  | 'operator.login-failed'
  /** A draft was uploaded, signed by an official through the agent, and sent by the clerk. */
  | 'draft.created'
  | 'draft.signed'
  | 'draft.sent'
  /** The operator registered another Kyso instance as a peer (its public key, never a secret). */
  | 'peer.registered'
  /** A package was delivered to a peer, or the peer refused it for good. */
  | 'delivery.delivered'
  | 'delivery.refused'
  /** A recipient on another system reported a status (an edXML Status package). */
  | 'exchange.status-received'
  /** A recipient stamped its arrival mark (số đến from its incoming register) on its copy. */
  | 'exchange.arrival-stamped'
  /** An agency made a signed copy (SAO Y, SAO LỤC, TRÍCH SAO) numbered in its copy register. */
  | 'exchange.copied';

export interface AuditEvent {
  /** The writer's chain (absent on events written before chains were named). */
  chain?: string;
  seq: number;
  at: Date;
  type: AuditEventType;
  organId: string | null;
  keyId: string | null;
  subject: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

const GENESIS = '0'.repeat(64);

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

function hashOf(event: Omit<AuditEvent, 'hash'>): string {
  const { chain, seq, at, type, organId, keyId, subject, details, prevHash } = event;
  return createHash('sha256').update(canonical({ chain, seq, at, type, organId, keyId, subject, details, prevHash })).digest('hex');
}

export function createAuditLog(connection: Connection) {
  const schema = new Schema<AuditEvent>({
    chain: { type: String },
    seq: { type: Number, required: true },
    at: { type: Date, required: true },
    type: { type: String, required: true },
    organId: { type: String, default: null },
    keyId: { type: String, default: null },
    subject: { type: String, default: null },
    details: { type: Schema.Types.Mixed, default: {} },
    prevHash: { type: String, required: true },
    hash: { type: String, required: true },
  }, { minimize: false });
  // (syncIndexes at start-up drops the trail-wide unique `seq` index of earlier versions.)
  schema.index({ chain: 1, seq: 1 }, { unique: true });
  schema.index({ at: 1 });
  const Model = connection.model<AuditEvent>('AuditEvent', schema, 'audit_events');

  type Input = { type: AuditEventType; organId?: string | null; keyId?: string | null; subject?: string | null; details?: Record<string, unknown> };
  // One writer per process, with a chain of its own: appends queue up and are written in ordered batches
  // from the known chain head, so concurrent requests do not race for sequence numbers. Should the same
  // chain ever be written elsewhere, the clash shows as a duplicate sequence number; the head is then
  // re-read and the batch rebuilt.
  const chain = randomUUID();
  let head: { seq: number; hash: string } | undefined;
  let pending: Array<{ input: Input; resolve: (e: AuditEvent) => void; reject: (e: unknown) => void }> = [];
  let flushing = false;

  async function readHead(): Promise<{ seq: number; hash: string }> {
    const last = await Model.findOne({ chain }).sort({ seq: -1 }).lean();
    return { seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS };
  }

  function build(from: { seq: number; hash: string }, inputs: Input[]): AuditEvent[] {
    let prev = from;
    return inputs.map((input) => {
      const base = {
        chain,
        seq: prev.seq + 1,
        at: new Date(),
        type: input.type,
        organId: input.organId ?? null,
        keyId: input.keyId ?? null,
        subject: input.subject ?? null,
        details: JSON.parse(JSON.stringify(input.details ?? {})) as Record<string, unknown>,
        prevHash: prev.hash,
      };
      const event: AuditEvent = { ...base, hash: hashOf(base) };
      prev = { seq: event.seq, hash: event.hash };
      return event;
    });
  }

  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    try {
      while (pending.length > 0) {
        let batch = pending;
        pending = [];
        let lastError: unknown;
        for (let attempt = 0; attempt < 20 && batch.length > 0; attempt++) {
          let events: AuditEvent[] = [];
          try {
            head ??= await readHead();
            events = build(head, batch.map((b) => b.input));
            // Straight to the driver: the events are fully built here and need no casting (hot path).
            await Model.collection.insertMany(events.map((e) => ({ ...e })), { ordered: true });
            const last = events[events.length - 1];
            head = { seq: last.seq, hash: last.hash };
            batch.forEach((b, i) => b.resolve(events[i]));
            batch = [];
          } catch (error) {
            lastError = error;
            head = undefined;
            if ((error as { code?: number }).code !== 11000 && !(error as { writeErrors?: unknown[] }).writeErrors) break;
            // An ordered insert may have written a prefix before the clash: those events are done.
            if (events.length === 0) break;
            let written: Set<string>;
            try {
              written = new Set((await Model.find({ hash: { $in: events.map((e) => e.hash) } }, { hash: 1 }).lean()).map((e) => e.hash));
            } catch (readError) {
              lastError = readError;
              break;
            }
            const remaining: typeof batch = [];
            batch.forEach((b, i) => (written.has(events[i].hash) ? b.resolve(events[i]) : remaining.push(b)));
            batch = remaining;
          }
        }
        batch.forEach((b) => b.reject(lastError ?? new Error('the audit trail cannot be written')));
      }
    } finally {
      flushing = false;
    }
  }

  function append(input: Input): Promise<AuditEvent> {
    return new Promise<AuditEvent>((resolve, reject) => {
      pending.push({ input, resolve, reject });
      void flush();
    });
  }

  /**
   * Walks every chain; the first broken one is named with its first broken sequence number. `events` counts
   * the events of intact chains before the break.
   */
  async function verify(): Promise<{ intact: boolean; events: number; chains: number; brokenAt: number | null; brokenChain?: string }> {
    let current: string | undefined;
    let prev = GENESIS;
    let expectedSeq = 1;
    let count = 0;
    let chains = 0;
    for await (const e of Model.find().sort({ chain: 1, seq: 1 }).lean().cursor()) {
      const { hash, ...rest } = e as AuditEvent & { _id?: unknown; __v?: unknown };
      delete (rest as { _id?: unknown })._id;
      delete (rest as { __v?: unknown }).__v;
      if ((e.chain ?? '') !== current) {
        current = e.chain ?? '';
        chains++;
        prev = GENESIS;
        expectedSeq = 1;
      }
      if (e.seq !== expectedSeq || e.prevHash !== prev || hashOf(rest as Omit<AuditEvent, 'hash'>) !== hash) {
        return { intact: false, events: count, chains, brokenAt: e.seq, brokenChain: current };
      }
      prev = hash;
      expectedSeq++;
      count++;
    }
    return { intact: true, events: count, chains, brokenAt: null };
  }

  /** Events by subject and agency; `organIds` (every code an agency has had) takes precedence over `organId`. */
  async function list(filter: { subject?: string; organId?: string; organIds?: string[]; actor?: string; from?: Date; to?: Date }, limit = 200): Promise<AuditEvent[]> {
    const query: Record<string, unknown> = {};
    if (filter.subject) query.subject = filter.subject;
    if (filter.actor) query.keyId = filter.actor;
    if (filter.from || filter.to) query.at = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lte: filter.to } : {}) };
    if (filter.organIds) query.organId = { $in: filter.organIds };
    else if (filter.organId) query.organId = filter.organId;
    return Model.find(query).sort({ at: 1, chain: 1, seq: 1 }).limit(limit).lean();
  }

  return { append, verify, list, Model };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
