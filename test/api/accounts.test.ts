/**
 * People's accounts beside the API keys: an agency admin manages its own users, passwords are hashed with
 * scrypt, a session cookie (HttpOnly, SameSite=Strict) with a CSRF token for every change, growing delays
 * and a lock after wrong passwords, logout and disabling end sessions, and actions are audited by name.
 */
import request from 'supertest';
import type { Service } from '../../src/compose';
import { sample } from '../helpers/fixtures';
import { bearer, openTestService, operatorKey, seedAgencies } from '../helpers/service';

const A = { organId: 'P.01', name: 'Sở Tư pháp tỉnh Thử Nghiệm' };
const B = { organId: 'P.02', name: 'Sở Y tế tỉnh Thử Nghiệm' };

describe('people in the browser', () => {
  let service: Service;
  let keys: Record<string, Record<string, string>>;

  beforeAll(async () => {
    service = await openTestService();
    keys = await seedAgencies(service, [A, B]);
  });
  afterAll(() => service.close());

  const login = (username: string, password: string) => request(service.app).post('/v1/session').send({ username, password });
  const cookieOf = (res: request.Response): string => String((res.headers['set-cookie'] as unknown as string[])[0]).split(';')[0];

  it('when an agency admin creates a user, then only in its own agency, with the password hashed by scrypt', async () => {
    const created = await request(service.app).post('/v1/admin/users').set(bearer(keys[A.organId].admin))
      .send({ username: 'vanthu.p01', role: 'clerk', fullName: 'Nguyễn Thị Văn Thư', password: 'mat-khau-rat-dai-1' });
    expect([created.status, created.body.user.username, created.body.user.organId, created.headers['cache-control']]).toEqual([201, 'vanthu.p01', A.organId, 'no-store']);
    const stored = await service.accountModels.User.findOne({ username: 'vanthu.p01' }).lean();
    expect(stored?.passwordHash.startsWith('scrypt$32768$8$1$')).toBe(true);
    expect(stored?.passwordHash).not.toContain('mat-khau-rat-dai-1');
    const elsewhere = await request(service.app).post('/v1/admin/users').set(bearer(keys[A.organId].admin)).send({ username: 'x.p02', role: 'clerk', organId: B.organId });
    expect([elsewhere.status, elsewhere.body.code]).toEqual([403, 'FORBIDDEN']);
    const generated = await request(service.app).post('/v1/admin/users').set(bearer(keys[A.organId].admin)).send({ username: 'luutru.p01', role: 'archivist' });
    expect(generated.body.password).toMatch(/^[A-Za-z0-9]{4}(-[A-Za-z0-9]{4}){3}$/);
    const list = await request(service.app).get('/v1/admin/users').set(bearer(keys[B.organId].admin));
    expect(list.body.items).toEqual([]);
  });

  it('when the user signs in, then an HttpOnly SameSite=Strict cookie opens a session that reads with the agency\'s rights', async () => {
    const res = await login('vanthu.p01', 'mat-khau-rat-dai-1');
    expect(res.status).toBe(201);
    const cookie = String((res.headers['set-cookie'] as unknown as string[])[0]);
    expect(cookie).toMatch(/^kyso_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    const session = await request(service.app).get('/v1/session').set('Cookie', cookieOf(res));
    expect([session.status, session.body.user.username, session.body.csrfToken, session.body.caller.organId]).toEqual([200, 'vanthu.p01', res.body.csrfToken, A.organId]);
    const outbox = await request(service.app).get('/v1/exchanges?box=outbox').set('Cookie', cookieOf(res));
    expect(outbox.status).toBe(200);
  });

  it('when a change comes with the session cookie but without its CSRF token, then 403; with it, the change is made under the user\'s name', async () => {
    const res = await login('vanthu.p01', 'mat-khau-rat-dai-1');
    const cookie = cookieOf(res);
    const forged = await request(service.app).post('/v1/verifications').set('Cookie', cookie).set('Content-Type', 'application/pdf').send(Buffer.from('%PDF-1.7\n'));
    expect([forged.status, forged.body.code]).toEqual([403, 'CSRF_TOKEN_INVALID']);
    const wrong = await request(service.app).delete('/v1/session').set('Cookie', cookie).set('X-CSRF-Token', 'x'.repeat(32));
    expect([wrong.status, wrong.body.code]).toEqual([403, 'CSRF_TOKEN_INVALID']);
    const verified = await request(service.app).post('/v1/verifications').set('Cookie', cookie).set('X-CSRF-Token', res.body.csrfToken)
      .set('Content-Type', 'application/pdf').send(sample('cong-van.pdf'));
    expect([verified.status, verified.body.indication]).toEqual([200, 'NO_SIGNATURE']);
    const verifiedEvent = (await service.audit.list({ organId: A.organId }, 10_000)).filter((e) => e.type === 'document.verified').pop();
    expect(verifiedEvent?.keyId).toBe('user:vanthu.p01');
    const events = await service.audit.list({ subject: 'vanthu.p01' });
    expect(events.map((e) => [e.type, e.keyId])).toContainEqual(['user.logged-in', 'user:vanthu.p01']);
  });

  it('when the user signs out, then the cookie is cleared and the session no longer works', async () => {
    const res = await login('vanthu.p01', 'mat-khau-rat-dai-1');
    const out = await request(service.app).delete('/v1/session').set('Cookie', cookieOf(res)).set('X-CSRF-Token', res.body.csrfToken);
    expect([out.status, String((out.headers['set-cookie'] as unknown as string[])[0])]).toEqual([204, 'kyso_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0']);
    const after = await request(service.app).get('/v1/session').set('Cookie', cookieOf(res));
    expect([after.status, after.body.code]).toEqual([401, 'SESSION_ENDED']);
  });

  it('when a password is wrong five times, then each answer comes later and the account is locked (423), even for the right password', async () => {
    await request(service.app).post('/v1/admin/users').set(bearer(keys[A.organId].admin)).send({ username: 'lanhdao.p01', role: 'signer', password: 'mat-khau-lanh-dao-1' });
    const took: number[] = [];
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      const res = await login('lanhdao.p01', `sai-mat-khau-${i}`);
      took.push(Date.now() - started);
      codes.push(`${res.status} ${res.body.code}`);
    }
    expect(codes).toEqual(['401 LOGIN_FAILED', '401 LOGIN_FAILED', '401 LOGIN_FAILED', '401 LOGIN_FAILED', '423 ACCOUNT_LOCKED']);
    // 250, 500, 1000, 2000 and 4000 ms at least: each wrong password waits twice as long as the one before.
    expect(took.map((ms, i) => ms >= 250 * 2 ** i)).toEqual([true, true, true, true, true]);
    const right = await login('lanhdao.p01', 'mat-khau-lanh-dao-1');
    expect([right.status, right.body.code]).toEqual([423, 'ACCOUNT_LOCKED']);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(14 * 60);
    // The admin's reset lifts the lock.
    const reset = await request(service.app).post('/v1/admin/users/lanhdao.p01/password').set(bearer(keys[A.organId].admin)).send({ password: 'mat-khau-moi-rat-dai' });
    expect(reset.body.user.locked).toBe(false);
    expect((await login('lanhdao.p01', 'mat-khau-moi-rat-dai')).status).toBe(201);
  }, 30_000);

  it('when an admin disables a user, then its sessions end and it cannot sign in; another agency\'s admin cannot touch it', async () => {
    const res = await login('luutru.p01', (await request(service.app).post('/v1/admin/users/luutru.p01/password').set(bearer(keys[A.organId].admin)).send({})).body.password);
    expect(res.status).toBe(201);
    const foreign = await request(service.app).post('/v1/admin/users/luutru.p01/disable').set(bearer(keys[B.organId].admin));
    expect(foreign.status).toBe(404);
    const disabled = await request(service.app).post('/v1/admin/users/luutru.p01/disable').set(bearer(keys[A.organId].admin));
    expect([disabled.status, disabled.body.disabled]).toEqual([200, true]);
    expect((await request(service.app).get('/v1/session').set('Cookie', cookieOf(res))).status).toBe(401);
  });

  it('when the operator signs in with its key, then its session acts as the operator, reads no exchange, and the key never reaches the database or the audit', async () => {
    const key = await operatorKey(service);
    const res = await request(service.app).post('/v1/session').send({ operatorKey: key });
    expect([res.status, res.headers['cache-control'], Object.keys(res.body)]).toEqual([201, 'no-store', ['csrfToken']]);
    const cookie = cookieOf(res);
    const session = await request(service.app).get('/v1/session').set('Cookie', cookie);
    expect([session.status, session.body.user, session.body.caller, session.body.csrfToken]).toEqual([200, undefined, { organId: '', organName: 'Kyso operator', role: 'operator', organIds: [] }, res.body.csrfToken]);
    // The operator's rights, with the session's CSRF token for changes; no agency's exchanges.
    const registered = await request(service.app).post('/v1/admin/agencies').set('Cookie', cookie).set('X-CSRF-Token', res.body.csrfToken).send({ organId: 'P.03', name: 'Sở Xây dựng tỉnh Thử Nghiệm' });
    expect([registered.status, registered.body.organId]).toEqual([201, 'P.03']);
    const forged = await request(service.app).post('/v1/admin/agencies').set('Cookie', cookie).send({ organId: 'P.04', name: 'Giả mạo' });
    expect([forged.status, forged.body.code]).toEqual([403, 'CSRF_TOKEN_INVALID']);
    const users = await request(service.app).get(`/v1/admin/users?organId=${A.organId}`).set('Cookie', cookie);
    expect([users.status, users.body.items.map((u: { username: string }) => u.username)]).toEqual([200, ['lanhdao.p01', 'luutru.p01', 'vanthu.p01']]);
    const exchanges = await request(service.app).get('/v1/exchanges?box=inbox').set('Cookie', cookie);
    expect(exchanges.status).toBe(403);
    // The secret is all after the key id (base64url: it may hold '_' itself).
    const secret = key.split('_').slice(2).join('_');
    expect(secret.length).toBeGreaterThanOrEqual(20);
    const stored = JSON.stringify(await service.accountModels.Session.find({}).lean()) + JSON.stringify(await service.audit.list({}, 10_000));
    expect(stored.includes(secret)).toBe(false);
    const events = (await service.audit.list({}, 10_000)).filter((e) => e.type.startsWith('operator.')).map((e) => e.type);
    expect(events).toEqual(['operator.logged-in']);
  });

  it('when a wrong key or an agency\'s key is given as the operator key, then LOGIN_FAILED; when the operator key is revoked, then its session ends', async () => {
    const wrong = await request(service.app).post('/v1/session').send({ operatorKey: 'kyso_0123456789abcdef_' + 'x'.repeat(43) });
    expect([wrong.status, wrong.body.code, wrong.headers['set-cookie']]).toEqual([401, 'LOGIN_FAILED', undefined]);
    const agencyKey = await request(service.app).post('/v1/session').send({ operatorKey: keys[A.organId].admin });
    expect([agencyKey.status, agencyKey.body.code]).toEqual([401, 'LOGIN_FAILED']);
    const first = await operatorKey(service);
    const res = await request(service.app).post('/v1/session').send({ operatorKey: first });
    const cookie = cookieOf(res);
    const second = await service.agencies.issueOperatorKey();
    const firstId = first.split('_')[1];
    const revoked = await request(service.app).delete(`/v1/admin/api-keys/${firstId}`).set(bearer(second.apiKey));
    expect(revoked.status).toBe(204);
    const after = await request(service.app).get('/v1/session').set('Cookie', cookie);
    expect([after.status, after.body.code]).toEqual([401, 'SESSION_ENDED']);
    const failed = (await service.audit.list({}, 10_000)).filter((e) => e.type === 'operator.login-failed').map((e) => e.subject);
    expect(failed).toEqual(['operator key', keys[A.organId].admin.split('_')[1]]);
  });
});
