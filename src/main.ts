#!/usr/bin/env node
/**
 * Start-up: load the configuration, open the database (embedded FerretDB unless MONGODB_URI is set) and the
 * server signer, listen; on SIGINT/SIGTERM stop accepting, finish requests, close everything.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import * as path from 'node:path';
import pino from 'pino';
import { openService } from './compose';
import { loadConfig } from './config';
import { createHash } from 'node:crypto';
import { DEMO_AGENCIES, EmbeddedDatabase, seedDemoAgencies, seedDemoExchanges, startEmbeddedFerretDb } from './exchange';
import { loadPeerIdentity } from './federation';
import { createHttpTimestampAuthority } from './network';
import { joinParts, signPdf } from './signing';
import { IsolatedPkcs11Signer, Pkcs11Module, Pkcs11Signer, Pkcs12Signer, readSecret, Signer } from './signers';
import { createValidationContext } from './validation';

const ROOT = path.join(__dirname, '..');
const EMBEDDED_POOL_SIZE = 5;

/** Where the first start writes the operator's key (mode 0600); `operator-key` writes a new one there. */
const OPERATOR_KEY_FILE = 'operator-api-key';

async function main(): Promise<void> {
  // Files the service creates (database, keys, logs) are readable by its own user only.
  process.umask(0o077);
  const config = loadConfig(process.env, ROOT);
  const logger = pino({ level: config.logLevel, redact: ['req.headers.authorization', '*.pin', '*.apiKey', '*.operatorKey', '*.secret', '*.password', '*.passphrase'] });
  const command = process.argv[2];
  if (command !== undefined && command !== 'operator-key' && command !== 'database') {
    throw new Error(`unknown command ${command} (none starts the service; "operator-key" issues a new operator key; "database" runs the embedded FerretDB alone)`);
  }
  let db: EmbeddedDatabase | undefined;
  // One loaded module per PKCS#11 library path (C_Initialize runs once per process).
  const modules = new Map<string, Pkcs11Module>();
  const moduleFor = (modulePath: string): Pkcs11Module => {
    let m = modules.get(modulePath);
    if (!m) {
      m = Pkcs11Module.load(modulePath);
      modules.set(modulePath, m);
    }
    return m;
  };
  let signer: Signer | undefined;
  const agencySigners = new Map<string, Signer>();
  const sealImages = new Map<string, Buffer>();
  let server: Server | undefined;
  let metricsServer: Server | undefined;
  let service: Awaited<ReturnType<typeof openService>> | undefined;
  // Each part is stopped even when an earlier one fails to; the failures are logged, not hidden.
  const stopping = (part: string) => (error: unknown) => logger.warn({ err: error, part }, 'could not stop cleanly');
  release = async (): Promise<void> => {
    await new Promise<void>((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (metricsServer?.listening ? metricsServer.close(() => resolve()) : resolve()));
    await service?.close().catch(stopping('service'));
    await signer?.close().catch(stopping('server signer'));
    for (const s of agencySigners.values()) await s.close().catch(stopping('agency signer'));
    for (const m of modules.values()) m.close();
    await db?.stop().catch(stopping('embedded database'));
  };
  const shutdown = async (signal: string): Promise<void> => {
    logger.info({ signal }, 'shutting down');
    await release?.();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  if (command === 'database') {
    // The embedded FerretDB as its own process, for several service instances on one machine (each started with
    // MONGODB_URI set to the address printed here).
    db = await startEmbeddedFerretDb(config.ferretdbBin, config.dataDir, 'kyso', { logger, maxRestarts: config.dbMaxRestarts, backoffMs: config.dbRestartBackoffMs });
    process.stdout.write(`Embedded FerretDB serving ${config.dataDir}: MONGODB_URI=${db.uri}\n`);
    return;
  }
  // The data folder holds this instance's key and the operator's key file, whichever database it uses.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  let uri = config.mongodbUri;
  if (!uri) {
    db = await startEmbeddedFerretDb(config.ferretdbBin, config.dataDir, 'kyso', { logger, maxRestarts: config.dbMaxRestarts, backoffMs: config.dbRestartBackoffMs });
    uri = db.uri;
    logger.info({ dataDir: config.dataDir }, 'embedded FerretDB started');
  }
  // A token key, in this process or (KYSO_PKCS11_ISOLATE=1) in a child process that a crashing vendor module cannot take down.
  const openToken = (o: { module: string; tokenLabel?: string; keyLabel?: string; keyId?: string; pin: string }): Promise<Signer> =>
    config.isolatePkcs11
      ? IsolatedPkcs11Signer.open({ modulePath: o.module, tokenLabel: o.tokenLabel, keyLabel: o.keyLabel, keyId: o.keyId, pin: o.pin })
      : Pkcs11Signer.open({ module: moduleFor(o.module), tokenLabel: o.tokenLabel, keyLabel: o.keyLabel, keyId: o.keyId, pin: o.pin });
  if (config.serverSigner) {
    signer = await openToken({
      module: config.serverSigner.module, tokenLabel: config.serverSigner.tokenLabel, keyLabel: config.serverSigner.keyLabel,
      pin: readFileSync(config.serverSigner.pinFile, 'utf8').trim(),
    });
  }
  if (config.agencySignersFile) {
    const entries = JSON.parse(readFileSync(config.agencySignersFile, 'utf8')) as Record<string, Record<string, string>>;
    for (const [organId, c] of Object.entries(entries)) {
      if (c.sealImage) sealImages.set(organId, readFileSync(c.sealImage));
      agencySigners.set(organId, c.p12
        ? Pkcs12Signer.open({ data: readFileSync(c.p12), passphrase: readSecret({ file: c.passphraseFile }, 'PKCS#12 passphrase') })
        : await openToken({ module: c.pkcs11Module, tokenLabel: c.tokenLabel, keyLabel: c.keyLabel, keyId: c.keyId, pin: readSecret({ file: c.pinFile }, 'token PIN') }));
    }
  }
  service = await openService({
    mongodbUri: uri,
    validation: createValidationContext({ trustDirs: config.trustDirs, offline: config.offline, revocationMode: config.revocationMode, strictCryptoFrom: config.strictCryptoFrom }),
    serverSigner: signer,
    agencySigners,
    sealImages,
    defaultSealImage: config.sealImage ? readFileSync(config.sealImage) : undefined,
    uploadLimitBytes: config.uploadLimitBytes,
    spoolDir: path.join(config.dataDir, 'uploads'),
    signingSessionTtlSeconds: config.signingSessionTtlSeconds,
    tsa: config.tsaUrl ? createHttpTimestampAuthority(config.tsaUrl) : undefined,
    logger,
    // SQLite serialises writers: a few connections queue in the driver instead of backing off in SQLite.
    maxPoolSize: config.dbPoolSize ?? (db ? EMBEDDED_POOL_SIZE : 100),
    validationWorkers: config.validationWorkers,
    decodeBudgetCap: config.maxDecodedBytes,
    webRoot: path.join(ROOT, 'dist', 'web'),
    alive: () => db?.state() ?? { ok: true },
    peerIdentity: loadPeerIdentity(config.peerKeyFile),
    delivery: config.delivery,
    jobs: config.jobs,
  });
  // The operator registers agencies; no agency key can. Its key is made at the first start (or on demand).
  const operatorKeyFile = path.join(config.dataDir, OPERATOR_KEY_FILE);
  if (command === 'operator-key' || !(await service.agencies.hasOperatorKey())) {
    writeFileSync(operatorKeyFile, `${(await service.agencies.issueOperatorKey()).apiKey}\n`, { mode: 0o600 });
    process.stdout.write(`Operator API key written to ${operatorKeyFile} (mode 0600): it registers agencies and changes their codes.\n`);
    if (command === 'operator-key') {
      await release?.();
      return;
    }
  } else if (!existsSync(operatorKeyFile)) {
    logger.info('an operator key exists; run "node dist/main.js operator-key" to issue a new one');
  }
  const opened = service;
  const demo = config.demo
    ? await seedDemoAgencies(opened.agencies, config.dataDir, async (u) => (await opened.users.createUser(u)).password)
    : undefined;
  if (demo && signer) await seedDemoYear(opened, signer, logger);
  // Slow clients: headers within 20 s, the whole request within the configured time (checked every
  // second), idle sockets closed after a minute, and a cap on open connections.
  const http = createServer({ headersTimeout: Math.min(20_000, config.requestTimeoutMs), requestTimeout: config.requestTimeoutMs, connectionsCheckingInterval: 1000 }, service.app);
  http.maxConnections = config.maxConnections;
  http.setTimeout(60_000);
  server = await new Promise<Server>((resolve, reject) => {
    http.once('error', (error: NodeJS.ErrnoException) => {
      reject(new Error(error.code === 'EADDRINUSE' ? `port ${config.port} on ${config.host} is in use (set PORT)` : error.message));
    });
    http.listen(config.port, config.host, () => resolve(http));
  });
  const port = (server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}`;
  process.stdout.write(`Kyso listening on ${base}\n`);
  if (config.metrics) {
    // Metrics for a scraper on a private address, without a key; the main port serves them to the operator's key.
    const metrics = opened.metrics;
    metricsServer = createServer((req, res) => {
      if (req.method !== 'GET' || req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      metrics.text().then((text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text), (error: unknown) => {
        logger.error({ err: error }, 'metrics could not be collected');
        res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      metricsServer?.once('error', reject);
      metricsServer?.listen(config.metrics?.port, config.metrics?.host, () => resolve());
    });
    process.stdout.write(`Metrics on http://${config.metrics.host}:${(metricsServer.address() as { port: number }).port}/metrics\n`);
  }
  if (demo) {
    process.stdout.write(`\nWeb application: ${base}/  (public verification: ${base}/verify)\nDemo logins (also in ${demo.file}):\n`);
    for (const u of demo.credentials.users.filter((x) => x.organId === demo.credentials.agencies[0].organId || x.role === 'receiver')) {
      process.stdout.write(`  ${u.username.padEnd(18)} ${u.password}  ${u.role.padEnd(9)} ${u.organId}\n`);
    }
    process.stdout.write(`The service operator signs in with the key in ${operatorKeyFile} ("Người vận hành hệ thống" on the sign-in page).\n`);
  }
  if (demo) {
    const [a, b] = demo.credentials.agencies;
    process.stdout.write(`
Demo API keys: ${demo.file} (mode 0600). Try:
  A=$(node -p "require('./${path.relative(process.cwd(), demo.file)}').agencies[0].apiKeys.clerk")
  B=$(node -p "require('./${path.relative(process.cwd(), demo.file)}').agencies[1].apiKeys.receiver")
  # the clerk of ${a.name} seals a signed document with the server HSM
  curl -sS -H "Authorization: Bearer $A" -H 'Content-Type: application/pdf' --data-binary @data/out/cong-van.official.pdf \\
       '${base}/v1/signatures?field=DauCoQuan&visible=1:335:380:405:450' -o data/out/cong-van.sealed.pdf
  # … sends it to ${b.name}
  curl -sS -H "Authorization: Bearer $A" -H 'Idempotency-Key: demo-15-2026' -F file=@data/out/cong-van.sealed.pdf \\
       -F 'metadata={"to":["${b.organId}"],"codeNumber":"15","codeNotation":"VPCP-KSTT","issuedDate":"2026-03-16","subject":"V/v triển khai chữ ký số"}' \\
       ${base}/v1/exchanges
  # … which finds it in its inbox with the verification report, and verifies any PDF on demand
  curl -sS -H "Authorization: Bearer $B" '${base}/v1/exchanges?box=inbox'
  curl -sS -H "Authorization: Bearer $B" -H 'Content-Type: application/pdf' --data-binary @data/out/cong-van.sealed.pdf ${base}/v1/verifications
`);
  }
}

/**
 * The demo's year of exchanges: the sample công văn sealed once with the demo agency key, validated, and
 * recorded as many exchanges between the demo agencies (first start only).
 */
async function seedDemoYear(service: Awaited<ReturnType<typeof openService>>, signer: Signer, logger: pino.Logger): Promise<void> {
  if ((await service.models.Exchange.estimatedDocumentCount()) > 0) return;
  const pdf = joinParts(await signPdf(readFileSync(path.join(ROOT, 'samples', 'cong-van.pdf')), signer, { fieldName: 'DauCoQuan', reason: 'Đóng dấu' }));
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  const report = await service.validator.validate(pdf, { fileName: 'cong-van.pdf', fileSha256: sha256, countPages: true });
  const notations = ['VPCP-TH', 'UBND-VP', 'UBND-KT'];
  const count = await seedDemoExchanges({
    models: service.models, documents: service.documents, audit: service.audit, changes: service.exchanges.changes, pdf, sha256, report,
    agencies: DEMO_AGENCIES.map((a, i) => ({ organId: a.organId, name: a.name, notation: notations[i] })),
  });
  logger.info({ exchanges: count }, 'demo exchanges of the past year recorded');
}

/** Stops what was started (embedded database, tokens), also when start-up fails half-way. */
let release: (() => Promise<void>) | undefined;

main().catch(async (error) => {
  process.stderr.write(`kyso: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  await release?.();
  process.exit(1);
});
