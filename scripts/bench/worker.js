// One benchmark case in its own process, so peak RSS is that case's alone. Prints one JSON line.
//   node worker.js CASE INPUT [COUNT]
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const root = path.join(__dirname, '..', '..');
const dist = (m) => require(path.join(root, 'dist', m));
const [, , which, input, countArg] = process.argv;
const count = Number(countArg ?? 1);
const pki = process.env.KYSO_BENCH_PKI ?? path.join(root, 'test', 'fixtures', 'pki');
const passphrase = fs.readFileSync(path.join(pki, 'p12-passphrase.txt'), 'utf8').trim();
const p12 = fs.readFileSync(path.join(pki, 'seal-rsa.p12'));
const out = path.join(root, 'test', 'output', `bench-${which}-${process.pid}.pdf`);

async function kyso(signer) {
  await dist('signing').signPdfFile(input, out, signer, {});
}

// The service path: PDF bytes in, signed PDF bytes out (no file system, no fsync).
let inputBytes;
async function kysoInMemory(signer) {
  inputBytes ??= fs.readFileSync(input);
  const result = await dist('signing').signPdf(inputBytes, signer, {});
  if (result.update.length === 0) throw new Error('empty update');
}

async function baseline() {
  const { PDFDocument } = require('pdf-lib');
  const { pdflibAddPlaceholder } = require('@signpdf/placeholder-pdf-lib');
  const { P12Signer } = require('@signpdf/signer-p12');
  const signpdf = require('@signpdf/signpdf').default;
  const doc = await PDFDocument.load(fs.readFileSync(input));
  pdflibAddPlaceholder({ pdfDoc: doc, reason: 'bench', contactInfo: '', name: 'bench', location: '' });
  const withPlaceholder = Buffer.from(await doc.save({ useObjectStreams: false }));
  const signed = await signpdf.sign(withPlaceholder, new P12Signer(p12, { passphrase }));
  fs.writeFileSync(out, signed);
}

(async () => {
  let signer;
  let module;
  const inMemory = which.endsWith('-mem');
  if (which.startsWith('kyso-p12')) signer = dist('signers').Pkcs12Signer.open({ data: p12, passphrase });
  if (which.startsWith('kyso-softhsm')) {
    const { Pkcs11Module, Pkcs11Signer } = dist('signers');
    module = Pkcs11Module.load(process.env.KYSO_PKCS11_MODULE ?? '/usr/lib/softhsm/libsofthsm2.so');
    signer = await Pkcs11Signer.open({
      module, tokenLabel: 'kyso-test', keyLabel: 'official-rsa',
      pin: fs.readFileSync(path.join(root, 'test', 'fixtures', 'softhsm', 'user-pin'), 'utf8').trim(),
    });
  }
  const run = which === 'baseline' ? baseline : inMemory ? () => kysoInMemory(signer) : () => kyso(signer);
  // Warm-up: module loading and JIT are not what is measured (skipped for the large file, whose cost is I/O).
  if (count > 1) await run();
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    await run();
    fs.rmSync(out, { force: true });
  }
  const ms = performance.now() - start;
  if (signer) await signer.close();
  if (module) module.close();
  if (process.env.KYSO_BENCH_KEEP) await dist('signing').signPdfFile(input, process.env.KYSO_BENCH_KEEP, signer, {});
  fs.rmSync(out, { force: true });
  console.log(JSON.stringify({ which, ms: ms / count, perSecond: (count * 1000) / ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
