/**
 * Trust boundaries between agencies: who may administer what (the whole matrix of operator, agency admin
 * and other roles), inbound documents that claim to come from a local agency, retired codes, what the
 * evidence package shows a recipient, reused Idempotency-Keys and implausible headers.
 */
import request from 'supertest';
import type { Service } from '../../src/compose';
import { sample } from '../helpers/fixtures';
import { bearer, openTestService, operatorKey, sealedSample, seedAgencies } from '../helpers/service';

const A = { organId: 'T.01', name: 'Sở Tài chính' };
const B = { organId: 'T.02', name: 'Sở Xây dựng' };
const C = { organId: 'T.03', name: 'Sở Giáo dục và Đào tạo' };
const EXTERNAL = { organId: 'X.99', organName: 'Bộ Ngoại giao (ngoài hệ thống)' };

const header = (n: string, extra: Record<string, unknown> = {}) => ({
  codeNumber: n, codeNotation: 'STC-VP', issuedDate: '2026-11-20', subject: 'V/v quyết toán ngân sách', ...extra,
});

describe('trust boundaries between agencies', () => {
  let service: Service;
  let keys: Record<string, Record<string, string>>;
  let operator: string;
  let signed: Buffer;

  beforeAll(async () => {
    service = await openTestService();
    keys = await seedAgencies(service, [A, B, C]);
    operator = await operatorKey(service);
    signed = await sealedSample();
  });
  afterAll(() => service.close());

  const send = (key: string, idem: string, body: Record<string, unknown>, file = signed) =>
    request(service.app).post('/v1/exchanges').set(bearer(key)).set('Idempotency-Key', idem).attach('file', file, 'cv.pdf').field('metadata', JSON.stringify(body));
  const inbound = (key: string, idem: string, body: Record<string, unknown>, file = signed) =>
    request(service.app).post('/v1/exchanges/inbound').set(bearer(key)).set('Idempotency-Key', idem).attach('file', file, 'den.pdf').field('metadata', JSON.stringify(body));

  describe('administration matrix', () => {
    it('when each role asks to register an agency, then only the operator may', async () => {
      const asks = async (key: string, organId: string) => (await request(service.app).post('/v1/admin/agencies').set(bearer(key)).send({ organId, name: 'Cơ quan mới' })).status;
      expect([await asks(keys[A.organId].admin, 'N.01'), await asks(keys[A.organId].clerk, 'N.02'), await asks(keys[A.organId].archivist, 'N.03'), await asks(operator, 'N.04')])
        .toEqual([403, 403, 403, 201]);
    });

    it('when an agency admin renames or re-codes any agency, its own included, then 403; the operator may', async () => {
      const rename = (key: string, organId: string) => request(service.app).post(`/v1/admin/agencies/${organId}/rename`).set(bearer(key)).send({ name: 'Tên khác' });
      const recode = (key: string, organId: string) => request(service.app).post(`/v1/admin/agencies/${organId}/code`).set(bearer(key)).send({ organId: 'Z.77' });
      expect([(await rename(keys[A.organId].admin, B.organId)).status, (await rename(keys[A.organId].admin, A.organId)).status]).toEqual([403, 403]);
      expect([(await recode(keys[A.organId].admin, B.organId)).status, (await recode(keys[A.organId].admin, A.organId)).status]).toEqual([403, 403]);
      const byOperator = await rename(operator, 'N.04');
      expect([byOperator.status, byOperator.body.name]).toEqual([200, 'Tên khác']);
    });

    it('when an agency admin issues keys, then only for its own agency and never the operator role', async () => {
      const issue = (key: string, organId: string, role: string) => request(service.app).post(`/v1/admin/agencies/${organId}/api-keys`).set(bearer(key)).send({ role });
      const own = await issue(keys[A.organId].admin, A.organId, 'receiver');
      expect([own.status, own.headers['cache-control']]).toEqual([201, 'no-store']);
      const other = await issue(keys[A.organId].admin, B.organId, 'receiver');
      expect([other.status, other.body.code]).toEqual([403, 'FORBIDDEN']);
      const escalate = await issue(keys[A.organId].admin, A.organId, 'operator');
      expect([escalate.status, escalate.body.code]).toEqual([400, 'INVALID_REQUEST']);
      const byClerk = await issue(keys[A.organId].clerk, A.organId, 'receiver');
      expect(byClerk.status).toBe(403);
      const byOperator = await issue(operator, B.organId, 'admin');
      expect(byOperator.status).toBe(201);
    });

    it('when an agency admin revokes or lists keys of another agency, then it is refused and the key keeps working', async () => {
      const victim = (await service.agencies.issueApiKey(B.organId, 'receiver')).apiKey;
      const victimId = victim.split('_')[1];
      const revoke = await request(service.app).delete(`/v1/admin/api-keys/${victimId}`).set(bearer(keys[A.organId].admin));
      expect([revoke.status, revoke.body.code]).toEqual([404, 'NOT_FOUND']);
      expect((await request(service.app).get('/v1/agencies').set(bearer(victim))).status).toBe(200);
      const list = await request(service.app).get(`/v1/admin/agencies/${B.organId}/api-keys`).set(bearer(keys[A.organId].admin));
      expect(list.status).toBe(403);
      const ownList = await request(service.app).get(`/v1/admin/agencies/${B.organId}/api-keys`).set(bearer(keys[B.organId].admin));
      expect(ownList.status).toBe(200);
      expect(ownList.body.items.some((k: { keyId: string; role: string }) => k.keyId === victimId && k.role === 'receiver')).toBe(true);
      expect(JSON.stringify(ownList.body)).not.toContain('secret');
      const byOwnAdmin = await request(service.app).delete(`/v1/admin/api-keys/${victimId}`).set(bearer(keys[B.organId].admin));
      expect(byOwnAdmin.status).toBe(204);
      expect((await request(service.app).get('/v1/agencies').set(bearer(victim))).status).toBe(401);
    });

    it('when an agency admin reads the audit trail, then it sees only its own agency; the operator sees any', async () => {
      const a = await request(service.app).get(`/v1/audit?organId=${B.organId}`).set(bearer(keys[A.organId].admin));
      expect(a.status).toBe(200);
      expect(a.body.items.length).toBeGreaterThan(0);
      expect([...new Set(a.body.items.map((e: { organId: string }) => e.organId))]).toEqual([A.organId]);
      const op = await request(service.app).get(`/v1/audit?organId=${B.organId}`).set(bearer(operator));
      expect([...new Set(op.body.items.map((e: { organId: string }) => e.organId))]).toEqual([B.organId]);
    });

    it('when the operator asks for an exchange or its document, then 404: it acts for no agency', async () => {
      const sent = await send(keys[A.organId].clerk, 'matrix-op-0001', { to: [B.organId], ...header('901') });
      expect(sent.status).toBe(201);
      expect((await request(service.app).get(`/v1/exchanges/${sent.body.exchangeId}`).set(bearer(operator))).status).toBe(404);
      expect((await request(service.app).get(`/v1/exchanges/${sent.body.exchangeId}/document`).set(bearer(operator))).status).toBe(404);
      expect((await request(service.app).get('/v1/exchanges?box=inbox').set(bearer(operator))).status).toBe(403);
    });
  });

  describe('inbound documents', () => {
    it('when an inbound document claims a local agency (current or earlier code) as its sender, then 422 and nothing is recorded', async () => {
      const forged = await inbound(keys[B.organId].receiver, 'forged-0001', { from: { organId: A.organId, organName: A.name }, ...header('77') });
      expect([forged.status, forged.body.code]).toEqual([422, 'INBOUND_SENDER_IS_LOCAL']);
      const outbox = await request(service.app).get('/v1/exchanges?box=outbox').set(bearer(keys[A.organId].clerk));
      expect(outbox.body.items.map((e: { codeNumber: string }) => e.codeNumber)).not.toContain('77');
      // A's own send of the same number is not blocked by the forged record.
      const real = await send(keys[A.organId].clerk, 'real-77-0001', { to: [B.organId], ...header('77') });
      expect(real.status).toBe(201);
      const moved = await request(service.app).post(`/v1/admin/agencies/${C.organId}/code`).set(bearer(operator)).send({ organId: 'T.33' });
      expect(moved.status).toBe(200);
      const oldCode = await inbound(keys[B.organId].receiver, 'forged-0002', { from: { organId: C.organId, organName: C.name }, ...header('78') });
      expect([oldCode.status, oldCode.body.code]).toEqual([422, 'INBOUND_SENDER_IS_LOCAL']);
    });

    it('when two local agencies receive the same external document, then each has its own record, in no outbox', async () => {
      const forB = await inbound(keys[B.organId].receiver, 'ext-0001', { from: EXTERNAL, ...header('5') });
      const forA = await inbound(keys[A.organId].receiver, 'ext-0001', { from: EXTERNAL, ...header('5') });
      expect([forB.status, forA.status]).toEqual([201, 201]);
      // The sender side of an inbound record belongs to nobody here: it cannot be recalled.
      const recall = await request(service.app).post(`/v1/exchanges/${forB.body.exchangeId}/recall`).set(bearer(keys[B.organId].clerk)).send({ reason: 'thử' });
      expect([recall.status, recall.body.code]).toEqual([403, 'FORBIDDEN']);
      const outbox = await request(service.app).get('/v1/exchanges?box=outbox').set(bearer(keys[B.organId].clerk));
      expect(outbox.body.items.map((e: { exchangeId: string }) => e.exchangeId)).not.toContain(forB.body.exchangeId);
    });

    it('when an inbound file is no PDF, then 422; when it is unsigned, then it is recorded and returned (02) with the reason', async () => {
      const notPdf = await inbound(keys[B.organId].receiver, 'ext-0002', { from: EXTERNAL, ...header('6') }, Buffer.from('GIF89a not a pdf at all'));
      expect([notPdf.status, notPdf.body.code]).toEqual([422, 'PDF_MALFORMED']);
      const unsigned = await inbound(keys[B.organId].receiver, 'ext-0003', { from: EXTERNAL, ...header('7') }, sample('cong-van.pdf'));
      expect(unsigned.status).toBe(201);
      const mine = unsigned.body.recipients[0];
      expect([mine.status, mine.history.map((h: { status: string }) => h.status)]).toEqual(['02', ['01', '02']]);
      expect(mine.history[1].reason).toContain('NO_SIGNATURE');
    });
  });

  it('when a retired code is registered again, then 409: it stays reserved for the agency that had it', async () => {
    const again = await request(service.app).post('/v1/admin/agencies').set(bearer(operator)).send({ organId: C.organId, name: 'Cơ quan mạo danh' });
    expect([again.status, again.body.code]).toEqual([409, 'AGENCY_EXISTS']);
  });

  it('when a recipient downloads the evidence package, then it sees its own history and events, not the other recipients\'', async () => {
    const sent = await send(keys[A.organId].clerk, 'evidence-0001', { to: [B.organId, 'T.33'], ...header('902') });
    expect(sent.status).toBe(201);
    const id = sent.body.exchangeId;
    const returned = await request(service.app).post(`/v1/exchanges/${id}/status`).set(bearer(keys['T.03'].receiver))
      .send({ status: '02', reason: 'Sai thể thức, đề nghị ban hành lại', staff: { name: 'Trần Thị Bình', position: 'Văn thư' } });
    expect(returned.status).toBe(200);
    const forB = await request(service.app).get(`/v1/exchanges/${id}/evidence`).set(bearer(keys[B.organId].archivist));
    expect(forB.status).toBe(200);
    expect(forB.headers['cache-control']).toBe('no-store');
    expect(forB.body.exchange.recipients.map((r: { organId: string }) => r.organId)).toEqual([B.organId]);
    const text = JSON.stringify(forB.body);
    expect([text.includes('Trần Thị Bình'), text.includes('Sai thể thức')]).toEqual([false, false]);
    expect(forB.body.auditEvents.every((e: { organId: string }) => [A.organId, B.organId].includes(e.organId))).toBe(true);
    expect(forB.body.auditEvents.filter((e: { organId: string; keyId: string | null }) => e.organId === A.organId && e.keyId !== null)).toEqual([]);
    const forSender = await request(service.app).get(`/v1/exchanges/${id}/evidence`).set(bearer(keys[A.organId].archivist));
    expect(forSender.body.exchange.recipients.map((r: { organId: string }) => r.organId).sort()).toEqual([B.organId, 'T.33']);
    expect(JSON.stringify(forSender.body)).toContain('Sai thể thức');
  });

  it('when an Idempotency-Key is sent again with another request, then 422 IDEMPOTENCY_KEY_REUSED; the same request replays', async () => {
    const first = await send(keys[A.organId].clerk, 'reuse-key-0001', { to: [B.organId], ...header('903') });
    const replay = await send(keys[A.organId].clerk, 'reuse-key-0001', { to: [B.organId], ...header('903') });
    expect([first.status, replay.status, replay.body.exchangeId]).toEqual([201, 200, first.body.exchangeId]);
    const other = await send(keys[A.organId].clerk, 'reuse-key-0001', { to: [B.organId], ...header('904') });
    expect([other.status, other.body.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    const inFirst = await inbound(keys[B.organId].receiver, 'reuse-key-0002', { from: EXTERNAL, ...header('8') });
    const inOther = await inbound(keys[B.organId].receiver, 'reuse-key-0002', { from: EXTERNAL, ...header('9') });
    expect([inFirst.status, inOther.status, inOther.body.code]).toEqual([201, 422, 'IDEMPOTENCY_KEY_REUSED']);
  });

  it('when a header is implausible, then 400 naming the field', async () => {
    const future = await send(keys[A.organId].clerk, 'plausible-0001', { to: [B.organId], ...header('905', { issuedDate: '2031-01-01' }) });
    expect([future.status, future.body.detail]).toEqual([400, 'invalid metadata: issuedDate: must be between 1945 and today']);
    const control = await send(keys[A.organId].clerk, 'plausible-0002', { to: [B.organId], ...header('9\u000706') });
    expect([control.status, control.body.detail]).toEqual([400, 'invalid metadata: codeNumber: must not contain control characters']);
    const self = await send(keys[A.organId].clerk, 'plausible-0003', { to: [A.organId], ...header('907') });
    expect([self.status, self.body.detail]).toEqual([400, 'an agency does not send a document to itself']);
    const stats = await request(service.app).get('/v1/statistics?from=not-a-date').set(bearer(keys[A.organId].archivist));
    expect([stats.status, stats.body.detail]).toEqual([400, 'from must be an ISO-8601 date or time']);
  });

  it('when a recipient accepts a recall, then it keeps the header and its history, but the document and re-verification answer 404', async () => {
    const sent = await send(keys[A.organId].clerk, 'recall-view-0001', { to: [B.organId], ...header('908') });
    const id = sent.body.exchangeId;
    expect((await request(service.app).post(`/v1/exchanges/${id}/recall`).set(bearer(keys[A.organId].clerk)).send({ reason: 'Ban hành nhầm' })).status).toBe(200);
    const accepted = await request(service.app).post(`/v1/exchanges/${id}/status`).set(bearer(keys[B.organId].receiver)).send({ status: '15' });
    expect(accepted.status).toBe(200);
    const seen = await request(service.app).get(`/v1/exchanges/${id}`).set(bearer(keys[B.organId].receiver));
    expect([seen.status, seen.body.recipients[0].history.map((h: { status: string }) => h.status)]).toEqual([200, ['01', '13', '15']]);
    const statuses = await Promise.all([
      request(service.app).get(`/v1/exchanges/${id}/document`).set(bearer(keys[B.organId].receiver)),
      request(service.app).post(`/v1/exchanges/${id}/verifications`).set(bearer(keys[B.organId].archivist)),
      request(service.app).get(`/v1/exchanges/${id}/document`).set(bearer(keys[A.organId].clerk)),
    ]);
    expect(statuses.map((r) => r.status)).toEqual([404, 404, 200]);
  });
});
