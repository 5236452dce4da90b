// Service benchmark: verifications and exchange sends of a 1-page signed PDF at concurrency 16 against
// a running service (its own embedded FerretDB), measured with autocannon. Prints JSON rows.
const fs = require('node:fs');
const path = require('node:path');
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
    maxPoolSize: Number(process.env.KYSO_BENCH_POOL ?? 5),
  });
  await service.agencies.registerAgency({ organId: 'BENCH.A', name: 'A' });
  await service.agencies.registerAgency({ organId: 'BENCH.B', name: 'B' });
  const clerk = (await service.agencies.issueApiKey('BENCH.A', 'clerk')).apiKey;
  const signer = Pkcs12Signer.open({ data: fs.readFileSync(path.join(pki, 'seal-rsa.p12')), passphrase: fs.readFileSync(path.join(pki, 'p12-passphrase.txt'), 'utf8').trim() });
  const pdf = joinParts(await signPdf(fs.readFileSync(path.join(root, 'samples', 'cong-van.pdf')), signer));
  const server = await new Promise((resolve) => { const s = service.app.listen(0, '127.0.0.1', () => resolve(s)); });
  const url = `http://127.0.0.1:${server.address().port}`;
  const probe = await fetch(`${url}/v1/verifications`, { method: 'POST', headers: { Authorization: `Bearer ${clerk}`, 'Content-Type': 'application/pdf' }, body: pdf });
  if (probe.status !== 200) throw new Error(`probe failed: ${probe.status} ${await probe.text()}`);
  // The load comes from another process, as it would against a deployed service.
  const pdfFile = path.join(dataDir, 'bench-signed.pdf');
  fs.writeFileSync(pdfFile, pdf);
  const { execFile } = require('node:child_process');
  const run = (mode) => new Promise((resolve, reject) => execFile(process.execPath, [path.join(__dirname, 'load.js'), url, clerk, pdfFile, mode], (e, out) => (e ? reject(e) : resolve(JSON.parse(out.trim().split('\n').pop())))));
  const verify = await run('verify');
  const send = await run('send');
  const row = (name, r, target) => ({ name, ...r, target });
  console.log(JSON.stringify([row('verifications of a 1-page signed PDF (req/s)', verify, '≥ 300/s, p99 < 250 ms'), row('exchange sends of a 1-page signed PDF (req/s)', send, '≥ 150/s, p99 < 250 ms')]));
  await new Promise((resolve) => server.close(resolve));
  await service.close();
  await db.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
