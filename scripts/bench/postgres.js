// Sends on FerretDB's PostgreSQL backend, side by side with the embedded SQLite backend (service.js): a
// throwaway PostgreSQL cluster from Debian's packages in a temporary folder (run as the postgres user when
// the bench runs as root, as initdb requires), FerretDB 1.24 with --handler=postgresql in front of it on a
// loopback port, and the same service, load and runs as service.js. Prints JSON rows; when PostgreSQL is
// not installed, one row saying so.
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { execFile, spawn, spawnSync } = require('node:child_process');
const { openBenchService, root } = require('./bench-service');

const PG_BIN = '/usr/lib/postgresql/15/bin';

const freePort = () => new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });
const asPostgres = (command, args) => {
  const [cmd, argv] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', path.join(PG_BIN, command), ...args]] : [path.join(PG_BIN, command), args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} failed: ${r.stderr || r.stdout}`);
};
const listening = async (port) => {
  for (let i = 0; i < 100; i++) {
    if (await new Promise((resolve) => { const c = net.connect(port, '127.0.0.1', () => { c.end(); resolve(true); }).on('error', () => resolve(false)); })) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${port}`);
};

(async () => {
  if (!fs.existsSync(path.join(PG_BIN, 'initdb'))) {
    console.log(JSON.stringify([{ name: 'exchange sends on FerretDB + PostgreSQL: not measured (PostgreSQL 15 is not installed)' }]));
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kyso-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout);
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout);
    fs.chownSync(dir, uid, gid);
  }
  const pgPort = await freePort();
  const dbPort = await freePort();
  let ferret;
  let bench;
  try {
    asPostgres('initdb', ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
    // PostgreSQL's defaults (fsync on, synchronous commit): as durable as the embedded backend.
    asPostgres('pg_ctl', ['-D', path.join(dir, 'data'), '-o', `-p ${pgPort} -k ${dir} -c listen_addresses=127.0.0.1`, '-l', path.join(dir, 'postgres.log'), '-w', 'start']);
    asPostgres('createdb', ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres', 'kyso']);
    ferret = spawn(path.join(root, '.cache', 'ferretdb', 'bin', 'ferretdb'), [
      '--handler=postgresql', `--postgresql-url=postgres://postgres@127.0.0.1:${pgPort}/kyso`, `--listen-addr=127.0.0.1:${dbPort}`,
      `--state-dir=${dir}`, '--telemetry=disable', '--log-level=error', '--debug-addr=-',
    ], { env: { ...process.env, GOGC: '400', GOMEMLIMIT: '512MiB' }, stdio: 'ignore' });
    await listening(dbPort);
    bench = await openBenchService('pg', { mongodbUri: `mongodb://127.0.0.1:${dbPort}/kyso`, maxPoolSize: Number(process.env.KYSO_BENCH_POOL ?? 5) });
    const { service, dataDir, url } = bench;
    await service.agencies.registerAgency({ organId: 'BENCH.A', name: 'A' });
    await service.agencies.registerAgency({ organId: 'BENCH.B', name: 'B' });
    const clerk = (await service.agencies.issueApiKey('BENCH.A', 'clerk')).apiKey;
    const pdfFile = path.join(dataDir, 'bench-signed.pdf');
    fs.writeFileSync(pdfFile, bench.signedPdf);
    const run = () => new Promise((resolve, reject) => execFile(process.execPath, [path.join(__dirname, 'load.js'), url, clerk, pdfFile, 'send'], (e, out) => (e ? reject(e) : resolve(JSON.parse(out.trim().split('\n').pop())))));
    // As service.js: two warm-up runs, then three.
    await run();
    await run();
    const sends = [await run(), await run(), await run()];
    console.log(JSON.stringify(sends.map((send, i) => ({ name: `exchange sends on FerretDB + PostgreSQL 15, run ${i + 1} of 3 (req/s)`, ...send, target: '(side by side with the embedded runs above)' }))));
  } finally {
    await bench?.close();
    ferret?.kill();
    try {
      asPostgres('pg_ctl', ['-D', path.join(dir, 'data'), '-m', 'fast', '-w', 'stop']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
