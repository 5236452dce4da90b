// POST /v1/signatures of the 60 MB PDF through a running service (its own embedded FerretDB): the upload
// is streamed from disk and the answer streamed to disk, so what the process grows by is the service's
// own memory for the request. Prints one JSON line of rows.
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { pipeline } = require('node:stream/promises');
const { openBenchService, root } = require('./bench-service');

(async () => {
  const { Pkcs12Signer } = require(path.join(root, 'dist', 'signers'));
  const pki = path.join(root, 'test', 'fixtures', 'pki');
  const serverSigner = Pkcs12Signer.open({ data: fs.readFileSync(path.join(pki, 'seal-rsa.p12')), passphrase: fs.readFileSync(path.join(pki, 'p12-passphrase.txt'), 'utf8').trim() });
  const bench = await openBenchService('upload', { serverSigner, uploadLimitBytes: 2 * 1024 * 1024 * 1024 });
  try {
    await bench.service.agencies.registerAgency({ organId: 'BENCH.U', name: 'U' });
    const clerk = (await bench.service.agencies.issueApiKey('BENCH.U', 'clerk')).apiKey;
    const input = process.argv[2];
    const output = path.join(bench.dataDir, 'signed.pdf');
    // A one-page document first, so the validation workers and the signer are running before measuring.
    const warm = await fetch(`${bench.url}/v1/signatures`, { method: 'POST', headers: { Authorization: `Bearer ${clerk}`, 'Content-Type': 'application/pdf' }, body: bench.signedPdf });
    if (warm.status !== 200) throw new Error(`warm-up failed: ${warm.status}`);
    await warm.arrayBuffer();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
    const started = process.hrtime.bigint();
    const status = await new Promise((resolve, reject) => {
      const req = http.request(`${bench.url}/v1/signatures`, { method: 'POST', headers: { Authorization: `Bearer ${clerk}`, 'Content-Type': 'application/pdf', 'Content-Length': fs.statSync(input).size } }, (res) => {
        pipeline(res, fs.createWriteStream(output)).then(() => resolve(res.statusCode), reject);
      });
      req.on('error', reject);
      fs.createReadStream(input).pipe(req);
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    clearInterval(sampler);
    if (status !== 200) throw new Error(`signing failed: ${status} ${fs.readFileSync(output, 'utf8').slice(0, 300)}`);
    const size = `${Math.round(fs.statSync(input).size / 1048576)} MB`;
    console.log(JSON.stringify([
      { name: `POST /v1/signatures of a ${size} PDF (upload streamed in, the answer out), ms`, value: ms, target: '(informative)' },
      { name: `POST /v1/signatures of a ${size} PDF: service RSS growth during the request (MB)`, value: (peak - before) / 1048576, target: '≤ 100 MB whatever the size' },
    ]));
  } finally {
    await bench.close();
  }
})();
