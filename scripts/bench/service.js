// Service benchmark: verifications and exchange sends of a 1-page signed PDF at concurrency 16 against
// a running service (its own embedded FerretDB), measured with autocannon. Prints JSON rows.
const fs = require('node:fs');
const path = require('node:path');
const { openBenchService, root } = require('./bench-service');
/** A TypeScript helper of the tests, compiled on the fly (the bench and the tests share one bomb builder). */
const loadTestHelper = (name) => {
  const ts = require('typescript');
  const file = path.join(root, 'test', 'helpers', `${name}.ts`);
  const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const m = { exports: {} };
  new Function('module', 'exports', 'require', js)(m, m.exports, require);
  return m.exports;
};

(async () => {
  // As the service does for its embedded database (src/main.ts): few connections.
  const bench = await openBenchService('db', { maxPoolSize: Number(process.env.KYSO_BENCH_POOL ?? 5) });
  const { service, dataDir, url } = bench;
  const pdf = bench.signedPdf;
  await service.agencies.registerAgency({ organId: 'BENCH.A', name: 'A' });
  await service.agencies.registerAgency({ organId: 'BENCH.B', name: 'B' });
  const clerk = (await service.agencies.issueApiKey('BENCH.A', 'clerk')).apiKey;
  // The bombs come from another agency, as an attack would.
  const attacker = (await service.agencies.issueApiKey('BENCH.B', 'receiver')).apiKey;
  const probe = await fetch(`${url}/v1/verifications`, { method: 'POST', headers: { Authorization: `Bearer ${clerk}`, 'Content-Type': 'application/pdf' }, body: pdf });
  if (probe.status !== 200) throw new Error(`probe failed: ${probe.status} ${await probe.text()}`);
  // The load comes from another process, as it would against a deployed service.
  const pdfFile = path.join(dataDir, 'bench-signed.pdf');
  fs.writeFileSync(pdfFile, pdf);
  const { execFile } = require('node:child_process');
  // The compression bomb of the tests (200 object streams of 4 MiB each, ~0.8 MB on disk).
  const bombFile = path.join(dataDir, 'bench-bomb.pdf');
  fs.writeFileSync(bombFile, loadTestHelper('compression-bomb').buildObjectStreamPdf({ streams: 200, decodedEach: 4 << 20 }));
  const run = (mode, seconds = 10) => new Promise((resolve, reject) => execFile(process.execPath, [path.join(__dirname, 'load.js'), url, clerk, pdfFile, mode, bombFile, attacker], { env: { ...process.env, KYSO_BENCH_SECONDS: String(seconds) } }, (e, out) => (e ? reject(e) : resolve(JSON.parse(out.trim().split('\n').pop())))));
  const verify = await run('verify');
  const underBomb = await run('verify-bomb');
  // Two warm-up runs of sends (printed, not counted: V8 compiles the send path — mongoose, the driver,
  // express, multer — over the first 20–25 s of load, its compiler threads using most of a core at first),
  // then three consecutive send runs (the target must hold in each), then where a send spent its time, as
  // the service's own /metrics reports it (mean per send, in ms).
  const warmUps = [await run('send'), await run('send')];
  const sends = [await run('send'), await run('send'), await run('send')];
  const operator = (await service.agencies.issueOperatorKey()).apiKey;
  const metrics = await (await fetch(`${url}/metrics`, { headers: { Authorization: `Bearer ${operator}` } })).text();
  const value = (name) => Number(new RegExp(`^${name.replace(/[{}"/.]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
  const meanMs = (base, labels) => (value(`${base}_sum{${labels}}`) / value(`${base}_count{${labels}}`)) * 1000;
  const phases = ['lookup', 'validate', 'store', 'exchange', 'recipients'];
  const breakdown = Object.fromEntries(phases.map((p) => [p, Number(meanMs('kyso_send_phase_seconds', `phase="${p}"`).toFixed(2))]));
  breakdown.request = Number(meanMs('kyso_http_request_duration_seconds', 'route="/v1/exchanges",method="POST",status="201"').toFixed(2));
  breakdown['upload + http'] = Number((breakdown.request - phases.reduce((s, p) => s + breakdown[p], 0)).toFixed(2));
  const row = (name, r, target) => ({ name, ...r, target });
  console.log(JSON.stringify([
    row('verifications of a 1-page signed PDF (req/s)', verify, '≥ 300/s, p99 < 250 ms'),
    row(`verifications while 2 clients send bombs (${underBomb.bombs.sent} sent: ${underBomb.bombs.refused} refused 422, ${underBomb.bombs.braked} braked 429) (req/s)`, underBomb, `p99 ≤ 1.5× the run above (${Math.round(verify.p99 * 1.5)} ms)`),
    ...warmUps.map((send, i) => row(`exchange sends, warm-up ${i + 1} of 2 before the runs below (not counted) (req/s)`, send, '—')),
    ...sends.map((send, i) => row(`exchange sends of a 1-page signed PDF, run ${i + 1} of 3 (req/s)`, send, '≥ 150/s, p99 < 250 ms')),
    { name: 'a send, mean ms per phase (from /metrics)', ...breakdown },
  ]));
  await bench.close();
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
