// Exchange sends through one service instance and through two, side by side, as production runs them: the
// embedded FerretDB as its own process (`node dist/main.js database`) and Kyso processes sharing it. The
// load (16 connections in all) is split evenly over the instances. Prints one JSON array of rows.
const fs = require('node:fs');
const path = require('node:path');
const { execFile, spawn } = require('node:child_process');
const { root, SERVICE_NODE_FLAGS } = require('./bench-service');

const dir = path.join(root, 'test', 'output', `bench-instances-${process.pid}`);
const main = path.join(root, 'dist', 'main.js');

function start(args, env, pattern) {
  const merged = { ...process.env, LOG_LEVEL: 'warn', ...env };
  if (!env.MONGODB_URI) delete merged.MONGODB_URI; // the database process makes its own
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, main, ...args], { env: merged, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const look = (c) => {
      out += c.toString();
      const m = pattern.exec(out);
      if (m) resolve({ child, value: m[1], output: () => out });
    };
    child.stdout.on('data', look);
    child.stderr.on('data', (c) => (out += c.toString()));
    child.once('exit', (code) => reject(new Error(`${args.join(' ') || 'service'} exited (${code}): ${out}`)));
  });
}

const stop = (child) => new Promise((resolve) => {
  if (child.exitCode !== null) return resolve();
  child.once('exit', resolve);
  child.kill('SIGTERM');
});

async function call(base, key, method, url, body) {
  const res = await fetch(`${base}${url}`, { method, headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

const load = (url, key, pdfFile, connections) => new Promise((resolve, reject) => execFile(process.execPath, [path.join(__dirname, 'load.js'), url, key, pdfFile, 'send'], { env: { ...process.env, KYSO_BENCH_CONNECTIONS: String(connections) } }, (e, out) => (e ? reject(e) : resolve(JSON.parse(out.trim().split('\n').pop())))));

(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const env = { KYSO_DATA_DIR: path.join(dir, 'db') };
  const db = await start(['database'], env, /MONGODB_URI=(\S+)/);
  const services = [];
  const rows = [];
  try {
    const pdfFile = path.join(dir, 'signed.pdf');
    const { openBenchService } = require('./bench-service');
    // Only for its signed sample: the sealed công văn the other benchmarks send.
    const sampleService = await openBenchService('instances-sample');
    fs.writeFileSync(pdfFile, sampleService.signedPdf);
    await sampleService.close();
    for (const count of [1, 2]) {
      while (services.length < count) {
        const n = services.length + 1;
        const s = await start([], { PORT: '0', HOST: '127.0.0.1', KYSO_DATA_DIR: path.join(dir, `kyso${n}`), KYSO_OFFLINE: '1', MONGODB_URI: db.value }, /Kyso listening on (http:\/\/127\.0\.0\.1:\d+)/);
        services.push({ child: s.child, url: s.value, output: s.output, dataDir: path.join(dir, `kyso${n}`) });
      }
      const operator = fs.readFileSync(path.join(services[0].dataDir, 'operator-api-key'), 'utf8').trim();
      if (count === 1) {
        await call(services[0].url, operator, 'POST', '/v1/admin/agencies', { organId: 'BENCH.A', name: 'A' });
        await call(services[0].url, operator, 'POST', '/v1/admin/agencies', { organId: 'BENCH.B', name: 'B' });
      }
      const clerk = (await call(services[0].url, operator, 'POST', '/v1/admin/agencies/BENCH.A/api-keys', { role: 'clerk' })).apiKey;
      const runs = await Promise.all(services.map((s) => load(s.url, clerk, pdfFile, 16 / count)));
      if (process.env.KYSO_BENCH_DEBUG) {
        console.error(JSON.stringify(runs));
        for (const s of services) console.error((await (await fetch(`${s.url}/metrics`, { headers: { Authorization: `Bearer ${operator}` } })).text()).split('\n').filter((l) => /send_phase_seconds_(sum|count)/.test(l)).join('\n'));
      }
      rows.push({
        name: `exchange sends through ${count} instance${count > 1 ? 's' : ''} on one database (req/s)`,
        perSecond: runs.reduce((sum, r) => sum + r.perSecond, 0),
        p99: Math.max(...runs.map((r) => r.p99)),
        errors: runs.reduce((sum, r) => sum + r.errors, 0),
        ...(runs.some((r) => r.statuses || r.failures) ? { statuses: runs.map((r) => `${r.statuses ?? ''} ${r.failures ?? ''}`).join(' ').trim() } : {}),
        target: '(informative: one machine, 2 cores)',
      });
    }
  } finally {
    if (process.env.KYSO_BENCH_DEBUG) for (const s of services) console.error(s.output().slice(-5000));
    await Promise.all(services.map((s) => stop(s.child)));
    await stop(db.child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(rows));
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
