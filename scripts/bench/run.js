// `npm run bench`: signing benchmarks with the @signpdf baseline run side by side on the same inputs.
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { makeLargePdf } = require('./make-large-pdf');

const root = path.join(__dirname, '..', '..');
const run = (which, input, count) =>
  JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'worker.js'), which, input, String(count)], { encoding: 'utf8' }).trim().split('\n').pop());

(async () => {
  const large = await makeLargePdf(path.join(root, 'test', 'output', 'bench-60mb.pdf'));
  const small = path.join(root, 'samples', 'cong-van.pdf');
  const rows = [];
  const k60 = run('kyso-p12', large, 1);
  const b60 = run('baseline', large, 1);
  rows.push(['sign 60 MB PDF, wall time (ms)', k60.ms, b60.ms, k60.ms / b60.ms, '≤ 0.15× baseline']);
  rows.push(['sign 60 MB PDF, peak RSS (MB)', k60.maxRssMb, b60.maxRssMb, k60.maxRssMb / b60.maxRssMb, '≤ 160 MB']);
  const kp = run('kyso-p12-mem', small, 3000);
  const ks = run('kyso-softhsm-mem', small, 3000);
  const kf = run('kyso-p12', small, 1000);
  const bp = run('baseline', small, 200);
  rows.push(['1-page PDF, PKCS#12, bytes in → bytes out (signatures/s)', kp.perSecond, bp.perSecond, kp.perSecond / bp.perSecond, '≥ 500/s']);
  rows.push(['1-page PDF, SoftHSM2 RSA-2048, bytes in → bytes out (signatures/s)', ks.perSecond, bp.perSecond, ks.perSecond / bp.perSecond, '≥ 400/s']);
  rows.push(['1-page PDF, PKCS#12, file → fsynced file (signatures/s)', kf.perSecond, bp.perSecond, kf.perSecond / bp.perSecond, '(informative)']);
  const fmt = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
  console.log('| case | Kyso | @signpdf baseline | Kyso / baseline | target |');
  console.log('|---|---:|---:|---:|---|');
  for (const [name, k, b, ratio, target] of rows) console.log(`| ${name} | ${fmt(k)} | ${fmt(b)} | ${ratio.toFixed(3)} | ${target} |`);
})();
