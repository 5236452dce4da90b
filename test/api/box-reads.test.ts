/**
 * Inboxes and outboxes are read in full once per change of the agency (the embedded database scans a
 * collection for any filter but _id): what is kept must never hide a change, also one made by another
 * service instance on the same database.
 */
import request from 'supertest';
import type { Service } from '../../src/compose';
import { bearer, openTestService, sealedSample, seedAgencies, testDatabaseUri } from '../helpers/service';

describe('inbox and outbox reads across changes and instances', () => {
  let one: Service;
  let two: Service;
  let keys: Record<string, Record<string, string>>;

  beforeAll(async () => {
    const uri = testDatabaseUri();
    one = await openTestService({ uri });
    two = await openTestService({ uri });
    keys = await seedAgencies(one, [{ organId: 'C.01', name: 'Sở Công Thương' }, { organId: 'C.02', name: 'Sở Giao thông Vận tải' }]);
  });
  afterAll(async () => {
    await one.close();
    await two.close();
  });

  const inbox = async (service: Service) => (await request(service.app).get('/v1/exchanges?box=inbox').set(bearer(keys['C.02'].receiver))).body as { total: number; counts: Record<string, number>; items: Array<{ codeNumber: string; recipients: Array<{ status: string }> }> };

  it('when another instance sends and moves a status, then the first instance\'s boxes show it at once', async () => {
    expect((await inbox(one)).total).toBe(0);
    const signed = await sealedSample();
    const sent = await request(two.app).post('/v1/exchanges').set(bearer(keys['C.01'].clerk)).set('Idempotency-Key', 'box-reads-0001')
      .attach('file', signed, 'cv.pdf').field('metadata', JSON.stringify({ to: ['C.02'], codeNumber: '31', codeNotation: 'SCT-VP', issuedDate: '2026-11-20', subject: 'V/v giá điện' }));
    expect(sent.status).toBe(201);
    const after = await inbox(one);
    expect([after.total, after.counts, after.items.map((e) => e.codeNumber)]).toEqual([1, { '01': 1 }, ['31']]);
    const moved = await request(two.app).post(`/v1/exchanges/${sent.body.exchangeId}/status`).set(bearer(keys['C.02'].receiver)).send({ status: '03' });
    expect(moved.status).toBe(200);
    const again = await inbox(one);
    expect([again.counts, again.items[0].recipients[0].status]).toEqual([{ '03': 1 }, '03']);
    const outbox = await request(one.app).get('/v1/exchanges?box=outbox&status=03&number=31/SCT-VP&q=gi%C3%A1').set(bearer(keys['C.01'].clerk));
    expect([outbox.body.total, outbox.body.items[0].recipients[0].status]).toEqual([1, '03']);
    const none = await request(one.app).get('/v1/exchanges?box=outbox&status=06').set(bearer(keys['C.01'].clerk));
    expect(none.body.total).toBe(0);
  });
});
