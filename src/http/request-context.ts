/**
 * What every route shares: the request id and its logger, the authenticated caller, the handler wrapper
 * that forwards rejections to the one error handler, and reading a PDF, a metadata field or a date from a
 * request.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../errors';
import type { Caller } from '../exchange';

/** A request after authentication; `sessionId` is set when a person's session cookie authenticated it. */
export type Authed = Request & { caller: Caller; requestId: string; log: Logger; sessionId?: string };

export const wrap = (fn: (req: Authed, res: Response) => Promise<void>): RequestHandler => (req, res, next: NextFunction) => {
  fn(req as Authed, res).catch(next);
};

/** A PDF from a raw application/pdf body or a multipart field named "file". */
export function pdfBody(req: Request): { pdf: Buffer; fileName: string } {
  const files = (req as Request & { files?: Record<string, Express.Multer.File[]> }).files;
  const file = (req as Request & { file?: Express.Multer.File }).file ?? files?.file?.[0];
  if (file) return { pdf: file.buffer, fileName: file.originalname || 'document.pdf' };
  if (Buffer.isBuffer(req.body) && req.body.length > 0) return { pdf: req.body, fileName: 'document.pdf' };
  throw noPdfIn(req);
}

/** Why a request that should carry a PDF has none: the wrong media type, or an empty body. */
export function noPdfIn(req: Request): AppError {
  if (!req.is('application/pdf') && !req.is('multipart/form-data')) {
    return new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the PDF as application/pdf or as multipart/form-data field "file"');
  }
  return new AppError('INVALID_REQUEST', 'no PDF in the request');
}

/** The edXML-style header sent as a JSON multipart field named "metadata". */
export function metadataField(req: Request): unknown {
  const raw = (req.body as Record<string, unknown> | undefined)?.metadata;
  if (typeof raw !== 'string') throw new AppError('INVALID_REQUEST', 'the "metadata" field (JSON) is required');
  try {
    return JSON.parse(raw);
  } catch {
    throw new AppError('INVALID_REQUEST', 'the "metadata" field must be JSON');
  }
}

/** An optional ISO-8601 query parameter; malformed is a 400, never an unfiltered answer. */
export function optionalDate(value: unknown, name: string): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const d = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new AppError('INVALID_REQUEST', `${name} must be an ISO-8601 date or time`);
  return d;
}

/** `?format=` of a report: absent for JSON, `etsi` for the ETSI TS 119 102-2 XML report; anything else is a 400. */
export function reportFormat(value: unknown): 'json' | 'etsi' {
  if (value === undefined) return 'json';
  if (value === 'etsi') return 'etsi';
  throw new AppError('INVALID_REQUEST', 'format must be etsi (the ETSI TS 119 102-2 XML report) or absent (JSON)');
}

/** A JSON object body (admin and status endpoints); arrays, strings and null are refused with 400. */
export function objectBody(req: Request): Record<string, unknown> {
  const body = req.body as unknown;
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError('INVALID_REQUEST', 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

/** Streams a stored file with its length and digest; documents are never cached by intermediaries. */
export function sendFile(res: Response, doc: { stream: NodeJS.ReadableStream; fileName: string; size: number; sha256: string }, type: string): void {
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', String(doc.size));
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Digest', `sha-256=${Buffer.from(doc.sha256, 'hex').toString('base64')}`);
  res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(doc.fileName)}`);
  doc.stream.on('error', (e) => res.destroy(e as Error)).pipe(res);
}
