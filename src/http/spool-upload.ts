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
import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import { AppError } from '../errors';

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
  if (!spooled || spooled.size === 0) throw new AppError('INVALID_REQUEST', 'no PDF in the request');
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
    if (this.size > this.limit) done(new AppError('PAYLOAD_TOO_LARGE', `the upload exceeds the limit of ${Math.round((this.limit / (1024 * 1024)) * 10) / 10} MB (${this.limit} bytes)`));
    else done(null, piece);
  }
}

/** Uploads left by a process that stopped in the middle of a request are removed at start after this long. */
const STALE_MS = 3600_000;

export function spoolUpload(dir: string, limitBytes: number): RequestHandler {
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
  const multipart = multer({
    storage: multer.diskStorage({ destination: dir, filename: (req, _file, done) => done(null, name(req as SpoolingRequest)) }),
    limits: { fileSize: limitBytes, files: 1, fields: 20, fieldSize: 1024 * 1024 },
  }).single('file');
  return (req, res, next) => {
    const r = req as SpoolingRequest;
    // Whatever happens next, the file goes with the request.
    res.on('close', () => {
      for (const file of r[WRITTEN] ?? []) rmSync(file, { force: true });
    });
    if (req.is('multipart/form-data')) {
      multipart(req, res, (error?: unknown) => {
        if (error) return next(error instanceof AppError || (error as { name?: string }).name === 'MulterError' ? error : new AppError('INVALID_REQUEST', 'the multipart body is malformed or was cut off', { cause: error }));
        if (r.file) r[SPOOLED] = { path: r.file.path, fileName: r.file.originalname || 'document.pdf', size: r.file.size };
        next();
      });
      return;
    }
    if (!req.is('application/pdf')) return next(new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the PDF as application/pdf or as multipart/form-data field "file"'));
    const declared = Number(req.headers['content-length']);
    if (declared > limitBytes) return next(new AppError('PAYLOAD_TOO_LARGE', `the upload exceeds the limit of ${Math.round((limitBytes / (1024 * 1024)) * 10) / 10} MB (${limitBytes} bytes)`));
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
}
