/**
 * Packages waiting for peers, written in the same request that makes them (a send, a status move) so that
 * nothing is lost when a process stops; the delivery worker (deliver-to-peers.ts) takes them from here.
 */
import { randomUUID } from 'node:crypto';
import type { Models, StatusEntry } from './models';

export function createPeerOutbox(models: Models) {
  const listeners: Array<() => void> = [];
  const notify = () => listeners.forEach((l) => l());

  /** One delivery per peer, for its recipients there. */
  async function enqueuePerPeer(kind: 'document' | 'recall', exchangeId: string, byPeer: Map<string, string[]>): Promise<void> {
    if (byPeer.size === 0) return;
    const now = new Date();
    await models.Delivery.insertMany([...byPeer].map(([peerId, organIds]) => ({
      deliveryId: randomUUID(), kind, peerId, exchangeId, organIds, state: 'pending', attempts: 0, nextAttemptAt: now, leaseUntil: new Date(0), createdAt: now,
    })));
    notify();
  }

  /** The document, for its recipients on each peer. */
  const enqueueDocument = (exchangeId: string, byPeer: Map<string, string[]>) => enqueuePerPeer('document', exchangeId, byPeer);

  /** A recipient's status for the document's sender on a peer. */
  async function enqueueStatus(exchangeId: string, peerId: string, organId: string, entry: StatusEntry): Promise<void> {
    const now = new Date();
    await models.Delivery.create({ deliveryId: randomUUID(), kind: 'status', peerId, exchangeId, organIds: [organId], entry, state: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now });
    notify();
  }

  /** The sender's recall, for its recipients on each peer (edXML BussinessDocType 1). */
  const enqueueRecall = (exchangeId: string, byPeer: Map<string, string[]>) => enqueuePerPeer('recall', exchangeId, byPeer);

  return { enqueueDocument, enqueueStatus, enqueueRecall, onEnqueue: (listener: () => void) => listeners.push(listener) };
}

export type PeerOutbox = ReturnType<typeof createPeerOutbox>;
