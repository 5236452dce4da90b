/**
 * One change counter per agency, kept in the database and moved on every write that changes what the
 * agency's inbox or outbox shows (a send, an arrival, a status move, a recall, a long-term copy). A reader
 * may keep what it read together with the counters it saw, and reuse it while they have not moved: in this
 * process or any other instance, since the counters live in the database. They are read and written by
 * `_id`, the one key the embedded database looks up without scanning a collection.
 */
import type { Connection } from 'mongoose';
import { isDuplicateKey } from './models';

export function createChangeCounters(connection: Connection) {
  // All counters in one document, so a round of bumps is one write (OrganIds hold dots: stored as "_").
  const counters = () => connection.db!.collection<{ _id: string } & Record<string, unknown>>('change_counters');
  const DOC = 'boxes';
  const field = (organId: string): string => `n_${organId.replace(/\./g, '_')}`;

  const increment = async (round: Map<string, number>): Promise<void> => {
    const inc = Object.fromEntries([...round].map(([id, n]) => [field(id), n]));
    try {
      await counters().updateOne({ _id: DOC }, { $inc: inc as never }, { upsert: true });
    } catch (error) {
      // Two first bumps at once: one upsert creates the document, the other finds it when it tries again.
      if (!isDuplicateKey(error)) throw error;
      await counters().updateOne({ _id: DOC }, { $inc: inc as never });
    }
  };

  // Bumps of concurrent requests are combined: one write per agency per round (the embedded database has a
  // single writer, so writes saved are latency saved). Each caller resolves once its round is written.
  let pending = new Map<string, number>();
  let waiting: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  let flushing = false;
  const flush = async (): Promise<void> => {
    flushing = true;
    while (pending.size > 0) {
      const round = pending;
      const callers = waiting;
      pending = new Map();
      waiting = [];
      try {
        await increment(round);
        for (const c of callers) c.resolve();
      } catch (error) {
        for (const c of callers) c.reject(error);
      }
    }
    flushing = false;
  };

  /** Moves the counters of these agencies; awaited before a write is acknowledged. */
  function bump(organIds: Iterable<string>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      for (const id of new Set(organIds)) pending.set(id, (pending.get(id) ?? 0) + 1);
      waiting.push({ resolve, reject });
      if (!flushing) void flush();
    });
  }

  /** The counters of these agencies, as one comparable token. */
  async function read(organIds: string[]): Promise<string> {
    const doc = await counters().findOne({ _id: DOC });
    return organIds.map((id) => `${id}=${Number(doc?.[field(id)] ?? 0)}`).join(',');
  }

  return { bump, read };
}

export type ChangeCounters = ReturnType<typeof createChangeCounters>;
