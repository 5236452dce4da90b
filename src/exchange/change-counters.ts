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
  const counters = () => connection.db!.collection<{ _id: string; n: number }>('change_counters');

  /** Moves the counters of these agencies; awaited before a write is acknowledged. */
  async function bump(organIds: Iterable<string>): Promise<void> {
    await Promise.all([...new Set(organIds)].map(async (id) => {
      try {
        await counters().updateOne({ _id: id }, { $inc: { n: 1 } }, { upsert: true });
      } catch (error) {
        // Two first bumps at once: one upsert creates the counter, the other finds it when it tries again.
        if (!isDuplicateKey(error)) throw error;
        await counters().updateOne({ _id: id }, { $inc: { n: 1 } });
      }
    }));
  }

  /** The counters of these agencies, as one comparable token. */
  async function read(organIds: string[]): Promise<string> {
    const found = await Promise.all(organIds.map((id) => counters().findOne({ _id: id })));
    return found.map((c, i) => `${organIds[i]}=${c?.n ?? 0}`).join(',');
  }

  return { bump, read };
}

export type ChangeCounters = ReturnType<typeof createChangeCounters>;
