import mongoose from 'mongoose';
import { createAuditLog } from '../../src/audit';
import { testDatabaseUri } from '../helpers/service';

describe('the audit trail', () => {
  const connection = mongoose.createConnection(testDatabaseUri());
  const audit = createAuditLog(connection);
  beforeAll(async () => {
    await connection.asPromise();
    await audit.Model.syncIndexes();
  });
  afterAll(async () => {
    await connection.close().catch(() => undefined);
  });

  it('when many events are appended at once, then they form one gap-free hash chain', async () => {
    await Promise.all(Array.from({ length: 60 }, (_, i) => audit.append({ type: 'document.verified', subject: `doc-${i}`, details: { i } })));
    const result = await audit.verify();
    expect(result).toEqual({ intact: true, events: 60, chains: 1, brokenAt: null });
  });

  it('when a second writer (another process) appends to the same trail, then each keeps its own intact chain', async () => {
    const other = createAuditLog(connection.useDb(connection.name, { useCache: false }));
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => audit.append({ type: 'exchange.read', subject: `a-${i}` })),
      ...Array.from({ length: 10 }, (_, i) => other.append({ type: 'exchange.read', subject: `b-${i}` })),
    ]);
    expect(await audit.verify()).toEqual({ intact: true, events: 80, chains: 2, brokenAt: null });
    expect(new Set((await other.Model.find({ subject: /^b-/ }).lean()).map((e) => e.chain)).size).toBe(1);
  });

  it('when a stored event is edited, then verification names the broken sequence number', async () => {
    const [first] = await audit.Model.find({ subject: 'doc-0' }).lean();
    await audit.Model.updateOne({ chain: first.chain, seq: 30 }, { $set: { 'details.i': 999 } });
    const result = await audit.verify();
    expect(result.intact).toBe(false);
    expect(result.brokenAt).toBe(30);
    expect(result.brokenChain).toBe(first.chain);
  });

  it('when an event is deleted from the middle of a chain, then verification names where the chain breaks', async () => {
    const [first] = await audit.Model.find({ subject: 'doc-0' }).lean();
    await audit.Model.deleteOne({ chain: first.chain, seq: 5 });
    const result = await audit.verify();
    expect(result.intact).toBe(false);
    expect(result.brokenAt).toBe(6);
  });
});
