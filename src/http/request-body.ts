/**
 * A request body read as a stream with a byte limit: past it, 413 instead of reading on. When the reader
 * stops early (a refused package), the rest of the body is drained rather than the connection reset, so the
 * client reads the answer.
 */
import type { Request } from 'express';
import { AppError } from '../errors';

export async function* limitedBody(req: Request, maxBytes: number): AsyncGenerator<Buffer> {
  let total = 0;
  let complete = false;
  try {
    for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) throw new AppError('PAYLOAD_TOO_LARGE', `the package is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
      yield chunk;
    }
    complete = true;
  } finally {
    if (!complete) req.resume();
  }
}
