// `npm run bench`: signing benchmarks with the @signpdf baseline run side by side on the same inputs.
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');
const { makeLargePdf } = require('./make-large-pdf');
const { SERVICE_NODE_FLAGS } = require('./bench-service');

const root = path.join(__dirname, '..', '..');
const run = (which, input, count) =>
  JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'worker.js'), which, input, String(count)], { encoding: 'utf8' }).trim().split('\n').pop());

(async () => {
  const large = await makeLargePdf(path.join(root, 'test', 'output', 'bench-60mb.pdf'));
  const small = path.join(root, 'samples', 'cong-van.pdf');
  const rows = [];
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  // Whole processes, as a user runs them: wall time from outside, peak RSS from /usr/bin/time.
  const { spawnSync } = require('node:child_process');
  const pki = path.join(root, 'test', 'fixtures', 'pki');
  const cli = path.join(root, 'dist', 'cli', 'main.js');
  // The `kyso` command as installed (package.json "bin"), for the rows that time a command as a user runs it.
  const kyso = path.join(root, 'bin', 'kyso');
  const processRun = (args, okStatuses = [0]) => {
    const t = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (!okStatuses.includes(r.status)) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
    return { ms, maxRssMb: Number(r.stderr.trim().split('\n').pop()) / 1024 };
  };
  const signed = (input) => path.join(root, 'test', 'output', `bench-signed-${path.basename(input)}`);
  const kysoSign = (input) => processRun([cli, 'sign', input, '-o', signed(input), '--p12', path.join(pki, 'seal-rsa.p12'), '--passphrase-file', path.join(pki, 'p12-passphrase.txt')]);
  const baselineSign = (input) => processRun([path.join(__dirname, 'worker.js'), 'baseline', input, '1']);
  const best3 = (fn) => { const runs = [fn(), fn(), fn()]; return { ms: median(runs.map((r) => r.ms)), maxRssMb: Math.max(...runs.map((r) => r.maxRssMb)) }; };
  const k60 = best3(() => kysoSign(large));
  const b60 = best3(() => baselineSign(large));
  rows.push(['kyso sign of a 60 MB PDF as a whole process, wall time (ms, median of 3)', k60.ms, b60.ms, k60.ms / b60.ms, '≤ 0.15× baseline']);
  rows.push(['kyso sign of a 60 MB PDF as a whole process, peak RSS (MB, worst of 3)', k60.maxRssMb, b60.maxRssMb, k60.maxRssMb / b60.maxRssMb, '≤ 100 MB']);
  // 1 GB: made by the bench a megabyte at a time; the baseline cannot hold it (pdf-lib loads whole files).
  const huge = await makeLargePdf(path.join(root, 'test', 'output', 'bench-1gb.pdf'), 1024);
  const k1g = kysoSign(huge);
  rows.push(['kyso sign of a 1 GB PDF as a whole process, wall time (ms)', k1g.ms, NaN, NaN, '(informative)']);
  rows.push(['kyso sign of a 1 GB PDF as a whole process, peak RSS (MB)', k1g.maxRssMb, NaN, NaN, '≤ 150 MB']);
  // Its signer's root is not trusted here (exit 2, INDETERMINATE): what is measured is the memory.
  const v1g = processRun([cli, 'verify', '--offline', '--json', signed(huge)], [0, 1, 2]);
  rows.push(['kyso verify of the signed 1 GB PDF as a whole process, peak RSS (MB)', v1g.maxRssMb, NaN, NaN, '≤ 150 MB']);
  // The same files through the HTTP service: the upload is written to disk and the answer streamed.
  for (const input of [large, huge]) {
    for (const r of JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'upload.js'), input], { encoding: 'utf8' }).trim().split('\n').pop())) rows.push([r.name, r.value, NaN, NaN, r.target]);
  }
  for (const f of [huge, signed(huge), signed(large)]) fs.rmSync(f, { force: true });
  const kp = run('kyso-p12-mem', small, 3000);
  const ks = run('kyso-softhsm-mem', small, 3000);
  const kf = run('kyso-p12', small, 1000);
  const bp = run('baseline', small, 200);
  rows.push(['1-page PDF, PKCS#12, bytes in → bytes out (signatures/s)', kp.perSecond, bp.perSecond, kp.perSecond / bp.perSecond, '≥ 500/s']);
  rows.push(['1-page PDF, SoftHSM2 RSA-2048, bytes in → bytes out (signatures/s)', ks.perSecond, bp.perSecond, ks.perSecond / bp.perSecond, '≥ 400/s']);
  rows.push(['1-page PDF, PKCS#12, file → fsynced file (signatures/s)', kf.perSecond, bp.perSecond, kf.perSecond / bp.perSecond, '(informative)']);
  // Verification, side by side with poppler's pdfsig -nocert on the same files.
  const { execFileSync: exec } = require('node:child_process');
  const signedLarge = path.join(root, 'test', 'output', 'bench-60mb-signed.pdf');
  execFileSync(process.execPath, [path.join(__dirname, 'worker.js'), 'kyso-p12-keep', large, '1'], { env: { ...process.env, KYSO_BENCH_KEEP: signedLarge } });
  const verify = (mode, arg) => JSON.parse(exec(process.execPath, [path.join(__dirname, 'verify-worker.js'), mode, arg], { encoding: 'utf8' }).trim());
  const timed = (fn) => { const t = process.hrtime.bigint(); fn(); return Number(process.hrtime.bigint() - t) / 1e6; };
  const pdfsigRss = (file) => {
    const r = spawnSync('/usr/bin/time', ['-f', '%M', 'pdfsig', '-nocert', file], { encoding: 'utf8' });
    return Number((r.stderr.trim().split('\n').pop() || '0')) / 1024;
  };
  const kv = verify('one', signedLarge);
  const pv = timed(() => spawnSync('pdfsig', ['-nocert', signedLarge]));
  rows.push(['verify 60 MB signed PDF, wall time (ms)', kv.ms, pv, kv.ms / pv, '≤ 1.5× pdfsig']);
  rows.push(['verify 60 MB signed PDF, peak RSS (MB)', kv.maxRssMb, pdfsigRss(signedLarge), kv.maxRssMb / Math.max(1, pdfsigRss(signedLarge)), '≤ 150 MB']);
  const corpus = path.join(root, '..', 'shared', 'corpus');
  const list = fs.readFileSync(path.join(corpus, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => path.join(corpus, l.split('\t')[0]));
  // As a user runs it: one `kyso verify --json` process over the whole corpus (start-up included), against
  // pdfsig run once per file; the best of five runs each, in turn. The first run on a new install compiles the
  // validator and writes its code cache (src/cli/load-bundle.ts); it is shown on its own row.
  const emptyTrust = fs.mkdtempSync(path.join(root, 'test', 'output', 'bench-trust-'));
  const codeCache = fs.mkdtempSync(path.join(root, 'test', 'output', 'bench-code-cache-'));
  const cacheEnv = { env: { ...process.env, KYSO_CACHE_DIR: codeCache }, maxBuffer: 1 << 28 };
  const verifyCorpus = () => timed(() => spawnSync(kyso, ['verify', '--json', '--offline', '--trust', emptyTrust, corpus], cacheEnv));
  const kFirst = verifyCorpus();
  // Five runs of each, taken in turn (Kyso, pdfsig, Kyso, …) so that both meet the same moments of a noisy
  // machine; the best of each.
  const pdfsigCorpus = () => timed(() => list.forEach((f) => spawnSync('pdfsig', ['-nocert', f])));
  const pairs = Array.from({ length: 5 }, () => [verifyCorpus(), pdfsigCorpus()]);
  const kb = Math.min(...pairs.map(([k]) => k));
  const pb = Math.min(...pairs.map(([, p]) => p));
  const perSecond = (ms) => (list.length * 1000) / ms;
  rows.push([`kyso verify --json CORPUS/ (${list.length} files, every core, one process), files/s`, perSecond(kb), perSecond(pb), pb / kb, '≥ 3× pdfsig once per file']);
  rows.push([`the same, first run of a new install (no code cache yet), files/s`, perSecond(kFirst), perSecond(pb), pb / kFirst, '(informative)']);
  // One one-page document as a user runs it, against Node.js starting and doing nothing.
  const onePage = path.join(root, 'test', 'output', 'bench-one-page-signed.pdf');
  execFileSync(process.execPath, [path.join(__dirname, 'worker.js'), 'kyso-p12-keep', small, '1'], { env: { ...process.env, KYSO_BENCH_KEEP: onePage } });
  const median5 = (fn) => median([fn(), fn(), fn(), fn(), fn()]);
  const kOne = median5(() => timed(() => spawnSync(kyso, ['verify', '--offline', '--trust', emptyTrust, onePage], cacheEnv)));
  const nodeZero = median5(() => timed(() => spawnSync(process.execPath, ['-e', '0'])));
  rows.push(['kyso verify of a one-page PDF as a whole process (ms, median of 5; baseline node -e 0)', kOne, nodeZero, kOne / nodeZero, '≤ 2× node -e 0']);
  fs.rmSync(emptyTrust, { recursive: true, force: true });
  fs.rmSync(codeCache, { recursive: true, force: true });
  // The HTTP service at concurrency 16 (autocannon), no baseline exists for it: the target is absolute.
  const svc = JSON.parse(exec(process.execPath, [...SERVICE_NODE_FLAGS, path.join(__dirname, 'service.js')], { encoding: 'utf8' }).trim().split('\n').pop());
  // The same sends on FerretDB's PostgreSQL backend (Debian's PostgreSQL), the self-hosted production option.
  svc.push(...JSON.parse(exec(process.execPath, [...SERVICE_NODE_FLAGS, path.join(__dirname, 'postgres.js')], { encoding: 'utf8' }).trim().split('\n').pop()));
  // Sends through one instance and through two on one database (separate processes, as deployed).
  svc.push(...JSON.parse(exec(process.execPath, [...SERVICE_NODE_FLAGS, path.join(__dirname, 'instances.js')], { encoding: 'utf8' }).trim().split('\n').pop()));
  for (const r of svc) {
    if (r.perSecond === undefined) {
      const { name, ...parts } = r;
      rows.push([`${name}: ${Object.entries(parts).map(([k, v]) => `${k} ${v}`).join(', ')}`, NaN, NaN, NaN, '(where the time goes)']);
    } else rows.push([`${r.name}, p99 ${r.p99} ms, errors ${r.errors}`, r.perSecond, NaN, NaN, r.target]);
  }
  // The web application: the inbox's first load with 10,000 exchanges, and the JavaScript it ships.
  const web = JSON.parse(exec(process.execPath, [path.join(__dirname, 'web.js')], { encoding: 'utf8' }).trim().split('\n').pop());
  for (const r of web) rows.push([r.name, r.value, NaN, NaN, r.target]);
  const fmt = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
  console.log('| case | Kyso | baseline (@signpdf for signing, pdfsig for verification) | Kyso / baseline | target |');
  console.log('|---|---:|---:|---:|---|');
  for (const [name, k, b, ratio, target] of rows) console.log(`| ${name} | ${fmt(k)} | ${Number.isNaN(b) ? '-' : fmt(b)} | ${Number.isNaN(ratio) ? '-' : ratio.toFixed(3)} | ${target} |`);
})();
