// Web application benchmark: the inbox's first load (HTML, scripts, styles, the session and the first page
// of data), warm, against a service whose database holds 10,000 exchanges (seeded here), and the size of
// the JavaScript the inbox ships (gzipped; pdf.js and its worker are separate chunks loaded only where a
// page is rendered). Prints JSON rows.
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const root = path.join(__dirname, '..', '..');
const dist = (m) => require(path.join(root, 'dist', m));

(async () => {
  const { startEmbeddedFerretDb, seedDemoExchanges } = dist('exchange');
  const { openService } = dist('compose');
  const { createValidationContext, TrustStore } = dist('validation');
  const { Pkcs12Signer } = dist('signers');
  const { signPdf, joinParts } = dist('signing');
  const pki = path.join(root, 'test', 'fixtures', 'pki');
  const dataDir = path.join(root, 'test', 'output', `bench-web-${process.pid}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  const db = await startEmbeddedFerretDb(path.join(root, '.cache', 'ferretdb', 'bin', 'ferretdb'), dataDir);
  const trust = new TrustStore();
  trust.add(fs.readFileSync(path.join(pki, 'root-ca.der')));
  const service = await openService({
    mongodbUri: db.uri, validation: createValidationContext({ trust, offline: true }), uploadLimitBytes: 100 * 1024 * 1024, signingSessionTtlSeconds: 600,
    maxPoolSize: 5, webRoot: path.join(root, 'dist', 'web'),
  });
  const agencies = [{ organId: 'W.01', name: 'Cơ quan W1', notation: 'W1' }, { organId: 'W.02', name: 'Cơ quan W2', notation: 'W2' }, { organId: 'W.03', name: 'Cơ quan W3', notation: 'W3' }];
  for (const a of agencies) await service.agencies.registerAgency(a);
  await service.users.createUser({ username: 'bench.w02', organId: 'W.02', role: 'receiver', password: 'bench-password-1' });
  const signer = Pkcs12Signer.open({ data: fs.readFileSync(path.join(pki, 'seal-rsa.p12')), passphrase: fs.readFileSync(path.join(pki, 'p12-passphrase.txt'), 'utf8').trim() });
  const pdf = joinParts(await signPdf(fs.readFileSync(path.join(root, 'samples', 'cong-van.pdf')), signer));
  const report = await service.validator.validate(pdf, { countPages: true });
  const seeded = await seedDemoExchanges({ models: service.models, documents: service.documents, audit: service.audit, changes: service.exchanges.changes, agencies, pdf, sha256: 'bench', report, count: 10_000 });
  const server = await new Promise((resolve) => { const s = service.app.listen(0, '127.0.0.1', () => resolve(s)); });
  const base = `http://127.0.0.1:${server.address().port}`;
  const login = await fetch(`${base}/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'bench.w02', password: 'bench-password-1' }) });
  const cookie = login.headers.get('set-cookie').split(';')[0];
  // What the browser fetches for the inbox: the page, its script and style, the session, the first page of data.
  const html = await (await fetch(`${base}/inbox`)).text();
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  const firstLoad = async () => {
    const started = process.hrtime.bigint();
    await (await fetch(`${base}/inbox`)).text();
    await Promise.all([
      ...assets.map(async (a) => (await fetch(`${base}${a}`)).arrayBuffer()),
      fetch(`${base}/v1/session`, { headers: { cookie } }).then((r) => r.json()),
      fetch(`${base}/v1/exchanges?box=inbox&page=1&pageSize=20`, { headers: { cookie } }).then((r) => r.json()),
    ]);
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  await firstLoad();
  const times = [];
  for (let i = 0; i < 5; i++) times.push(await firstLoad());
  times.sort((a, b) => a - b);
  const scripts = assets.filter((a) => a.endsWith('.js'));
  const gzipped = scripts.reduce((n, a) => n + zlib.gzipSync(fs.readFileSync(path.join(root, 'dist', 'web', a))).length, 0);
  console.log(JSON.stringify([
    { name: `inbox first load, warm, ${seeded} exchanges in the database (ms, median of 5)`, value: times[2], target: '< 1000 ms' },
    { name: 'JavaScript shipped to the inbox (KB gzipped; pdf.js loaded only where a page is rendered)', value: gzipped / 1024, target: '≤ 300 KB' },
  ]));
  await new Promise((resolve) => server.close(resolve));
  await service.close();
  await db.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
