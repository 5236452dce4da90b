/**
 * The one error handler: operational errors by code (RFC 9457 problem+json with the code and the request
 * id), client mistakes logged at warn without a stack, anything else a 500 without internals.
 */
import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError, isAppError } from '../errors';
import { statusFor } from './error-status';
import type { Authed } from './request-context';

/** The error of an upload larger than the limit, whichever reader found it. */
export function uploadTooLarge(limitBytes: number): AppError {
  const limitMb = Math.round((limitBytes / (1024 * 1024)) * 10) / 10;
  return new AppError('PAYLOAD_TOO_LARGE', `the upload exceeds the limit of ${limitMb} MB (${limitBytes} bytes)`);
}

/** Errors of body-parser and the HTTP layer that are the client's doing, as AppErrors. */
function clientError(error: unknown, uploadLimitBytes: number): AppError | undefined {
  const e = error as { type?: string; code?: string; status?: number; name?: string; message?: string };
  if (e?.type === 'entity.too.large' || e?.code === 'LIMIT_FILE_SIZE') return uploadTooLarge(uploadLimitBytes);
  if (e?.type === 'entity.parse.failed') return new AppError('INVALID_REQUEST', 'the JSON body cannot be parsed');
  if (e?.type === 'charset.unsupported') return new AppError('UNSUPPORTED_MEDIA_TYPE', 'unsupported charset; send UTF-8');
  if (e?.type === 'encoding.unsupported') return new AppError('UNSUPPORTED_MEDIA_TYPE', 'unsupported Content-Encoding; send the body uncompressed or gzip/deflate');
  if (e?.type === 'request.aborted' || e?.code === 'ECONNRESET' || e?.code === 'ECONNABORTED') return new AppError('INVALID_REQUEST', 'the client closed the request before its body arrived');
  if (e?.type === 'request.size.invalid') return new AppError('INVALID_REQUEST', 'the body is shorter or longer than its Content-Length');
  if (e?.name === 'MulterError') return new AppError(e.code === 'LIMIT_FILE_COUNT' || e.code === 'LIMIT_FIELD_COUNT' || e.code === 'LIMIT_FIELD_VALUE' ? 'PAYLOAD_TOO_LARGE' : 'INVALID_REQUEST', `bad multipart upload (${e.code})`);
  if (e?.name === 'MongoServerSelectionError' || e?.name === 'MongoNetworkError' || e?.name === 'MongoPoolClearedError') return new AppError('DATABASE_UNAVAILABLE', 'the database is unavailable; try again');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new AppError('INVALID_REQUEST', e.message ?? 'bad request');
  return undefined;
}

export function errorHandler(logger: Logger, uploadLimitBytes: number): ErrorRequestHandler {
  return (error, req, res, next) => {
    void next;
    const requestId = (req as Authed).requestId;
    const log = (req as Authed).log ?? logger;
    const appError = isAppError(error) ? error : clientError(error, uploadLimitBytes);
    if (!appError) {
      log.error({ err: error }, 'unexpected error');
      if (res.headersSent) return void res.destroy();
      res.status(500).type('application/problem+json').json({ type: 'about:blank', title: 'Internal Server Error', status: 500, code: 'INTERNAL', requestId });
      return;
    }
    const status = statusFor(appError.code);
    // One line at warn, without a stack: a refusal is the client's mistake or a known outage, not a bug.
    log.warn({ code: appError.code, status }, appError.message);
    if (res.headersSent || req.socket.destroyed) return void res.destroy();
    const retryAfter = appError.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(Math.max(1, retryAfter)));
    res.status(status).type('application/problem+json').json({
      type: `https://kyso.vn/problems/${appError.code.toLowerCase().replace(/_/g, '-')}`,
      title: appError.code,
      status,
      code: appError.code,
      detail: appError.message,
      requestId,
      ...(appError.details && status < 500 ? { details: appError.details } : {}),
    });
  };
}
