// Service benchmark: verifications and exchange sends of a 1-page signed PDF at concurrency 16 against
// a running service (its own embedded FerretDB), measured with autocannon. Prints JSON rows.
const fs = require('node:fs');
const path = require('node:path');
const autocannon = require('autocannon');
const root = path.join(__dirname, '..', '..');
const dist = (m) => require(path.join(root, 'dist', m));

(async () => {
  const { startEmbeddedFerretDb } = dist('exchange');
  const { openService } = dist('compose');
  const { createValidationContext, TrustStore } = dist('validation');
  const { Pkcs12Signer } = dist('signers');
  const { signPdf, joinParts } = dist('signing');
  const pki = path.join(root, 'test', 'fixtures', 'pki');
  const dataDir = path.join(root, 'test', 'output', `bench-db-${process.pid}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  const db = await startEmbeddedFerretDb(path.join(root, '.cache', 'ferretdb', 'bin', 'ferretdb'), dataDir);
  const trust = new TrustStore();
  trust.add(fs.readFileSync(path.join(pki, 'root-ca.der')));
  const service = await openService({
    mongodbUri: db.uri, validation: createValidationContext({ trust, offline: true }), uploadLimitBytes: 100 * 1024 * 1024, signingSessionTtlSeconds: 600, // As the service does for its embedded database (src/main.ts).
    maxPoolSize: Number(process.env.KYSO_BENCH_POOL ?? 4),
  });
  await service.agencies.registerAgency({ organId: 'BENCH.A', name: 'A' });
  await service.agencies.registerAgency({ organId: 'BENCH.B', name: 'B' });
  const clerk = (await service.agencies.issueApiKey('BENCH.A', 'clerk')).apiKey;
  const signer = Pkcs12Signer.open({ data: fs.readFileSync(path.join(pki, 'seal-rsa.p12')), passphrase: fs.readFileSync(path.join(pki, 'p12-passphrase.txt'), 'utf8').trim() });
  const pdf = joinParts(await signPdf(fs.readFileSync(path.join(root, 'samples', 'cong-van.pdf')), signer));
  const server = await new Promise((resolve) => { const s = service.app.listen(0, '127.0.0.1', () => resolve(s)); });
  const url = `http://127.0.0.1:${server.address().port}`;
  const boundary = 'kysobench';
  let n = 0;
  const multipart = () => {
    n++;
    const meta = JSON.stringify({ to: ['BENCH.B'], codeNumber: String(n), codeNotation: 'BENCH', issuedDate: '2026-11-26', subject: 'bench' });
    return Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n${meta}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="b.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
      pdf, Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
  };
  const probe = await fetch(`${url}/v1/verifications`, { method: 'POST', headers: { Authorization: `Bearer ${clerk}`, 'Content-Type': 'application/pdf' }, body: pdf });
  if (probe.status !== 200) throw new Error(`probe failed: ${probe.status} ${await probe.text()}`);
  const run = (opts) => new Promise((resolve, reject) => autocannon({ connections: 16, duration: 10, ...opts, url: url + opts.path }, (e, r) => (e ? reject(e) : resolve(r))));
  const verify = await run({ method: 'POST', path: '/v1/verifications', headers: { Authorization: `Bearer ${clerk}`, 'Content-Type': 'application/pdf' }, body: pdf });
  const send = await run({
    method: 'POST', path: '/v1/exchanges',
    requests: [{ setupRequest: (req) => ({ ...req, path: '/v1/exchanges', headers: { Authorization: `Bearer ${clerk}`, 'Idempotency-Key': `bench-${process.pid}-${n + 1}-key`, 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body: multipart() }) }],
  });
  const row = (name, r, target) => ({ name, perSecond: r.requests.average, p99: r.latency.p99, errors: r.errors + r.non2xx, target });
  console.log(JSON.stringify([row('verifications of a 1-page signed PDF (req/s)', verify, '≥ 300/s, p99 < 250 ms'), row('exchange sends of a 1-page signed PDF (req/s)', send, '≥ 150/s, p99 < 250 ms')]));
  await new Promise((resolve) => server.close(resolve));
  await service.close();
  await db.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
