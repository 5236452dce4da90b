// Verification benchmark cases in their own process. Prints one JSON line.
//   node verify-worker.js one FILE       — validate one file (offline)
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { validatePdf, createValidationContext } = require(path.join(__dirname, '..', '..', 'dist', 'validation'));
const [, , mode, arg] = process.argv;
const files = mode === 'one' ? [arg] : [];
(async () => {
  const context = createValidationContext({ trustDirs: [], offline: true });
  const start = performance.now();
  for (const f of files) await validatePdf(fs.readFileSync(f), context, f);
  const ms = performance.now() - start;
  console.log(JSON.stringify({ ms, perSecond: (files.length * 1000) / ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
})();
