/**
 * /metrics in the Prometheus text format: requests by route pattern and status, verifications by
 * indication, sends, deliveries waiting, database connections, jobs; served to the operator's key only.
 */
import request from 'supertest';
import { Service } from '../../src/compose';
import { bearer, openTestService, operatorKey, sealedSample, seedAgencies } from '../helpers/service';

describe('service metrics', () => {
  let service: Service;
  let keys: Record<string, Record<string, string>>;
  beforeAll(async () => {
    service = await openTestService();
    keys = await seedAgencies(service, [{ organId: 'M.01', name: 'Cơ quan M1' }, { organId: 'M.02', name: 'Cơ quan M2' }]);
  });
  afterAll(() => service.close());

  it('when documents are verified and sent, then /metrics counts them by route, status and indication for the operator, and refuses anyone else', async () => {
    const signed = await sealedSample();
    const verified = await request(service.app).post('/v1/verifications').set(bearer(keys['M.01'].receiver)).set('Content-Type', 'application/pdf').send(signed);
    expect(verified.body.indication).toBe('INDETERMINATE');
    const sent = await request(service.app).post('/v1/exchanges').set(bearer(keys['M.01'].clerk)).set('Idempotency-Key', 'metrics-send-1')
      .attach('file', signed, 'cv.pdf').field('metadata', JSON.stringify({ to: ['M.02'], codeNumber: '1', codeNotation: 'M-VP', issuedDate: '2026-11-27', subject: 'V/v số liệu' }));
    expect(sent.status).toBe(201);
    await request(service.app).get(`/v1/exchanges/${sent.body.exchangeId}`).set(bearer(keys['M.02'].receiver));
    await request(service.app).get('/v1/no-such-route').set(bearer(keys['M.02'].receiver));

    const operator = await operatorKey(service);
    const expected = [
      'kyso_http_requests_total{route="/v1/verifications",method="POST",status="200"} 1',
      'kyso_http_requests_total{route="/v1/exchanges",method="POST",status="201"} 1',
      'kyso_http_requests_total{route="/v1/exchanges/:id",method="GET",status="200"} 1',
      'kyso_http_requests_total{route="unmatched",method="GET",status="404"} 1',
      'kyso_http_request_duration_seconds_count{route="/v1/verifications",method="POST",status="200"} 1',
      // The sent document is verified too (the receiver's copy shares the sender's report).
      'kyso_verifications_total{indication="INDETERMINATE"} 2',
      'kyso_exchanges_sent_total 1',
      'kyso_deliveries_waiting 0',
      'kyso_db_connections_in_use 0',
    ];
    // The gauges are the moment's: the send's own follow-up writes may still hold a connection for a few
    // milliseconds on a loaded machine, so the scrape is repeated (up to 5 s) until every line is there.
    let res = await request(service.app).get('/metrics').set(bearer(operator));
    for (let tries = 0; tries < 50 && !expected.every((line) => res.text.split('\n').includes(line)); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      res = await request(service.app).get('/metrics').set(bearer(operator));
    }
    expect([res.status, res.headers['content-type']]).toEqual([200, 'text/plain; version=0.0.4; charset=utf-8']);
    const lines = res.text.split('\n');
    expect(lines.filter((line) => line.startsWith('kyso_') && expected.some((e) => e.split(' ')[0] === line.split(' ')[0]))).toEqual(expect.arrayContaining(expected));
    expect(expected.filter((line) => !lines.includes(line))).toEqual([]);
    expect(lines.some((l) => /^kyso_job_runs_total\{job="orphan-sweep",outcome="ok"\} 1$/.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith('kyso_process_resident_memory_bytes '))).toBe(true);
    // An agency's keys, even its admin's, do not see the service's metrics.
    expect((await request(service.app).get('/metrics').set(bearer(keys['M.01'].admin))).status).toBe(403);
    expect((await request(service.app).get('/metrics')).status).toBe(401);
  });
});
