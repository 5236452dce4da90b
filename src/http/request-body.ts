/** A request body read as a stream with a byte limit: past it, 413 instead of reading on. */
import type { Request } from 'express';
import { AppError } from '../errors';

export async function* limitedBody(req: Request, maxBytes: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) throw new AppError('PAYLOAD_TOO_LARGE', `the package is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
    yield chunk;
  }
}
