/**
 * createApp(deps) → the Express application (no listen; supertest drives it): request ids and their
 * logger, security headers, the routes of each capability (src/http/*.routes.ts) and the one error handler.
 */
import { randomUUID } from 'node:crypto';
import express from 'express';
import type { Logger } from 'pino';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import type { SessionService, UserService } from './accounts';
import type { AuditLog } from './audit';
import { AppError } from './errors';
import type { TimestampAuthority } from './network';
import { AgencyService, DocumentStore, DraftsService, ExchangeService, OPERATOR, PeersService, SigningSessionService } from './exchange';
import type { PeerIdentity } from './federation';
import { draftRoutes } from './http/drafts.routes';
import { agencyRoutes } from './http/agencies.routes';
import { auditRoutes } from './http/audit.routes';
import { createAuthenticator } from './http/authenticate';
import { createBodyParsers } from './http/body-parsers';
import { errorHandler } from './http/error-handler';
import { exchangeRoutes } from './http/exchanges.routes';
import { federationRoutes } from './http/federation.routes';
import { openApiDocument } from './http/openapi';
import { Authed, wrap } from './http/request-context';
import { securityHeaders } from './http/security-headers';
import { sessionRoutes } from './http/session.routes';
import { signingRoutes } from './http/signing.routes';
import { verificationRoutes } from './http/verification.routes';
import type { Signer } from './signers';
import type { DocumentValidator } from './validation';
import type { ServiceMetrics } from './metrics';

export interface AppDeps {
  agencies: AgencyService;
  /** Other Kyso instances, and this one's key for talking to them. */
  peers: PeersService;
  identity: PeerIdentity;
  /** People's accounts and their browser sessions. */
  users: UserService;
  logins: SessionService;
  /** The built web application (index.html and its assets), served at / when present. */
  webRoot?: string;
  exchanges: ExchangeService;
  sessions: SigningSessionService;
  /** Drafts awaiting an official's signature and the clerk's queue. */
  drafts: DraftsService;
  audit: AuditLog;
  /** Where exchange uploads stream to (GridFS). */
  documents: DocumentStore;
  /** Validates documents off the event loop (a worker pool in the service). */
  validator: DocumentValidator;
  /** Throws 429 for a caller (lane) braked for sending compression bombs: its uploads are refused unread. */
  refuseIfBraked?: (lane: string) => void;
  /** The service's default server-side key (HSM or PKCS#12), if any. */
  serverSigner?: Signer;
  /** Keys configured for particular agencies (their seal), by OrganId; they take precedence. */
  agencySigners?: Map<string, Signer>;
  /** RFC 3161 TSA for server-side signatures (PAdES B-T), if configured. */
  tsa?: TimestampAuthority;
  /** The red seal image (PNG) an agency's visible server-side signature shows, if configured. */
  sealImageFor?: (organId: string) => Buffer | undefined;
  uploadLimitBytes: number;
  /** Where uploads to sign are written while their request runs (default: a folder in the system's temporary one). */
  spoolDir?: string;
  logger: Logger;
  ready: () => Promise<{ database: boolean; signer: boolean }>;
  /** Liveness: false when a part the service cannot run without is gone for good (the embedded database). */
  alive?: () => { ok: boolean; reason?: string };
  /** Prometheus metrics: requests are counted here; GET /metrics serves them to the operator's key. */
  metrics?: ServiceMetrics;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const auth = createAuthenticator(deps.agencies, deps.logins);
  const body = createBodyParsers(deps.documents, deps.uploadLimitBytes, deps.spoolDir ?? path.join(os.tmpdir(), 'kyso-uploads'), deps.refuseIfBraked);
  // An edXML package carries its files base64-encoded (4/3 of their size) with every attachment beside the document.
  const maxPackageBytes = Math.ceil(deps.uploadLimitBytes * 4 / 3) * 2 + 4 * 1024 * 1024;

  app.use((req, res, next) => {
    const requestId = randomUUID();
    const authed = req as Authed;
    authed.requestId = requestId;
    authed.log = deps.logger.child({ requestId });
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      authed.log.info({ method: req.method, path: req.path, status: res.statusCode, ms }, 'request');
      // By route pattern (never the raw path: ids would make a series each), unmatched requests together.
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : res.statusCode === 404 ? 'unmatched' : 'static';
      deps.metrics?.request(route, req.method, res.statusCode, ms / 1000);
    });
    next();
  });
  app.use(securityHeaders());

  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  app.get('/healthz', (_req, res) => {
    const state = deps.alive?.() ?? { ok: true };
    res.status(state.ok ? 200 : 503).json({ status: state.ok ? 'ok' : 'failed', ...(state.reason ? { reason: state.reason } : {}) });
  });
  app.get('/readyz', (_req, res, next) => {
    deps.ready().then((state) => {
      res.status(state.database ? 200 : 503).json({ status: state.database ? 'ready' : 'not-ready', ...state });
    }, next);
  });

  app.use(sessionRoutes({ auth, body, sessions: deps.logins, users: deps.users }));
  app.use(agencyRoutes({ agencies: deps.agencies, auth, body }));
  app.use(signingRoutes({
    auth, body, audit: deps.audit, sessions: deps.sessions, validator: deps.validator, tsa: deps.tsa, sealImageFor: deps.sealImageFor,
    signerFor: (organId) => deps.agencySigners?.get(organId) ?? deps.serverSigner,
    issuing: { issueDocument: deps.exchanges.issueDocument, prepareIssuing: deps.exchanges.prepareIssuing },
  }));
  app.use(draftRoutes({ auth, body, drafts: deps.drafts, sessions: deps.sessions }));
  app.use(verificationRoutes({ auth, body, audit: deps.audit, validator: deps.validator }));
  app.use(exchangeRoutes({ auth, body, exchanges: deps.exchanges, documents: deps.documents, logger: deps.logger, maxPackageBytes, maxFileBytes: deps.uploadLimitBytes }));
  app.use(federationRoutes({ auth, body, peers: deps.peers, identity: deps.identity, receiveEdxml: deps.exchanges.receiveEdxml, maxBodyBytes: maxPackageBytes, maxFileBytes: deps.uploadLimitBytes }));
  app.use(auditRoutes({ auth, audit: deps.audit }));
  if (deps.metrics) {
    const metrics = deps.metrics;
    app.get('/metrics', auth(OPERATOR), wrap(async (_req, res) => {
      res.type(metrics.contentType).send(await metrics.text());
    }));
  }

  // The web application: its files, and index.html for every other page address (it routes in the browser).
  const index = deps.webRoot ? path.join(deps.webRoot, 'index.html') : undefined;
  if (deps.webRoot && index && fs.existsSync(index)) {
    app.use(express.static(deps.webRoot, { index: false, maxAge: '1h', setHeaders: (res, file) => {
      if (/[.-][0-9A-Za-z_-]{8}\.(js|css|woff2?|ttf)$/.test(file)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    } }));
    app.get(/^\/(?!v1\/|openapi\.json$).*/, (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index);
    });
  }

  app.use((req, _res, next) => next(new AppError('NOT_FOUND', `no route ${req.method} ${req.path}`)));
  app.use(errorHandler(deps.logger, deps.uploadLimitBytes));
  return app;
}
