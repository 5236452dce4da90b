// Web application benchmark: the inbox's first load (HTML, scripts, styles, the session and the first page
// of data), warm, against a service whose database holds 10,000 exchanges (seeded here), and the size of
// the JavaScript the inbox ships (gzipped; pdf.js and its worker are separate chunks loaded only where a
// page is rendered). Prints JSON rows.
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { openBenchService, root } = require('./bench-service');

(async () => {
  const { seedDemoExchanges } = require(path.join(root, 'dist', 'exchange'));
  const bench = await openBenchService('web', { maxPoolSize: 5, webRoot: path.join(root, 'dist', 'web') });
  const { service } = bench;
  const base = bench.url;
  const pdf = bench.signedPdf;
  const agencies = [{ organId: 'W.01', name: 'Cơ quan W1', notation: 'W1' }, { organId: 'W.02', name: 'Cơ quan W2', notation: 'W2' }, { organId: 'W.03', name: 'Cơ quan W3', notation: 'W3' }];
  for (const a of agencies) await service.agencies.registerAgency(a);
  await service.users.createUser({ username: 'bench.w02', organId: 'W.02', role: 'receiver', password: 'bench-password-1' });
  const report = await service.validator.validate(pdf, { countPages: true });
  const seeded = await seedDemoExchanges({ models: service.models, documents: service.documents, audit: service.audit, changes: service.exchanges.changes, agencies, pdf, sha256: 'bench', report, count: 10_000 });
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
  await bench.close();
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
