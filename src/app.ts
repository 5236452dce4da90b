/**
 * createApp(deps) → the Express application (no listen; supertest drives it). Routes translate HTTP to the
 * library and services; one error handler turns every error into RFC 9457 problem+json with a code and a
 * request id, never a stack trace.
 */
import { randomUUID } from 'node:crypto';
import express, { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import type { Logger } from 'pino';
import type { AuditLog } from './audit';
import { AppError, isAppError } from './errors';
import type { AgencyService, Caller, DocumentStore, ExchangeService, Role, SigningSessionService } from './exchange';
import { statusFor } from './http/error-status';
import { openApiDocument } from './http/openapi';
import { StreamedFile, streamingUpload } from './http/streaming-upload';
import type { Signer } from './signers';
import { buildSignerStamp, parsePlacement, signPdf } from './signing';
import { validatePdf, ValidationContext } from './validation';

export interface AppDeps {
  agencies: AgencyService;
  exchanges: ExchangeService;
  sessions: SigningSessionService;
  audit: AuditLog;
  /** Where exchange uploads stream to (GridFS). */
  documents: DocumentStore;
  validation: ValidationContext;
  /** The service's default server-side key (HSM or PKCS#12), if any. */
  serverSigner?: Signer;
  /** Keys configured for particular agencies (their seal), by OrganId; they take precedence. */
  agencySigners?: Map<string, Signer>;
  /** RFC 3161 TSA for server-side signatures (PAdES B-T), if configured. */
  tsaUrl?: string;
  /** The red seal image (PNG) an agency's visible server-side signature shows, if configured. */
  sealImageFor?: (organId: string) => Buffer | undefined;
  uploadLimitBytes: number;
  logger: Logger;
  ready: () => Promise<{ database: boolean; signer: boolean }>;
}

type Authed = Request & { caller: Caller; requestId: string };

const wrap = (fn: (req: Authed, res: Response) => Promise<void>): RequestHandler => (req, res, next) => {
  fn(req as Authed, res).catch(next);
};

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: deps.uploadLimitBytes, files: 1, fields: 20 } });
  // Documents that are kept (exchanges) stream into GridFS as they arrive; the others stay in memory.
  const streamed = streamingUpload(deps.documents);
  const uploadWithAttachments = multer({ storage: streamed, limits: { fileSize: deps.uploadLimitBytes, files: 21, fields: 20 } })
    .fields([{ name: 'file', maxCount: 1 }, { name: 'attachments', maxCount: 20 }]);
  const uploadToStore = multer({ storage: streamed, limits: { fileSize: deps.uploadLimitBytes, files: 1, fields: 20 } });
  const rawPdf = express.raw({ type: 'application/pdf', limit: deps.uploadLimitBytes });
  const json = express.json({ limit: '1mb' });

  app.use((req, res, next) => {
    const requestId = randomUUID();
    (req as Authed).requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      deps.logger.info({ requestId, method: req.method, path: req.path, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'request');
    });
    next();
  });

  const auth = (...roles: Role[]): RequestHandler => (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    deps.agencies.authenticate(token).then((caller) => {
      if (roles.length && !roles.includes(caller.role)) throw new AppError('FORBIDDEN', `this action needs the role ${roles.join(' or ')}`);
      (req as Authed).caller = caller;
      next();
    }).catch(next);
  };

  /** A PDF from a raw application/pdf body or a multipart field named "file". */
  const pdfBody = (req: Request): { pdf: Buffer; fileName: string } => {
    const files = (req as Request & { files?: Record<string, Express.Multer.File[]> }).files;
    const file = (req as Request & { file?: Express.Multer.File }).file ?? files?.file?.[0];
    if (file) return { pdf: file.buffer, fileName: file.originalname || 'document.pdf' };
    if (Buffer.isBuffer(req.body) && req.body.length > 0) return { pdf: req.body, fileName: 'document.pdf' };
    if (!req.is('application/pdf') && !req.is('multipart/form-data')) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the PDF as application/pdf or as multipart/form-data field "file"');
    }
    throw new AppError('INVALID_REQUEST', 'no PDF in the request');
  };
  /** The edXML-style header sent as a JSON multipart field named "metadata". */
  const metadataField = (req: Request): unknown => {
    try {
      return JSON.parse(String((req.body as Record<string, unknown>).metadata ?? ''));
    } catch {
      throw new AppError('INVALID_REQUEST', 'the "metadata" field must be JSON');
    }
  };
  const acceptPdf: RequestHandler[] = [
    (req, _res, next) => (req.is('multipart/form-data') ? upload.single('file')(req, _res, next) : rawPdf(req, _res, next)),
  ];

  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', wrap(async (_req, res) => {
    const state = await deps.ready();
    res.status(state.database ? 200 : 503).json({ status: state.database ? 'ready' : 'not-ready', ...state });
  }));

  app.get('/v1/agencies', auth(), wrap(async (_req, res) => {
    res.json({ items: await deps.agencies.listAgencies() });
  }));
  app.post('/v1/admin/agencies', auth('admin'), json, wrap(async (req, res) => {
    const agency = await deps.agencies.registerAgency({ organId: req.body?.organId, name: req.body?.name, acceptPublicCa: req.body?.acceptPublicCa }, req.caller);
    res.status(201).json({ organId: agency.organId, name: agency.name, active: agency.active });
  }));
  app.post('/v1/admin/agencies/:organId/rename', auth('admin'), json, wrap(async (req, res) => {
    const agency = await deps.agencies.renameAgency(String(req.params.organId), req.body?.name, req.caller);
    res.json({ organId: agency.organId, name: agency.name, history: agency.history });
  }));
  app.post('/v1/admin/agencies/:organId/code', auth('admin'), json, wrap(async (req, res) => {
    const agency = await deps.agencies.changeAgencyCode(String(req.params.organId), req.body?.organId, req.caller);
    res.json({ organId: agency.organId, name: agency.name, history: agency.history });
  }));
  app.post('/v1/admin/agencies/:organId/api-keys', auth('admin'), json, wrap(async (req, res) => {
    res.status(201).json(await deps.agencies.issueApiKey(String(req.params.organId), req.body?.role, req.caller));
  }));
  app.delete('/v1/admin/api-keys/:keyId', auth('admin'), wrap(async (req, res) => {
    await deps.agencies.revokeApiKey(String(req.params.keyId), req.caller);
    res.status(204).end();
  }));

  app.post('/v1/signatures', auth('signer', 'clerk'), ...acceptPdf, wrap(async (req, res) => {
    const signer = deps.agencySigners?.get(req.caller.organId) ?? deps.serverSigner;
    if (!signer) throw new AppError('SIGNER_NOT_CONFIGURED', `no server-side signing key is configured for agency ${req.caller.organId}`);
    const { pdf } = pdfBody(req);
    const q = req.query as Record<string, string | undefined>;
    const signingTime = new Date();
    // visible=PAGE:X1:Y1:X2:Y2: the agency's seal image where one is configured, else the text stamp.
    const appearance = q.visible
      ? await buildSignerStamp({ certificate: (await signer.certificateChain())[0], placement: parsePlacement(q.visible), signingTime, sealImage: deps.sealImageFor?.(req.caller.organId) })
      : undefined;
    const result = await signPdf(pdf, signer, { reason: q.reason, location: q.location, fieldName: q.field, appearance, signingTime, tsaUrl: deps.tsaUrl });
    await deps.audit.append({ type: 'document.signed', organId: req.caller.organId, keyId: req.caller.keyId, details: { field: q.field ?? null } });
    res.type('application/pdf').send(Buffer.concat(result.parts));
  }));

  app.post('/v1/signing-sessions', auth('signer', 'clerk'), upload.single('file'), wrap(async (req, res) => {
    const { pdf } = pdfBody(req);
    const b = req.body as Record<string, string | undefined>;
    const session = await deps.sessions.open(req.caller, {
      pdf, certificateChainPem: b.certificateChain ?? '', scheme: b.scheme as never, digestAlgorithm: b.digestAlgorithm as never,
      fieldName: b.fieldName, reason: b.reason, location: b.location,
    });
    res.status(201).json(session);
  }));
  app.put('/v1/signing-sessions/:id', auth('signer', 'clerk'), json, wrap(async (req, res) => {
    const signed = await deps.sessions.complete(req.caller, String(req.params.id), req.body?.signatureValue);
    res.type('application/pdf').send(signed);
  }));

  app.post('/v1/verifications', auth(), ...acceptPdf, wrap(async (req, res) => {
    const { pdf, fileName } = pdfBody(req);
    const report = await validatePdf(pdf, deps.validation, fileName, { hashFile: true });
    if (report.error) throw new AppError('PDF_MALFORMED', report.error.en);
    await deps.audit.append({ type: 'document.verified', organId: req.caller.organId, keyId: req.caller.keyId, details: { sha256: report.sha256, indication: report.indication } });
    res.json(report);
  }));

  /** Runs a handler over streamed uploads; uploads the handler does not keep are removed when it fails. */
  const keepingUploads = (fn: (req: Authed, res: Response) => Promise<void>): RequestHandler => wrap(async (req, res) => {
    try {
      await fn(req, res);
    } catch (error) {
      const files = [(req as Request & { file?: StreamedFile }).file, ...Object.values((req as Request & { files?: Record<string, StreamedFile[]> }).files ?? {}).flat()];
      await deps.documents.discardUnreferenced(files.flatMap((f) => (f?.stored ? [f.stored.fileId] : []))).catch(() => undefined);
      throw error;
    }
  });
  app.post('/v1/exchanges', auth('clerk'), uploadWithAttachments, keepingUploads(async (req, res) => {
    const { pdf, fileName } = pdfBody(req);
    const metadata = metadataField(req);
    const files = (req as Request & { files?: Record<string, StreamedFile[]> }).files;
    const attachments = (files?.attachments ?? []).map((f) => ({ name: f.originalname || 'attachment', bytes: f.buffer, stored: f.stored }));
    const { created, view } = await deps.exchanges.send(req.caller, {
      pdf, fileName, stored: files?.file?.[0]?.stored, metadata, attachments, idempotencyKey: req.get('idempotency-key') ?? '',
    });
    res.status(created ? 201 : 200).json(view);
  }));
  app.post('/v1/exchanges/inbound', auth('receiver', 'clerk'), uploadToStore.single('file'), keepingUploads(async (req, res) => {
    const { pdf, fileName } = pdfBody(req);
    const metadata = metadataField(req);
    const stored = (req as Request & { file?: StreamedFile }).file?.stored;
    const { exchange, created } = await deps.exchanges.receive(req.caller, { pdf, fileName, stored, metadata, idempotencyKey: req.get('idempotency-key') ?? '' });
    res.status(created ? 201 : 200).json(await deps.exchanges.get(req.caller, exchange.exchangeId, { logAccess: false }));
  }));
  app.get('/v1/exchanges', auth('clerk', 'receiver', 'archivist', 'signer'), wrap(async (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const box = q.box === 'outbox' ? 'outbox' : q.box === 'inbox' || q.box === undefined ? 'inbox' : undefined;
    if (!box) throw new AppError('INVALID_REQUEST', 'box must be inbox or outbox');
    const date = (v?: string) => {
      if (!v) return undefined;
      const d = new Date(v);
      if (Number.isNaN(d.getTime())) throw new AppError('INVALID_REQUEST', `not a date: ${v}`);
      return d;
    };
    const page = Math.max(1, Number(q.page ?? 1) || 1);
    const pageSize = Math.min(200, Math.max(1, Number(q.pageSize ?? 50) || 50));
    res.json(await deps.exchanges.list(req.caller, { box, status: q.status, from: date(q.from), to: date(q.to), page, pageSize }));
  }));
  app.get('/v1/exchanges/:id', auth(), wrap(async (req, res) => {
    res.json(await deps.exchanges.get(req.caller, String(req.params.id)));
  }));
  // A long-term (PAdES B-LTA) copy of the document, kept beside the original; again later, a renewal.
  app.post('/v1/exchanges/:id/archives', auth('clerk', 'receiver'), wrap(async (req, res) => {
    res.status(201).json(await deps.exchanges.archive(req.caller, String(req.params.id)));
  }));
  app.get('/v1/archives/due', auth('archivist', 'clerk', 'receiver'), wrap(async (req, res) => {
    const within = Number(req.query.within ?? 90);
    if (!Number.isFinite(within) || within < 0 || within > 36500) throw new AppError('INVALID_REQUEST', 'within is a number of days (0–36500)');
    res.json(await deps.exchanges.archivesDue(req.caller, within));
  }));
  app.get('/v1/exchanges/:id/archives/latest', auth(), wrap(async (req, res) => {
    sendFile(res, await deps.exchanges.openArchive(req.caller, String(req.params.id)), 'application/pdf');
  }));
  // Archival re-verification of the stored document (?at=ISO-8601 validates as of that time).
  app.post('/v1/exchanges/:id/verifications', auth(), wrap(async (req, res) => {
    const at = typeof req.query.at === 'string' ? new Date(req.query.at) : undefined;
    if (at && Number.isNaN(at.getTime())) throw new AppError('INVALID_REQUEST', 'at must be an ISO-8601 time');
    res.json(await deps.exchanges.reverify(req.caller, String(req.params.id), { at }));
  }));
  app.get('/v1/exchanges/:id/evidence', auth(), wrap(async (req, res) => {
    res.setHeader('Content-Disposition', `attachment; filename="evidence-${encodeURIComponent(String(req.params.id))}.json"`);
    res.json(await deps.exchanges.evidence(req.caller, String(req.params.id)));
  }));
  app.get('/v1/exchanges/:id/report', auth(), wrap(async (req, res) => {
    res.json(await deps.exchanges.report(req.caller, String(req.params.id)));
  }));
  const sendFile = (res: Response, doc: { stream: NodeJS.ReadableStream; fileName: string; size: number; sha256: string }, type: string): void => {
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Length', String(doc.size));
    res.setHeader('Digest', `sha-256=${Buffer.from(doc.sha256, 'hex').toString('base64')}`);
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(doc.fileName)}`);
    doc.stream.on('error', (e) => res.destroy(e as Error)).pipe(res);
  };
  app.get('/v1/exchanges/:id/attachments/:index', auth(), wrap(async (req, res) => {
    const index = Number(req.params.index);
    if (!Number.isInteger(index) || index < 0) throw new AppError('INVALID_REQUEST', 'the attachment index is a number from 0');
    sendFile(res, await deps.exchanges.openDocument(req.caller, String(req.params.id), index), 'application/octet-stream');
  }));
  app.get('/v1/exchanges/:id/document', auth(), wrap(async (req, res) => {
    const doc = await deps.exchanges.openDocument(req.caller, String(req.params.id));
    sendFile(res, doc, 'application/pdf');
  }));
  app.post('/v1/exchanges/:id/status', auth('receiver', 'clerk'), json, wrap(async (req, res) => {
    res.json(await deps.exchanges.changeStatus(req.caller, String(req.params.id), req.body ?? {}));
  }));
  app.post('/v1/exchanges/:id/recall', auth('clerk'), json, wrap(async (req, res) => {
    res.json(await deps.exchanges.recall(req.caller, String(req.params.id), req.body?.reason));
  }));
  app.get('/v1/statistics', auth('archivist', 'clerk', 'admin'), wrap(async (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    res.json(await deps.exchanges.statistics(req.caller, { from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined }));
  }));
  app.get('/v1/audit', auth('archivist', 'admin'), wrap(async (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    res.json({ items: await deps.audit.list({ subject: q.subject, organId: req.caller.role === 'admin' ? q.organId : req.caller.organId }) });
  }));
  app.get('/v1/audit/verify', auth('archivist', 'admin'), wrap(async (_req, res) => {
    res.json(await deps.audit.verify());
  }));

  app.use((req, _res, next) => next(new AppError('NOT_FOUND', `no route ${req.method} ${req.path}`)));

  // The one error handler: operational errors by code, everything else a 500 without internals.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    void _next;
    const requestId = (req as Authed).requestId;
    let appError: AppError;
    const e = error as { type?: string; code?: string; status?: number; name?: string };
    if (isAppError(error)) appError = error;
    else if (e?.type === 'entity.too.large' || e?.code === 'LIMIT_FILE_SIZE') appError = new AppError('PAYLOAD_TOO_LARGE', `the upload exceeds the limit of ${deps.uploadLimitBytes} bytes`);
    else if (e?.type === 'entity.parse.failed') appError = new AppError('INVALID_REQUEST', 'the JSON body cannot be parsed');
    else if (e?.name === 'MulterError') appError = new AppError('INVALID_REQUEST', `bad multipart upload (${e.code})`);
    else if (e?.name === 'MongoServerSelectionError' || e?.name === 'MongoNetworkError') appError = new AppError('DATABASE_UNAVAILABLE', 'the database is unavailable; try again');
    else {
      deps.logger.error({ requestId, err: error }, 'unexpected error');
      res.status(500).type('application/problem+json').json({ type: 'about:blank', title: 'Internal Server Error', status: 500, code: 'INTERNAL', requestId });
      return;
    }
    const status = statusFor(appError.code);
    if (status >= 500) deps.logger.warn({ requestId, code: appError.code }, appError.message);
    res.status(status).type('application/problem+json').json({
      type: `https://kyso.vn/problems/${appError.code.toLowerCase().replace(/_/g, '-')}`,
      title: appError.code,
      status,
      code: appError.code,
      detail: appError.message,
      requestId,
      ...(appError.details && status < 500 ? { details: appError.details } : {}),
    });
  });
  return app;
}
