/**
 * The delivery worker: takes packages waiting for peers from the database (peer-outbox.ts), sends each as an
 * edXML package, and records the peer's answer in the sender's recipient history ("đang chuyển" → 01, or 02
 * with the peer's reason). A peer that cannot be reached is tried again with exponential back-off; the
 * Idempotency-Key stays the same, so a retry after a lost answer never makes a second copy. Any number of
 * service instances may run the worker: a delivery is claimed with a lease that runs out if its worker dies.
 */
import type { Logger } from 'pino';
import { AppError } from '../errors';
import { writeEdxmlMessage, writeEdxmlStatus } from '../edxml';
import { PeerIdentity, postToPeer } from '../federation';
import { edxmlOfExchange, edxmlRecallOf, edxmlStatusOf } from './edxml-package';
import type { ExchangeContext } from './exchange-context';
import type { DeliveryDoc, PeerDoc, StatusEntry } from './models';
import type { PeerArrival } from './receive-edxml';
import { STATUS } from './status-machine';

export interface DeliveryOptions {
  logger: Logger;
  /** How often due deliveries are looked for (new ones are sent at once). */
  pollMs: number;
  /** The first retry's wait; each further retry doubles it, up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
  /** How long a claimed delivery is someone's before another worker may take it. */
  leaseMs: number;
}

export const PEER_MESSAGES_PATH = '/v1/peer/messages';

/** Answers of a peer that retrying cannot change: the package itself is refused. */
const isRefusal = (status: number) => status >= 400 && status < 500 && ![401, 403, 404, 408, 409, 425, 429].includes(status);

export function createDeliveryWorker(ctx: ExchangeContext, identity: PeerIdentity, options: DeliveryOptions) {
  const { models, documents, audit } = ctx;
  const log = options.logger.child({ job: 'peer-delivery' });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  async function claim(): Promise<DeliveryDoc | null> {
    const now = new Date();
    return models.Delivery.findOneAndUpdate(
      { state: 'pending', nextAttemptAt: { $lte: now }, leaseUntil: { $lte: now } },
      { $set: { leaseUntil: new Date(now.getTime() + options.leaseMs) } },
      { sort: { nextAttemptAt: 1 }, returnDocument: 'after' },
    ).lean();
  }

  async function sendDocument(d: DeliveryDoc, peer: PeerDoc): Promise<void> {
    const exchange = await models.Exchange.findOne({ exchangeId: d.exchangeId }).lean();
    if (!exchange) throw new Error(`exchange ${d.exchangeId} is gone`);
    const { message, attachments } = edxmlOfExchange(exchange, documents);
    const answer = await postToPeer(identity, { baseUrl: peer.baseUrl, instanceId: peer.peerId }, PEER_MESSAGES_PATH, () => writeEdxmlMessage(message, attachments), {
      idempotencyKey: exchange.exchangeId, timeoutMs: options.timeoutMs,
    });
    const results = Array.isArray(answer.results) ? answer.results as PeerArrival[] : [];
    await settle(d, exchange.fromOrganId, (organId) => {
      const arrival = results.find((r) => r.organId === organId);
      return arrival?.history.length
        ? arrival.history.map((h) => ({ status: String(h.status), at: new Date(h.at), byOrganId: organId, ...(h.reason ? { reason: String(h.reason) } : {}) }))
        : [{ status: STATUS.RETURNED, at: new Date(), byOrganId: organId, reason: 'Hệ thống nhận không phục vụ cơ quan này / the peer does not serve this agency' }];
    });
  }

  /** Each recipient of a delivery still "đang chuyển" takes the history entries the peer's answer gives it. */
  async function settle(d: DeliveryDoc, senderOrganId: string | undefined, historyOf: (organId: string) => StatusEntry[]): Promise<void> {
    for (const organId of d.organIds) {
      const history = historyOf(organId);
      await models.Recipient.updateOne({ exchangeId: d.exchangeId, organId, status: STATUS.IN_TRANSIT }, {
        $set: { status: history[history.length - 1].status, updatedAt: new Date() }, $push: { history: { $each: history } },
      });
    }
    await ctx.changes.bump([...(senderOrganId ? [senderOrganId] : []), ...d.organIds]);
  }

  async function sendRecall(d: DeliveryDoc, peer: PeerDoc): Promise<void> {
    const exchange = await models.Exchange.findOne({ exchangeId: d.exchangeId }).lean();
    if (!exchange) throw new Error(`exchange ${d.exchangeId} is gone`);
    const message = edxmlRecallOf(exchange, documents);
    await postToPeer(identity, { baseUrl: peer.baseUrl, instanceId: peer.peerId }, PEER_MESSAGES_PATH, () => writeEdxmlMessage(message, []), {
      idempotencyKey: d.deliveryId, timeoutMs: options.timeoutMs,
    });
  }

  async function sendStatus(d: DeliveryDoc, peer: PeerDoc): Promise<void> {
    const exchange = await models.Exchange.findOne({ exchangeId: d.exchangeId }).lean();
    const recipient = await models.Recipient.findOne({ exchangeId: d.exchangeId, organId: d.organIds[0] }).lean();
    if (!exchange || !recipient || !d.entry) throw new Error(`exchange ${d.exchangeId} or its recipient ${d.organIds[0]} is gone`);
    const xml = Buffer.from(writeEdxmlStatus(edxmlStatusOf(exchange, recipient, d.entry)), 'utf8');
    await postToPeer(identity, { baseUrl: peer.baseUrl, instanceId: peer.peerId }, PEER_MESSAGES_PATH, async function* body() { yield xml; }, {
      idempotencyKey: d.deliveryId, timeoutMs: options.timeoutMs,
    });
  }

  /** The recipients of a document the peer refused for good: returned (02) with the peer's reason. */
  async function refuse(d: DeliveryDoc, reason: string): Promise<void> {
    if (d.kind !== 'document') return;
    const at = new Date();
    const exchange = await models.Exchange.findOne({ exchangeId: d.exchangeId }, { fromOrganId: 1 }).lean();
    await settle(d, exchange?.fromOrganId, (organId) => [
      { status: STATUS.RETURNED, at, byOrganId: organId, reason: `Hệ thống nhận từ chối / refused by the receiving system: ${reason}` },
    ]);
  }

  async function attempt(d: DeliveryDoc): Promise<void> {
    const peer = await models.Peer.findOne({ peerId: d.peerId }).lean();
    try {
      if (!peer) throw new Error(`peer ${d.peerId} is no longer registered`);
      await (d.kind === 'document' ? sendDocument(d, peer) : d.kind === 'recall' ? sendRecall(d, peer) : sendStatus(d, peer));
      await models.Delivery.updateOne({ deliveryId: d.deliveryId }, { $set: { state: 'delivered', deliveredAt: new Date(), lastError: null } });
      await audit.append({ type: 'delivery.delivered', subject: d.exchangeId, details: { deliveryId: d.deliveryId, kind: d.kind, peerId: d.peerId, organIds: d.organIds, attempts: d.attempts + 1 } });
      log.info({ deliveryId: d.deliveryId, kind: d.kind, peerId: d.peerId, attempts: d.attempts + 1 }, 'delivered to peer');
    } catch (error) {
      const status = error instanceof AppError ? Number(error.details?.status ?? 0) : 0;
      const message = (error as Error).message;
      if (isRefusal(status)) {
        await refuse(d, message);
        await models.Delivery.updateOne({ deliveryId: d.deliveryId }, { $set: { state: 'delivered', deliveredAt: new Date(), lastError: message } });
        await audit.append({ type: 'delivery.refused', subject: d.exchangeId, details: { deliveryId: d.deliveryId, kind: d.kind, peerId: d.peerId, reason: message } });
        log.warn({ deliveryId: d.deliveryId, peerId: d.peerId, err: error }, 'the peer refused the package');
        return;
      }
      const wait = Math.min(options.maxBackoffMs, options.backoffMs * 2 ** d.attempts);
      await models.Delivery.updateOne({ deliveryId: d.deliveryId }, {
        $set: { attempts: d.attempts + 1, nextAttemptAt: new Date(Date.now() + wait), leaseUntil: new Date(0), lastError: message.slice(0, 500) },
      });
      log.warn({ deliveryId: d.deliveryId, peerId: d.peerId, attempts: d.attempts + 1, retryInMs: wait, err: message }, 'delivery to peer failed; it will be retried');
    }
  }

  async function runDue(): Promise<void> {
    for (let d = await claim(); d && !stopped; d = await claim()) await attempt(d);
  }

  /** Runs the due deliveries now (one run at a time in this process; a request during a run starts another after it). */
  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = runDue()
      .catch((error: unknown) => log.error({ err: error }, 'the delivery run failed; it runs again at the next poll'))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          kick();
        }
      });
  }

  return {
    start(): void {
      ctx.outbox.onEnqueue(kick);
      timer = setInterval(kick, options.pollMs);
      timer.unref();
      kick();
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
    runDue,
  };
}
