/**
 * Service configuration from the environment, validated once at start-up (zod) and passed down. Pure:
 * no side effects, no singleton. Secrets are referenced by file path, never given as values.
 */
import * as path from 'node:path';
import { z } from 'zod';

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  MONGODB_URI: z.string().url().optional(),
  KYSO_DATA_DIR: z.string().default('data'),
  KYSO_UPLOAD_LIMIT_MB: z.coerce.number().positive().max(2048).default(100),
  KYSO_TRUST_DIRS: z.string().optional(),
  KYSO_OFFLINE: z.enum(['0', '1']).default('0'),
  KYSO_REVOCATION: z.enum(['soft', 'hard']).default('soft'),
  KYSO_STRICT_CRYPTO_FROM: z.coerce.date().optional(),
  KYSO_SIGNING_SESSION_TTL_S: z.coerce.number().int().positive().default(600),
  KYSO_DEMO: z.enum(['0', '1']).default('0'),
  KYSO_FERRETDB_BIN: z.string().optional(),
  KYSO_DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).optional(),
  KYSO_PKCS11_MODULE: z.string().optional(),
  KYSO_PKCS11_TOKEN_LABEL: z.string().optional(),
  KYSO_PKCS11_KEY_LABEL: z.string().optional(),
  KYSO_PKCS11_PIN_FILE: z.string().optional(),
  KYSO_PKCS11_ISOLATE: z.enum(['0', '1']).default('0'),
  KYSO_AGENCY_SIGNERS_FILE: z.string().optional(),
  KYSO_SEAL_IMAGE: z.string().optional(),
  KYSO_TSA_URL: z.string().url().optional(),
  KYSO_DB_MAX_RESTARTS: z.coerce.number().int().min(0).max(100).default(5),
  KYSO_DB_RESTART_BACKOFF_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  KYSO_MAX_DECODED_MB: z.coerce.number().int().min(16).max(8192).default(512),
  KYSO_VALIDATION_WORKERS: z.coerce.number().int().min(1).max(64).default(2),
  KYSO_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100_000).default(1024),
  KYSO_REQUEST_TIMEOUT_S: z.coerce.number().int().min(5).max(3600).default(300),
  KYSO_PEER_KEY_FILE: z.string().optional(),
  KYSO_DELIVERY_POLL_MS: z.coerce.number().int().min(50).max(3_600_000).default(2000),
  KYSO_DELIVERY_BACKOFF_MS: z.coerce.number().int().min(10).max(3_600_000).default(1000),
  KYSO_DELIVERY_MAX_BACKOFF_MS: z.coerce.number().int().min(10).max(86_400_000).default(600_000),
  KYSO_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  KYSO_METRICS_HOST: z.string().default('127.0.0.1'),
  KYSO_JOB_TICK_MS: z.coerce.number().int().min(50).max(3_600_000).default(30_000),
  KYSO_ORPHAN_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(86_400_000).default(600_000),
  KYSO_RENEWAL_INTERVAL_MS: z.coerce.number().int().min(100).max(7 * 86_400_000).default(3_600_000),
  KYSO_RENEWAL_WITHIN_DAYS: z.coerce.number().int().min(0).max(100_000).default(90),
  KYSO_RENEWAL_RETRY_MS: z.coerce.number().int().min(10).max(86_400_000).default(600_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  port: number;
  host: string;
  mongodbUri?: string;
  dataDir: string;
  uploadLimitBytes: number;
  trustDirs: string[];
  offline: boolean;
  /** soft: only the signer's revocation status must be known; hard: every certificate's, from fresh answers. */
  revocationMode: 'soft' | 'hard';
  /** Signing time from which RSA < 2048, EC < 256 and SHA-1 fail (unset: the validator's default). */
  strictCryptoFrom?: Date;
  signingSessionTtlSeconds: number;
  demo: boolean;
  ferretdbBin: string;
  /** Database connections; unset: 5 for the embedded SQLite-backed server (fewer writers wait less), 100 otherwise. */
  dbPoolSize?: number;
  serverSigner?: { module: string; tokenLabel: string; keyLabel: string; pinFile: string };
  /** Run PKCS#11 modules in a child process each, so a crashing vendor library does not stop the service. */
  isolatePkcs11: boolean;
  /** JSON file: OrganId → { pkcs11Module, tokenLabel, keyLabel, pinFile } or { p12, passphraseFile }, each with an optional sealImage (PNG path). */
  agencySignersFile?: string;
  /** PNG of the seal the server key's visible signatures show. */
  sealImage?: string;
  /** RFC 3161 TSA: server-side and two-phase signatures become PAdES B-T. */
  tsaUrl?: string;
  logLevel: string;
  /** The embedded database is restarted this many times in a row (back-off doubling from the next) before /healthz fails. */
  dbMaxRestarts: number;
  dbRestartBackoffMs: number;
  /** Cap of the bytes one document's compressed streams may decode to (its budget is 64× its size, capped). */
  maxDecodedBytes: number;
  /** Worker threads that parse and validate documents off the event loop. */
  validationWorkers: number;
  /** Open connections the server accepts at once. */
  maxConnections: number;
  /** A request (headers and body) must arrive within this time; slow clients are cut off with 408. */
  requestTimeoutMs: number;
  /** This instance's Ed25519 key for peers (made at the first start; default <data>/peer-identity.key). */
  peerKeyFile: string;
  /** Deliveries to peers: how often due ones are looked for, the first retry's wait (doubling) and its cap. */
  delivery: { pollMs: number; backoffMs: number; maxBackoffMs: number };
  /** A separate listener for GET /metrics without a key (on a private address), when set. */
  metrics?: { port: number; host: string };
  /** Periodic jobs: how often each instance looks, and each job's interval (run in one instance at a time). */
  jobs: { tickMs: number; orphanSweepMs: number; renewalMs: number; renewalWithinDays: number; renewalRetryMs: number };
}

export function loadConfig(env: NodeJS.ProcessEnv, projectRoot: string): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${issues}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(projectRoot, e.KYSO_DATA_DIR);
  const hsm = e.KYSO_PKCS11_MODULE && e.KYSO_PKCS11_TOKEN_LABEL && e.KYSO_PKCS11_KEY_LABEL && e.KYSO_PKCS11_PIN_FILE
    ? { module: e.KYSO_PKCS11_MODULE, tokenLabel: e.KYSO_PKCS11_TOKEN_LABEL, keyLabel: e.KYSO_PKCS11_KEY_LABEL, pinFile: e.KYSO_PKCS11_PIN_FILE }
    : undefined;
  return {
    port: e.PORT,
    host: e.HOST,
    mongodbUri: e.MONGODB_URI,
    dataDir,
    uploadLimitBytes: Math.round(e.KYSO_UPLOAD_LIMIT_MB * 1024 * 1024),
    trustDirs: e.KYSO_TRUST_DIRS ? e.KYSO_TRUST_DIRS.split(path.delimiter) : [path.join(projectRoot, 'certs', 'trust')],
    offline: e.KYSO_OFFLINE === '1',
    revocationMode: e.KYSO_REVOCATION,
    strictCryptoFrom: e.KYSO_STRICT_CRYPTO_FROM,
    signingSessionTtlSeconds: e.KYSO_SIGNING_SESSION_TTL_S,
    demo: e.KYSO_DEMO === '1',
    ferretdbBin: e.KYSO_FERRETDB_BIN ?? path.join(projectRoot, '.cache', 'ferretdb', 'bin', 'ferretdb'),
    serverSigner: hsm,
    isolatePkcs11: e.KYSO_PKCS11_ISOLATE === '1',
    agencySignersFile: e.KYSO_AGENCY_SIGNERS_FILE,
    sealImage: e.KYSO_SEAL_IMAGE,
    tsaUrl: e.KYSO_TSA_URL,
    dbPoolSize: e.KYSO_DB_POOL_SIZE,
    logLevel: e.LOG_LEVEL,
    dbMaxRestarts: e.KYSO_DB_MAX_RESTARTS,
    dbRestartBackoffMs: e.KYSO_DB_RESTART_BACKOFF_MS,
    maxDecodedBytes: e.KYSO_MAX_DECODED_MB * 1024 * 1024,
    validationWorkers: e.KYSO_VALIDATION_WORKERS,
    maxConnections: e.KYSO_MAX_CONNECTIONS,
    requestTimeoutMs: e.KYSO_REQUEST_TIMEOUT_S * 1000,
    peerKeyFile: e.KYSO_PEER_KEY_FILE ?? path.join(dataDir, 'peer-identity.key'),
    delivery: { pollMs: e.KYSO_DELIVERY_POLL_MS, backoffMs: e.KYSO_DELIVERY_BACKOFF_MS, maxBackoffMs: e.KYSO_DELIVERY_MAX_BACKOFF_MS },
    metrics: e.KYSO_METRICS_PORT === undefined ? undefined : { port: e.KYSO_METRICS_PORT, host: e.KYSO_METRICS_HOST },
    jobs: {
      tickMs: e.KYSO_JOB_TICK_MS, orphanSweepMs: e.KYSO_ORPHAN_SWEEP_INTERVAL_MS, renewalMs: e.KYSO_RENEWAL_INTERVAL_MS,
      renewalWithinDays: e.KYSO_RENEWAL_WITHIN_DAYS, renewalRetryMs: e.KYSO_RENEWAL_RETRY_MS,
    },
  };
}
