/**
 * Exchanges between agencies: send, receive from outside, list, read, status moves, recall, long-term
 * copies, re-verification and evidence. Uploads stream into the document store; those of a request that
 * fails are removed here, where they were made.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Request, RequestHandler, Response, Router } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../errors';
import type { DocumentStore, ExchangeService, RegisterBook } from '../exchange';
import { REGISTER_BOOKS, vietnamYear } from '../exchange';
import { DocumentReport, writeEtsiReport } from '../validation';
import type { Authenticator } from './authenticate';
import type { BodyParsers } from './body-parsers';
import { limitedBody } from './request-body';
import { Authed, metadataField, objectBody, optionalDate, pdfBody, reportFormat, sendFile, wrap } from './request-context';
import type { StreamedFile } from './streaming-upload';

const PAGE_SIZE_MAX = 200;

export function exchangeRoutes(deps: { auth: Authenticator; body: BodyParsers; exchanges: ExchangeService; documents: DocumentStore; logger: Logger; maxPackageBytes: number; maxFileBytes: number }): Router {
  const { auth, body, exchanges, documents } = deps;
  const router = Router();

  /** Runs a handler over streamed uploads; uploads the handler does not keep are removed when it fails. */
  const keepingUploads = (fn: (req: Authed, res: Response) => Promise<void>): RequestHandler => wrap(async (req, res) => {
    try {
      await fn(req, res);
    } catch (error) {
      const files = [(req as Request & { file?: StreamedFile }).file, ...Object.values((req as Request & { files?: Record<string, StreamedFile[]> }).files ?? {}).flat()];
      const ids = files.flatMap((f) => (f?.stored ? [f.stored.fileId] : []));
      await documents.discardUnreferenced(ids).catch((cleanup: unknown) => {
        // The hourly sweep removes them later; the request's own error is what the caller needs.
        req.log.warn({ err: cleanup, files: ids.map(String) }, 'uploads of a failed request not removed yet');
      });
      throw error;
    }
  });

  router.post('/v1/exchanges', auth('clerk'), body.documentWithAttachments, keepingUploads(async (req, res) => {
    const { pdf, fileName } = pdfBody(req);
    const metadata = metadataField(req);
    const files = (req as Request & { files?: Record<string, StreamedFile[]> }).files;
    const attachments = (files?.attachments ?? []).map((f) => ({ name: f.originalname || 'attachment', bytes: f.buffer, stored: f.stored }));
    const { created, view } = await exchanges.send(req.caller, {
      pdf, fileName, stored: files?.file?.[0]?.stored, metadata, attachments, idempotencyKey: req.get('idempotency-key') ?? '',
    });
    res.status(created ? 201 : 200).json(view);
  }));
  router.post('/v1/exchanges/inbound', auth('receiver', 'clerk'), body.documentToStore, keepingUploads(async (req, res) => {
    // An edXML package (QCVN 102:2016): a document for the caller's agency, or a status of one it sent.
    if (req.is('application/xml') || req.is('text/xml')) {
      const answer = await exchanges.receiveEdxml.fromAgency(req.caller, limitedBody(req, deps.maxPackageBytes), {
        idempotencyKey: req.get('idempotency-key') || undefined, maxFileBytes: deps.maxFileBytes,
      });
      if (answer.kind === 'status') {
        res.json(answer.view);
        return;
      }
      if (answer.kind === 'recall') {
        res.json({ recalled: answer.results });
        return;
      }
      res.status(answer.created ? 201 : 200).json(await exchanges.get(req.caller, answer.exchangeId, { logAccess: false }));
      return;
    }
    const { pdf, fileName } = pdfBody(req);
    const metadata = metadataField(req);
    const stored = (req as Request & { file?: StreamedFile }).file?.stored;
    const { exchange, created } = await exchanges.receive(req.caller, { pdf, fileName, stored, metadata, idempotencyKey: req.get('idempotency-key') ?? '' });
    res.status(created ? 201 : 200).json(await exchanges.get(req.caller, exchange.exchangeId, { logAccess: false }));
  }));
  router.get('/v1/exchanges', auth('clerk', 'receiver', 'archivist', 'signer'), wrap(async (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const box = q.box === 'outbox' ? 'outbox' : q.box === 'inbox' || q.box === undefined ? 'inbox' : undefined;
    if (!box) throw new AppError('INVALID_REQUEST', 'box must be inbox or outbox');
    const page = Math.max(1, Number(q.page ?? 1) || 1);
    const pageSize = Math.min(PAGE_SIZE_MAX, Math.max(1, Number(q.pageSize ?? 50) || 50));
    const text = (v: string | undefined, max: number) => (v && v.trim() ? v.trim().slice(0, max) : undefined);
    res.json(await exchanges.list(req.caller, {
      box, status: text(q.status, 2), from: optionalDate(q.from, 'from'), to: optionalDate(q.to, 'to'), page, pageSize,
      counterpart: text(q.counterpart, 35), number: text(q.number, 80), text: text(q.q, 200),
    }));
  }));
  router.get('/v1/exchanges/:id', auth(), wrap(async (req, res) => {
    res.json(await exchanges.get(req.caller, String(req.params.id)));
  }));
  // A long-term (PAdES B-LTA) copy of the document, kept beside the original; again later, a renewal.
  router.post('/v1/exchanges/:id/archives', auth('clerk', 'receiver'), wrap(async (req, res) => {
    res.status(201).json(await exchanges.archive(req.caller, String(req.params.id)));
  }));
  router.get('/v1/archives/due', auth('archivist', 'clerk', 'receiver'), wrap(async (req, res) => {
    const within = Number(req.query.within ?? 90);
    if (!Number.isFinite(within) || within < 0 || within > 36500) throw new AppError('INVALID_REQUEST', 'within is a number of days (0–36500)');
    res.json(await exchanges.archivesDue(req.caller, within));
  }));
  router.get('/v1/exchanges/:id/archives/latest', auth(), wrap(async (req, res) => {
    sendFile(res, await exchanges.openArchive(req.caller, String(req.params.id)), 'application/pdf');
  }));
  // Archival re-verification of the stored document (?at=ISO-8601 validates as of that time).
  router.post('/v1/exchanges/:id/verifications', auth(), wrap(async (req, res) => {
    res.json(await exchanges.reverify(req.caller, String(req.params.id), { at: optionalDate(req.query.at, 'at') }));
  }));
  router.get('/v1/exchanges/:id/evidence', auth(), wrap(async (req, res) => {
    const evidence = await exchanges.evidence(req.caller, String(req.params.id));
    res.setHeader('Content-Disposition', `attachment; filename="evidence-${encodeURIComponent(String(req.params.id))}.json"`);
    res.setHeader('Cache-Control', 'no-store');
    res.json(evidence);
  }));
  router.get('/v1/exchanges/:id/report', auth(), wrap(async (req, res) => {
    const format = reportFormat(req.query.format);
    const report = await exchanges.report(req.caller, String(req.params.id));
    if (format !== 'etsi') {
      res.json(report);
      return;
    }
    // The ETSI TS 119 102-2 XML report of the verdict stored at receipt; records made without one (the
    // demo's year of exchanges) have none to give.
    const stored = report as Partial<DocumentReport>;
    if (!Array.isArray(stored.signatures)) throw new AppError('NOT_FOUND', 'no verification report is stored for this exchange');
    res.type('application/xml').send(writeEtsiReport(stored as DocumentReport));
  }));
  router.get('/v1/exchanges/:id/attachments/:index', auth(), wrap(async (req, res) => {
    const index = Number(req.params.index);
    if (!Number.isInteger(index) || index < 0) throw new AppError('INVALID_REQUEST', 'the attachment index is a number from 0');
    sendFile(res, await exchanges.openDocument(req.caller, String(req.params.id), index), 'application/octet-stream');
  }));
  // The exchange as an edXML package (the document and attachments base64 after the envelope), streamed.
  router.get('/v1/exchanges/:id/edxml', auth(), wrap(async (req, res) => {
    const { fileName, body: xml } = await exchanges.exportEdxml(req.caller, String(req.params.id));
    res.setHeader('Content-Type', 'application/xml; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
    await pipeline(Readable.from(xml), res);
  }));
  // The caller's status on a document it received, as an edXML Status package (?entry=N for an earlier one).
  router.get('/v1/exchanges/:id/status/edxml', auth(), wrap(async (req, res) => {
    const entry = req.query.entry === undefined ? undefined : Number(req.query.entry);
    if (entry !== undefined && (!Number.isInteger(entry) || entry < 0)) throw new AppError('INVALID_REQUEST', 'entry is the index of a status in the history, from 0');
    res.type('application/xml').send(await exchanges.exportStatus(req.caller, String(req.params.id), entry));
  }));
  // The arrival mark (ĐẾN): số đến from the incoming register, stamped as the agency's signature on its copy.
  router.post('/v1/exchanges/:id/arrival', auth('receiver', 'clerk'), body.json, wrap(async (req, res) => {
    res.status(201).json(await exchanges.stampArrival(req.caller, String(req.params.id), objectBody(req)));
  }));
  router.get('/v1/exchanges/:id/arrival/document', auth(), wrap(async (req, res) => {
    sendFile(res, await exchanges.openArrival(req.caller, String(req.params.id)), 'application/pdf');
  }));
  // Copies (SAO Y, SAO LỤC, TRÍCH SAO) signed by the copying agency, numbered in its copy register.
  router.post('/v1/exchanges/:id/copies', auth('clerk'), body.json, wrap(async (req, res) => {
    res.status(201).json(await exchanges.makeCopy(req.caller, String(req.params.id), objectBody(req)));
  }));
  router.get('/v1/exchanges/:id/copies', auth(), wrap(async (req, res) => {
    res.json({ items: await exchanges.listCopies(req.caller, String(req.params.id)) });
  }));
  router.get('/v1/exchanges/:id/copies/:copyId/document', auth(), wrap(async (req, res) => {
    sendFile(res, await exchanges.openCopy(req.caller, String(req.params.id), String(req.params.copyId)), 'application/pdf');
  }));
  router.get('/v1/registers/:book', auth('clerk', 'archivist', 'receiver'), wrap(async (req, res) => {
    const book = String(req.params.book);
    if (!(REGISTER_BOOKS as readonly string[]).includes(book)) throw new AppError('INVALID_REQUEST', `the register is one of ${REGISTER_BOOKS.join(', ')}`);
    const year = req.query.year === undefined ? vietnamYear(new Date()) : Number(req.query.year);
    if (!Number.isInteger(year) || year < 1945 || year > 2200) throw new AppError('INVALID_REQUEST', 'year is a year (e.g. 2026)');
    res.json({ book, year, items: await exchanges.registers.list(req.caller.organId, book as RegisterBook, year) });
  }));
  router.get('/v1/exchanges/:id/document', auth(), wrap(async (req, res) => {
    sendFile(res, await exchanges.openDocument(req.caller, String(req.params.id)), 'application/pdf');
  }));
  router.post('/v1/exchanges/:id/status', auth('receiver', 'clerk'), body.json, wrap(async (req, res) => {
    res.json(await exchanges.changeStatus(req.caller, String(req.params.id), objectBody(req)));
  }));
  router.post('/v1/exchanges/:id/recall', auth('clerk'), body.json, wrap(async (req, res) => {
    res.json(await exchanges.recall(req.caller, String(req.params.id), objectBody(req).reason));
  }));
  router.get('/v1/statistics', auth('archivist', 'clerk', 'admin'), wrap(async (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const from = optionalDate(q.from, 'from');
    const to = optionalDate(q.to, 'to');
    if (from && to && from > to) throw new AppError('INVALID_REQUEST', 'from must not be after to');
    res.json(await exchanges.statistics(req.caller, { from, to }));
  }));
  return router;
}
