/**
 * A PDF upload written to a file of its own as it arrives (application/pdf, or multipart field "file"),
 * so a request that signs a large document never holds it in memory: the signature reads the file where it
 * needs to and the answer streams it back. The file lives as long as the request: it is removed when the
 * response is finished or the client goes away, and an upload over the limit is cut off and removed.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Transform, TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { AppError } from '../errors';
import { uploadTooLarge } from './error-handler';
import { noPdfIn } from './request-context';

export interface SpooledPdf {
  path: string;
  fileName: string;
  size: number;
}

const SPOOLED = Symbol('spooled pdf');
const WRITTEN = Symbol('files written');
type SpoolingRequest = Request & { [SPOOLED]?: SpooledPdf; [WRITTEN]?: string[]; file?: Express.Multer.File };

/** The upload's file, once the spooling handler ran. */
export function spooledPdf(req: Request): SpooledPdf {
  const spooled = (req as SpoolingRequest)[SPOOLED];
  if (!spooled || spooled.size === 0) throw noPdfIn(req);
  return spooled;
}

/** Counts what passes and fails once past the limit. */
class SizeLimit extends Transform {
  size = 0;
  constructor(private readonly limit: number) {
    super();
  }

  override _transform(piece: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.size += piece.length;
    if (this.size > this.limit) done(uploadTooLarge(this.limit));
    else done(null, piece);
  }
}

/** Uploads left by a process that stopped in the middle of a request are removed at start after this long. */
const STALE_MS = 3600_000;

/**
 * The two readers of a PDF to spool: `multipart` (field "file", multer's errors left to the caller to map)
 * and `raw` (application/pdf; any other body is left alone, so spooledPdf names what is wrong with it).
 */
export function spoolUpload(dir: string, limitBytes: number): { multipart: RequestHandler; raw: RequestHandler } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const entry of readdirSync(dir)) {
    const file = path.join(dir, entry);
    if (entry.startsWith('upload-') && Date.now() - statSync(file).mtimeMs > STALE_MS) rmSync(file, { force: true });
  }
  /** A new file name in the folder, remembered on the request so that it is removed with it. */
  const name = (req: SpoolingRequest) => {
    const file = `upload-${process.pid}-${randomBytes(8).toString('hex')}.pdf`;
    (req[WRITTEN] ??= []).push(path.join(dir, file));
    return file;
  };
  /** Whatever happens next, the files of the request go with it. */
  const removeWithRequest = (req: SpoolingRequest, res: Response) => res.on('close', () => {
    for (const file of req[WRITTEN] ?? []) rmSync(file, { force: true });
  });
  const toDisk = multer({
    storage: multer.diskStorage({ destination: dir, filename: (req, _file, done) => done(null, name(req as SpoolingRequest)) }),
    limits: { fileSize: limitBytes, files: 1, fields: 20, fieldSize: 1024 * 1024 },
  }).single('file');

  const multipart: RequestHandler = (req, res, next) => {
    const r = req as SpoolingRequest;
    removeWithRequest(r, res);
    toDisk(req, res, (error?: unknown) => {
      if (error) return next(error);
      if (r.file) r[SPOOLED] = { path: r.file.path, fileName: r.file.originalname || 'document.pdf', size: r.file.size };
      next();
    });
  };

  const raw: RequestHandler = (req, res, next) => {
    if (!req.is('application/pdf')) return next();
    if (Number(req.headers['content-length']) > limitBytes) return next(uploadTooLarge(limitBytes));
    const r = req as SpoolingRequest;
    removeWithRequest(r, res);
    const file = path.join(dir, name(r));
    const limit = new SizeLimit(limitBytes);
    const written = pipeline(limit, createWriteStream(file, { mode: 0o600 }));
    // The request is piped rather than put in the pipeline: on an error it is drained, not destroyed, so
    // the client still reads the 413 or 400.
    req.pipe(limit);
    req.on('close', () => {
      if (!req.complete) limit.destroy(new AppError('INVALID_REQUEST', 'the upload was cut off'));
    });
    written.then(
      () => {
        r[SPOOLED] = { path: file, fileName: 'document.pdf', size: limit.size };
        next();
      },
      (error: unknown) => {
        req.unpipe(limit);
        req.resume();
        rmSync(file, { force: true });
        next(error instanceof AppError ? error : new AppError('INVALID_REQUEST', 'the upload was cut off', { cause: error }));
      },
    );
  };
  return { multipart, raw };
}
