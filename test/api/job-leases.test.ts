/**
 * Leases of periodic jobs in the shared database: of any number of instances that find a job due at once,
 * exactly one runs it per interval; a run still going keeps the next one from starting elsewhere; a crashed
 * holder's lease runs out.
 */
import mongoose from 'mongoose';
import { createJobLeases } from '../../src/jobs';
import { testDatabaseUri } from '../helpers/service';

describe('job leases in the shared database', () => {
  let connection: mongoose.Connection;
  beforeAll(async () => {
    connection = await mongoose.createConnection(testDatabaseUri()).asPromise();
  });
  afterAll(() => connection.close());

  it('when twenty claims from two instances race for one interval, then exactly one gets the run', async () => {
    const [a, b] = [createJobLeases(connection, 'instance-a'), createJobLeases(connection, 'instance-b')];
    const at = new Date('2026-11-30T10:00:00.100Z');
    const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).acquire('race', 60_000, 300_000, at)));
    expect(claims.filter(Boolean)).toEqual(['race:29933880']);
    const [run] = await a.history('race');
    expect([run._id, run.finishedAt]).toEqual(['race:29933880', null]);
  });

  it('when the next interval comes while the run goes on, then no other instance starts it; once finished, the next interval runs', async () => {
    const [a, b] = [createJobLeases(connection, 'instance-a'), createJobLeases(connection, 'instance-b')];
    const t0 = new Date('2026-11-30T11:00:00Z');
    const first = await a.acquire('long', 60_000, 300_000, t0);
    expect(first).toBe('long:29933940');
    expect(await b.acquire('long', 60_000, 300_000, new Date(t0.getTime() + 60_000))).toBeUndefined();
    await a.finish(first as string, new Date(t0.getTime() + 90_000));
    expect(await b.acquire('long', 60_000, 300_000, new Date(t0.getTime() + 120_000))).toBe('long:29933942');
  });

  it('when the holder dies mid-run, then its lease runs out and another instance runs the job', async () => {
    const [dead, alive] = [createJobLeases(connection, 'instance-dead'), createJobLeases(connection, 'instance-alive')];
    const t0 = new Date('2026-11-30T12:00:00Z');
    expect(await dead.acquire('crash', 60_000, 120_000, t0)).toBe('crash:29934000');
    expect(await alive.acquire('crash', 60_000, 120_000, new Date(t0.getTime() + 60_000))).toBeUndefined();
    expect(await alive.acquire('crash', 60_000, 120_000, new Date(t0.getTime() + 180_000))).toBe('crash:29934003');
  });
});
