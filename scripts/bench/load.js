// Load generator for the service benchmark, in its own process so it does not share the service's event
// loop: autocannon at concurrency 16 for 10 s (KYSO_BENCH_SECONDS). Prints one JSON object (autocannon's summary figures).
//   node load.js URL API_KEY PDF_FILE verify|send|verify-bomb [BOMB_FILE BOMB_API_KEY]
// verify-bomb: the same verification load while two clients keep sending a compression bomb, which must be
// refused (422, then 429 once the sender is braked) without slowing the others.
const fs = require('node:fs');
const autocannon = require('autocannon');

const [, , url, apiKey, pdfFile, mode, bombFile, bombKey] = process.argv;
const pdf = fs.readFileSync(pdfFile);
const boundary = 'kysobench';
let n = 0;
const multipart = () => {
  n++;
  const meta = JSON.stringify({ to: ['BENCH.B'], codeNumber: String(n), codeNotation: `BENCH-${process.pid}`, issuedDate: '2026-11-26', subject: 'bench' });
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n${meta}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="b.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
    pdf, Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
};
const options = mode === 'send'
  ? {
    method: 'POST', url: `${url}/v1/exchanges`,
    requests: [{ setupRequest: (req) => ({ ...req, path: '/v1/exchanges', headers: { Authorization: `Bearer ${apiKey}`, 'Idempotency-Key': `bench-${process.pid}-${n + 1}-key`, 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body: multipart() }) }],
  }
  : { method: 'POST', url: `${url}/v1/verifications`, headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/pdf' }, body: pdf };
const bombs = { sent: 0, refused: 0, braked: 0 };
let loading = true;
if (mode === 'verify-bomb') {
  const bomb = fs.readFileSync(bombFile);
  const loop = async () => {
    while (loading) {
      const r = await fetch(`${url}/v1/verifications`, { method: 'POST', headers: { Authorization: `Bearer ${bombKey}`, 'Content-Type': 'application/pdf' }, body: bomb });
      await r.arrayBuffer();
      bombs.sent++;
      if (r.status === 422) bombs.refused++;
      if (r.status === 429) bombs.braked++;
    }
  };
  loop();
  loop();
}
autocannon({ connections: Number(process.env.KYSO_BENCH_CONNECTIONS ?? 16), duration: Number(process.env.KYSO_BENCH_SECONDS ?? 10), ...options }, (error, r) => {
  loading = false;
  if (error) {
    console.error(error);
    process.exit(1);
  }
  console.log(JSON.stringify({ perSecond: r.requests.average, p99: r.latency.p99, errors: r.errors + r.non2xx, ...(r.non2xx ? { statuses: Object.keys(r.statusCodeStats ?? {}).join(' ') } : {}), ...(r.errors ? { failures: `${r.errors} errors, ${r.timeouts} timeouts` } : {}), ...(mode === 'verify-bomb' ? { bombs } : {}) }));
  process.exit(0);
});
