/**
 * Request body readers with their limits: JSON (small, shallow), raw PDF, multipart held in memory
 * (verification, signing sessions), a PDF written to disk (server-side signatures) or streamed into the
 * document store (exchanges). Malformed or cut-off bodies
 * become 400s here instead of reaching the error handler as unknown errors.
 */
import express, { RequestHandler } from 'express';
import multer from 'multer';
import { AppError } from '../errors';
import type { DocumentStore } from '../exchange';
import { spoolUpload } from './spool-upload';
import { streamingUpload } from './streaming-upload';
import type { Authed } from './request-context';

/** JSON bodies nest no deeper than this (request metadata is flat; depth only costs). */
const MAX_JSON_DEPTH = 16;
const MAX_ATTACHMENTS = 20;

function depthOf(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop() as [unknown, number];
    if (d > max) max = d;
    if (d > MAX_JSON_DEPTH) return d;
    if (v && typeof v === 'object') for (const child of Object.values(v as object)) stack.push([child, d + 1]);
  }
  return max;
}

/** Errors of the multipart parser other than limits and storage become a 400 for a malformed body. */
function multipartErrors(handler: RequestHandler): RequestHandler {
  return (req, res, next) => handler(req, res, (error?: unknown) => {
    if (!error) return next();
    const e = error as { name?: string; code?: string };
    if (e instanceof AppError || e.name === 'MulterError' || e.name?.startsWith('Mongo') || e.code === 'ECONNRESET') return next(error);
    next(new AppError('INVALID_REQUEST', 'the multipart body is malformed or was cut off', { cause: error }));
  });
}

/**
 * A caller braked for sending compression bombs (see validation/hostile-brake.ts) gets 429 before its upload
 * is read, and the connection is closed rather than drained: its bytes cost nothing but the refusal. The
 * lane is the one routes validate under (the agency, or the key of a caller without one).
 */
function refuseBraked(refuseIfBraked: ((lane: string) => void) | undefined, reader: RequestHandler): RequestHandler {
  if (!refuseIfBraked) return reader;
  return (req, res, next) => {
    const caller = (req as Partial<Authed>).caller;
    try {
      if (caller) refuseIfBraked(caller.organId || caller.keyId);
    } catch (error) {
      res.setHeader('Connection', 'close');
      return next(error);
    }
    reader(req, res, next);
  };
}

export function createBodyParsers(documents: DocumentStore, uploadLimitBytes: number, spoolDir: string, refuseIfBraked?: (lane: string) => void) {
  const jsonParser = express.json({ limit: '1mb', strict: true });
  const json: RequestHandler = (req, res, next) => jsonParser(req, res, (error?: unknown) => {
    if (error) return next(error);
    if (depthOf(req.body) > MAX_JSON_DEPTH) return next(new AppError('INVALID_REQUEST', `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`));
    next();
  });
  const inMemory = multer({ storage: multer.memoryStorage(), limits: { fileSize: uploadLimitBytes, files: 1, fields: 20, fieldSize: 1024 * 1024 } });
  const streamed = streamingUpload(documents);
  const rawPdf = express.raw({ type: 'application/pdf', limit: uploadLimitBytes });
  /** Multipart bodies to one reader (its errors mapped), anything else to the other. */
  const byKind = (multipart: RequestHandler, raw: RequestHandler): RequestHandler => {
    const checked = multipartErrors(multipart);
    return (req, res, next) => (req.is('multipart/form-data') ? checked : raw)(req, res, next);
  };
  const spool = spoolUpload(spoolDir, uploadLimitBytes);
  /** A PDF as application/pdf or as multipart field "file", held in memory. */
  const pdf = byKind(inMemory.single('file'), rawPdf);
  const braked = (reader: RequestHandler): RequestHandler => refuseBraked(refuseIfBraked, reader);
  return {
    json,
    pdf: braked(pdf),
    /** A PDF as application/pdf or multipart "file", written to a file of the request's own (see spooledPdf). */
    pdfToDisk: braked(byKind(spool.multipart, spool.raw)),
    /** Multipart with one file "file" held in memory (signing sessions). */
    singleFile: braked(multipartErrors(inMemory.single('file'))),
    /** Multipart "file" and up to 20 "attachments", streamed into the document store. */
    documentWithAttachments: braked(multipartErrors(multer({ storage: streamed, limits: { fileSize: uploadLimitBytes, files: MAX_ATTACHMENTS + 1, fields: 20, fieldSize: 1024 * 1024 } })
      .fields([{ name: 'file', maxCount: 1 }, { name: 'attachments', maxCount: MAX_ATTACHMENTS }]))),
    /** Multipart with one file "file", streamed into the document store. */
    documentToStore: braked(multipartErrors(multer({ storage: streamed, limits: { fileSize: uploadLimitBytes, files: 1, fields: 20, fieldSize: 1024 * 1024 } }).single('file'))),
  };
}

export type BodyParsers = ReturnType<typeof createBodyParsers>;
