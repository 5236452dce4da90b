/**
 * Leases for periodic jobs, in the database every instance shares. Time is cut into slots of the job's
 * interval; a run of a slot is a document whose `_id` is job and slot, so of all the instances that find
 * the job due, exactly one inserts it (the unique `_id` is the one guarantee both MongoDB and FerretDB give
 * without transactions; a conditional update is not atomic on FerretDB's SQLite backend). A run that is
 * still going (its lease not run out) keeps the next slot from starting in another instance; a holder that
 * dies stops extending its lease, and the job runs again at the next slot.
 */
import type { Connection } from 'mongoose';

interface RunDoc { _id: string; job: string; holder: string; startedAt: Date; until: Date; finishedAt: Date | null }

const KEEP_RUNS_MS = 7 * 86_400_000;

export function createJobLeases(connection: Connection, holder: string) {
  const runs = () => connection.db!.collection<RunDoc>('job_runs');

  /** Claims this slot's run of the job for `leaseMs`; false when another instance has it, or an earlier run still goes on. */
  async function acquire(job: string, intervalMs: number, leaseMs: number, now = new Date()): Promise<string | undefined> {
    const runId = `${job}:${Math.floor(now.getTime() / intervalMs)}`;
    try {
      await runs().insertOne({ _id: runId, job, holder, startedAt: now, until: new Date(now.getTime() + leaseMs), finishedAt: null });
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return undefined;
      throw error;
    }
    const earlier = await runs().findOne({ job, finishedAt: null, until: { $gt: now }, _id: { $ne: runId } });
    if (earlier) {
      await runs().updateOne({ _id: runId }, { $set: { finishedAt: now, skippedFor: earlier._id } });
      return undefined;
    }
    return runId;
  }

  /** The run is over; runs older than a week are forgotten. */
  async function finish(runId: string, now = new Date()): Promise<void> {
    await runs().updateOne({ _id: runId, holder }, { $set: { finishedAt: now } });
    await runs().deleteMany({ job: runId.slice(0, runId.lastIndexOf(':')), startedAt: { $lt: new Date(now.getTime() - KEEP_RUNS_MS) } });
  }

  /** The runs of a job, newest first (who ran it, when). */
  const history = (job: string) => runs().find({ job }).sort({ startedAt: -1 }).limit(100).toArray();

  return { acquire, finish, history, holder };
}

export type JobLeases = ReturnType<typeof createJobLeases>;
