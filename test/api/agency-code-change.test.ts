import request from 'supertest';
import { Service } from '../../src/compose';
import { bearer, openTestService, operatorKey, sealedSample, seedAgencies } from '../helpers/service';

const metadata = (to: string, n: string) => JSON.stringify({ to: [to], codeNumber: n, codeNotation: 'SNV-VP', issuedDate: '2026-11-26', subject: 'V/v sắp xếp tổ chức bộ máy' });

describe('an agency that moves to a new OrganId', () => {
  let service: Service;
  let keys: Record<string, Record<string, string>>;
  let signed: Buffer;
  let before: string;
  let operator: string;

  beforeAll(async () => {
    service = await openTestService();
    keys = await seedAgencies(service, [{ organId: 'H.01', name: 'Sở Nội vụ' }, { organId: 'H.02', name: 'Sở Tư pháp' }, { organId: 'H.09', name: 'Sở Y tế' }]);
    operator = await operatorKey(service);
    await service.users.createUser({ username: 'vanthu.h02', organId: 'H.02', role: 'clerk', password: 'mat-khau-van-thu-1' });
    signed = await sealedSample();
    const sent = await request(service.app).post('/v1/exchanges').set(bearer(keys['H.01'].clerk)).set('Idempotency-Key', 'code-change-0001')
      .attach('file', signed, 'cv.pdf').field('metadata', metadata('H.02', '1'));
    expect(sent.status).toBe(201);
    before = sent.body.exchangeId;
  });
  afterAll(() => service.close());

  it('when the operator gives H.02 the code H.22, then the old code is kept in its history with its validity period', async () => {
    const moved = await request(service.app).post('/v1/admin/agencies/H.02/code').set(bearer(operator)).send({ organId: 'H.22' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ organId: 'H.22', name: 'Sở Tư pháp', history: [{ organId: 'H.02', name: 'Sở Tư pháp' }] });
    expect(new Date(moved.body.history[0].validTo).getTime()).toBeGreaterThanOrEqual(new Date(moved.body.history[0].validFrom).getTime());
    const agencies = await request(service.app).get('/v1/agencies').set(bearer(keys['H.01'].clerk));
    expect(agencies.body.items.map((a: { organId: string }) => a.organId)).toEqual(['H.01', 'H.09', 'H.22']);
  });

  it('when a person of the moved agency signs in, then with the agency under its new code, and its admin lists them there', async () => {
    const login = await request(service.app).post('/v1/session').send({ username: 'vanthu.h02', password: 'mat-khau-van-thu-1' });
    expect([login.status, login.body.user.organId]).toEqual([201, 'H.22']);
    const cookie = String((login.headers['set-cookie'] as unknown as string[])[0]).split(';')[0];
    const session = await request(service.app).get('/v1/session').set('Cookie', cookie);
    expect(session.body.caller).toEqual({ organId: 'H.22', organName: 'Sở Tư pháp', role: 'clerk', organIds: ['H.22', 'H.02'] });
    const listed = await request(service.app).get('/v1/admin/users').set(bearer(keys['H.02'].admin));
    expect(listed.body.items.map((u: { username: string; organId: string }) => [u.username, u.organId])).toEqual([['vanthu.h02', 'H.22']]);
  });

  it('when an account was left under the old code, then its person still signs in to the agency', async () => {
    await service.accountModels.User.updateOne({ username: 'vanthu.h02' }, { $set: { organId: 'H.02' } });
    const login = await request(service.app).post('/v1/session').send({ username: 'vanthu.h02', password: 'mat-khau-van-thu-1' });
    const cookie = String((login.headers['set-cookie'] as unknown as string[])[0]).split(';')[0];
    const session = await request(service.app).get('/v1/session').set('Cookie', cookie);
    expect([login.status, session.body.caller.organId]).toEqual([201, 'H.22']);
    await service.accountModels.User.updateOne({ username: 'vanthu.h02' }, { $set: { organId: 'H.22' } });
  });

  it('when the moved agency uses its existing keys, then it still sees and handles what it received under the old code', async () => {
    const inbox = await request(service.app).get('/v1/exchanges?box=inbox').set(bearer(keys['H.02'].receiver));
    expect(inbox.status).toBe(200);
    expect(inbox.body.items.map((e: { exchangeId: string }) => e.exchangeId)).toEqual([before]);
    const accepted = await request(service.app).post(`/v1/exchanges/${before}/status`).set(bearer(keys['H.02'].receiver)).send({ status: '03' });
    expect(accepted.status).toBe(200);
    // The exchange itself keeps the code it was sent to.
    expect(accepted.body.recipients.map((r: { organId: string; status: string }) => [r.organId, r.status])).toEqual([['H.02', '03']]);
  });

  it('when a document is sent to the old code, then it reaches the agency under its new code', async () => {
    const sent = await request(service.app).post('/v1/exchanges').set(bearer(keys['H.01'].clerk)).set('Idempotency-Key', 'code-change-0002')
      .attach('file', signed, 'cv.pdf').field('metadata', metadata('H.02', '2'));
    expect(sent.status).toBe(201);
    expect(sent.body.recipients.map((r: { organId: string }) => r.organId)).toEqual(['H.22']);
    const inbox = await request(service.app).get('/v1/exchanges?box=inbox').set(bearer(keys['H.02'].receiver));
    expect(inbox.body.items).toHaveLength(2);
    // Other agencies still cannot read it.
    expect((await request(service.app).get(`/v1/exchanges/${sent.body.exchangeId}`).set(bearer(keys['H.09'].receiver))).status).toBe(404);
  });

  it('when an agency is registered right after a send to its code was refused, then a send one second later reaches it', async () => {
    const refused = await request(service.app).post('/v1/exchanges').set(bearer(keys['H.01'].clerk)).set('Idempotency-Key', 'code-change-0003')
      .attach('file', signed, 'cv.pdf').field('metadata', metadata('H.05', '3'));
    expect([refused.status, refused.body.code]).toEqual([422, 'AGENCY_UNKNOWN']);
    await service.agencies.registerAgency({ organId: 'H.05', name: 'Sở Xây dựng' });
    // Recipient lookups are reused for at most a second (every instance sees a new agency within it).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const sent = await request(service.app).post('/v1/exchanges').set(bearer(keys['H.01'].clerk)).set('Idempotency-Key', 'code-change-0004')
      .attach('file', signed, 'cv.pdf').field('metadata', metadata('H.05', '4'));
    expect([sent.status, sent.body.recipients?.map((r: { organId: string }) => r.organId)]).toEqual([201, ['H.05']]);
  });

  it('when the new code is taken, was used before, is malformed, or the agency is unknown, then a clear error', async () => {
    const admin = bearer(operator);
    const taken = await request(service.app).post('/v1/admin/agencies/H.09/code').set(admin).send({ organId: 'H.01' });
    expect([taken.status, taken.body.code]).toEqual([409, 'AGENCY_EXISTS']);
    const reused = await request(service.app).post('/v1/admin/agencies/H.09/code').set(admin).send({ organId: 'H.02' });
    expect([reused.status, reused.body.code]).toEqual([409, 'AGENCY_EXISTS']);
    const malformed = await request(service.app).post('/v1/admin/agencies/H.09/code').set(admin).send({ organId: 'h-9' });
    expect([malformed.status, malformed.body.code]).toEqual([400, 'INVALID_REQUEST']);
    const unknown = await request(service.app).post('/v1/admin/agencies/X.99/code').set(admin).send({ organId: 'X.98' });
    expect([unknown.status, unknown.body.code]).toEqual([422, 'AGENCY_UNKNOWN']);
    const notAdmin = await request(service.app).post('/v1/admin/agencies/H.09/code').set(bearer(keys['H.09'].clerk)).send({ organId: 'H.90' });
    expect(notAdmin.status).toBe(403);
    const ownAdmin = await request(service.app).post('/v1/admin/agencies/H.09/code').set(bearer(keys['H.09'].admin)).send({ organId: 'H.90' });
    expect([ownAdmin.status, ownAdmin.body.code]).toEqual([403, 'FORBIDDEN']);
  });
});
