// The service the benchmarks measure: the compiled service on an embedded FerretDB of its own (a fresh
// folder under test/output) or on the database at `options.mongodbUri`, trusting the test PKI, listening on
// a free loopback port, with the test seal key and the sample công văn signed by it. `close()` stops and
// removes everything it started.
const fs = require('node:fs');
const path = require('node:path');
const root = path.join(__dirname, '..', '..');
const dist = (m) => require(path.join(root, 'dist', m));

async function openBenchService(name, options = {}) {
  const { startEmbeddedFerretDb } = dist('exchange');
  const { openService } = dist('compose');
  const { createValidationContext, TrustStore } = dist('validation');
  const { Pkcs12Signer } = dist('signers');
  const { signPdf, joinParts } = dist('signing');
  const pki = path.join(root, 'test', 'fixtures', 'pki');
  const dataDir = path.join(root, 'test', 'output', `bench-${name}-${process.pid}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  const db = options.mongodbUri ? { uri: options.mongodbUri, stop: async () => undefined } : await startEmbeddedFerretDb(path.join(root, '.cache', 'ferretdb', 'bin', 'ferretdb'), dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const trust = new TrustStore();
  trust.add(fs.readFileSync(path.join(pki, 'root-ca.der')));
  const service = await openService({
    mongodbUri: db.uri, validation: createValidationContext({ trust, offline: true }), uploadLimitBytes: 100 * 1024 * 1024, signingSessionTtlSeconds: 600,
    ...options,
  });
  const signer = Pkcs12Signer.open({ data: fs.readFileSync(path.join(pki, 'seal-rsa.p12')), passphrase: fs.readFileSync(path.join(pki, 'p12-passphrase.txt'), 'utf8').trim() });
  const signedPdf = joinParts(await signPdf(fs.readFileSync(path.join(root, 'samples', 'cong-van.pdf')), signer));
  const server = await new Promise((resolve) => { const s = service.app.listen(0, '127.0.0.1', () => resolve(s)); });
  return {
    service, dataDir, signedPdf, url: `http://127.0.0.1:${server.address().port}`,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await service.close();
      await db.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The Node flags the service runs with (scripts/start.sh, Dockerfile): the bench measures it the same way. */
const SERVICE_NODE_FLAGS = ['--max-semi-space-size=32'];

module.exports = { openBenchService, root, SERVICE_NODE_FLAGS };
