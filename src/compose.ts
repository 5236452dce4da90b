/**
 * Wires the service from its parts: a mongoose connection, the models, the audit log, the services and the
 * Express app. Used by main.ts and by the API tests (with their own database name).
 */
import mongoose from 'mongoose';
import pino, { Logger } from 'pino';
import { createAccountModels, createSessionService, createUserService } from './accounts';
import { createApp } from './app';
import { createAuditLog } from './audit';
import {
  createAgencyService, createDeliveryWorker, createDocumentStore, createDraftsService, createExchangeService, createModels, createPeerOutbox, createPeersService,
  createSigningSessionService, DeliveryOptions,
} from './exchange';
import { createEphemeralPeerIdentity, PeerIdentity } from './federation';
import { createJobLeases, createPeriodicJobs } from './jobs';
import { createServiceMetrics } from './metrics';
import type { TimestampAuthority } from './network';
import type { Signer } from './signers';
import { brakeHostileSenders, createValidatorPool, ValidationContext } from './validation';

export interface ServiceOptions {
  mongodbUri: string;
  validation: ValidationContext;
  serverSigner?: Signer;
  agencySigners?: Map<string, Signer>;
  /** Seal images (PNG) by OrganId, and the default one for the server key. */
  sealImages?: Map<string, Buffer>;
  defaultSealImage?: Buffer;
  uploadLimitBytes: number;
  /** Where uploads to sign are written while their request runs. */
  spoolDir?: string;
  signingSessionTtlSeconds: number;
  /** Time-stamping authority: signatures get B-T time-stamps and long-term copies B-LTA. */
  tsa?: TimestampAuthority;
  logger?: Logger;
  /** Connections to the database; the embedded SQLite-backed server is fastest with few writers. */
  maxPoolSize?: number;
  /** Worker threads that validate documents (default 2). */
  validationWorkers?: number;
  /** Cap of each document's decoded-bytes budget (KYSO_MAX_DECODED_MB). */
  decodeBudgetCap?: number;
  /** The built web application, served at / (dist/web). */
  webRoot?: string;
  /** This instance's key for talking to peer Kyso instances (a fresh one per process when not given). */
  peerIdentity?: PeerIdentity;
  /** The delivery worker's timings (tests shorten them). */
  delivery?: Partial<Omit<DeliveryOptions, 'logger'>>;
  /** Periodic jobs (orphan sweep, renewal of long-term copies): intervals and the renewal horizon. */
  jobs?: Partial<{ tickMs: number; orphanSweepMs: number; renewalMs: number; renewalWithinDays: number; renewalRetryMs: number }>;
  /** Liveness of parts outside this module (the supervised embedded database). */
  alive?: () => { ok: boolean; reason?: string };
}

export async function openService(options: ServiceOptions) {
  const connection = mongoose.createConnection(options.mongodbUri, { serverSelectionTimeoutMS: 10_000, autoIndex: false, maxPoolSize: options.maxPoolSize ?? 100 });
  await connection.asPromise();
  const models = createModels(connection);
  const accountModels = createAccountModels(connection);
  const audit = createAuditLog(connection);
  // Indexes are the guarantees (uniqueness, idempotency): build them before accepting requests.
  await Promise.all([...Object.values(models).map((m) => m.syncIndexes()), ...Object.values(accountModels).map((m) => m.syncIndexes()), audit.Model.syncIndexes()]);
  const users = createUserService(models, accountModels, audit);
  const logger = options.logger ?? pino({ level: 'silent' });
  const agencies = createAgencyService(models, audit, { codeChanged: users.followAgencyCode });
  const logins = createSessionService(models, accountModels, audit, agencies.authenticate);
  const documents = createDocumentStore(connection, async (ids) => {
    const found = await models.Exchange.find({ $or: [{ fileId: { $in: ids } }, { 'attachments.fileId': { $in: ids } }] }, { fileId: 1, attachments: 1 }).lean();
    return new Set(found.flatMap((e) => [String(e.fileId), ...(e.attachments ?? []).map((a) => String(a.fileId))]));
  });
  // Every document's decoding budget is capped as configured.
  const metrics = createServiceMetrics({ deliveriesWaiting: () => models.Delivery.countDocuments({ state: 'pending' }) });
  const client = connection.getClient();
  client.on('connectionCheckedOut', metrics.connectionOut);
  client.on('connectionCheckedIn', metrics.connectionIn);
  const pool = createValidatorPool(options.validation, { size: options.validationWorkers, decodeBudgetCap: options.decodeBudgetCap, logger });
  // A caller whose documents keep being refused as bombs waits instead of holding a worker (hostile-brake.ts).
  const braked = brakeHostileSenders(pool);
  // Verifications by indication (a structure-only preflight is not a verification).
  const validator: typeof pool = {
    validate: async (pdf, request) => {
      const report = await braked.validate(pdf, request);
      if (!request?.structureOnly) metrics.verified(report.indication);
      return report;
    },
    close: () => pool.close(),
  };
  const identity = options.peerIdentity ?? createEphemeralPeerIdentity();
  const peers = createPeersService(models, audit, identity.instanceId);
  const sealImageFor = (organId: string): Buffer | undefined => options.sealImages?.get(organId) ?? (options.agencySigners?.has(organId) ? undefined : options.defaultSealImage);
  const exchanges = createExchangeService(connection, documents, models, audit, options.validation, validator, {
    peers, outbox: createPeerOutbox(models), signerFor: (organId) => options.agencySigners?.get(organId) ?? options.serverSigner, sealImageFor, metrics,
  }, options.tsa);
  const deliveries = createDeliveryWorker(exchanges.context, identity, {
    logger, pollMs: 2000, backoffMs: 1000, maxBackoffMs: 10 * 60_000, timeoutMs: 120_000, leaseMs: 5 * 60_000, ...options.delivery,
  });
  deliveries.start();
  // Periodic jobs, each run by one instance at a time through a lease in the database: uploads that never
  // became part of an exchange (a crash mid-request) are removed after an hour; long-term copies due for
  // renewal are renewed (only with a TSA).
  const jobSettings = { tickMs: 30_000, orphanSweepMs: 600_000, renewalMs: 3_600_000, renewalWithinDays: 90, renewalRetryMs: 600_000, ...options.jobs };
  const jobs = createPeriodicJobs(createJobLeases(connection, identity.instanceId + ':' + process.pid), [
    { name: 'orphan-sweep', intervalMs: jobSettings.orphanSweepMs, run: () => documents.sweepOrphans() },
    ...(options.tsa ? [{
      name: 'archive-renewal', intervalMs: jobSettings.renewalMs,
      run: () => exchanges.renewDueArchives({ withinDays: jobSettings.renewalWithinDays, limit: 100, retryMs: jobSettings.renewalRetryMs, logger }),
    }] : []),
  ], { logger, tickMs: jobSettings.tickMs, observer: metrics.jobs });
  jobs.start();
  const sessions = createSigningSessionService(connection, models, audit, options.signingSessionTtlSeconds, options.tsa);
  const drafts = createDraftsService(models, documents, validator, sessions, audit);
  const app = createApp({
    peers, identity,
    agencies, exchanges, sessions, drafts, audit, documents, validator, refuseIfBraked: braked.refuseIfBraked, alive: options.alive, users, logins, webRoot: options.webRoot, serverSigner: options.serverSigner, agencySigners: options.agencySigners,
    tsa: options.tsa, metrics,
    sealImageFor,
    uploadLimitBytes: options.uploadLimitBytes, spoolDir: options.spoolDir, logger,
    ready: async () => {
      let database = false;
      try {
        await connection.db?.admin().ping();
        database = true;
      } catch {
        database = false;
      }
      let signer = !options.serverSigner;
      if (options.serverSigner) signer = (await options.serverSigner.certificateChain().then(() => true, () => false));
      return { database, signer };
    },
  });
  return { app, connection, models, accountModels, audit, agencies, users, logins, exchanges, sessions, drafts, documents, validator, peers, identity, deliveries, jobs, metrics, close: async () => {
    await jobs.stop();
    await deliveries.stop();
    await validator.close();
    // FerretDB answers endSessions with CommandNotFound; the connection is closed regardless.
    await connection.close().catch((error: unknown) => logger.debug({ err: error }, 'the database connection closed with an error'));
  } };
}

export type Service = Awaited<ReturnType<typeof openService>>;
