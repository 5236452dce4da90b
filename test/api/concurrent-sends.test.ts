import request from 'supertest';
import { Service } from '../../src/compose';
import { bearer, openTestService, sealedSample, seedAgencies } from '../helpers/service';

const metadata = (n: string) => JSON.stringify({ to: ['Q.02'], codeNumber: n, codeNotation: 'Q-VP', issuedDate: '2026-11-26', subject: 'V/v gửi đồng thời' });

/** Sends from concurrent requests are written together; each request must still get its own outcome. */
describe('concurrent sends (writes combined across requests)', () => {
  let service: Service;
  let keys: Record<string, Record<string, string>>;
  let signed: Buffer;

  beforeAll(async () => {
    service = await openTestService();
    keys = await seedAgencies(service, [{ organId: 'Q.01', name: 'Cơ quan gửi' }, { organId: 'Q.02', name: 'Cơ quan nhận' }]);
    signed = await sealedSample();
  });
  afterAll(() => service.close());

  const send = (key: string, n: string) => request(service.app).post('/v1/exchanges').set(bearer(keys['Q.01'].clerk)).set('Idempotency-Key', key)
    .attach('file', signed, 'cv.pdf').field('metadata', metadata(n));

  it('when twenty different documents are sent at once, then all twenty are accepted and each recipient entry exists', async () => {
    const results = await Promise.all([...Array(20)].map((_, i) => send(`many-${i}-abcdef`, String(100 + i))));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(results.map((r) => r.body.exchangeId)).size).toBe(20);
    const inbox = await request(service.app).get('/v1/exchanges?box=inbox&pageSize=200').set(bearer(keys['Q.02'].receiver));
    expect(inbox.body.total).toBe(20);
  });

  it('when the same Idempotency-Key arrives six times at once, then one exchange is created and every answer names it', async () => {
    const results = await Promise.all([...Array(6)].map(() => send('same-key-000001', '200')));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(new Set(results.map((r) => r.body.exchangeId)).size).toBe(1);
  });

  it('when one số/ký hiệu is sent under different keys at once, then one is accepted and the others get 409 DUPLICATE_DOCUMENT_NUMBER', async () => {
    const results = await Promise.all([...Array(5)].map((_, i) => send(`dup-number-${i}-abc`, '300')));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'DUPLICATE_DOCUMENT_NUMBER')).toBe(true);
  });
});
