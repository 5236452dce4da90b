/**
 * A brake on callers that keep sending documents refused as hostile (decoding more than the document's
 * budget: a compression bomb). Each such document holds a validation worker until its budget runs out, and
 * a sender that sends the next as soon as the last is refused keeps a worker busy for as long as it likes,
 * slowing every other agency. After ALLOWED refusals within WINDOW_MS, a caller's (lane's) further
 * documents are refused at once with 429 and Retry-After, without being validated, until the window since
 * its first refusal passes. Kept in memory per instance, as the authentication brake is: it forgets within
 * a minute, and each instance brakes what it sees.
 */
import { AppError } from '../errors';
import { createFailureWindow } from '../limits';
import type { DocumentValidator } from './document-validator';

const ALLOWED = 3;
const WINDOW_MS = 60_000;
const MAX_TRACKED = 10_000;
const HOSTILE = 'PDF_DECODE_BUDGET_EXCEEDED';

/** The braked validator, and its check alone (throws 429 for a braked lane), for refusing uploads before they are read. */
export type BrakedValidator = DocumentValidator & { refuseIfBraked(lane: string): void };

export function brakeHostileSenders(inner: DocumentValidator, options: { allowed?: number; windowMs?: number; now?: () => number } = {}): BrakedValidator {
  const allowed = options.allowed ?? ALLOWED;
  const windowMs = options.windowMs ?? WINDOW_MS;
  const now = options.now ?? Date.now;
  const refusals = createFailureWindow({ allowed, windowMs, maxTracked: MAX_TRACKED });

  const refuseIfBraked = (lane: string): void => {
    const wait = refusals.waitSeconds(lane, now());
    if (wait > 0) {
      throw new AppError('TOO_MANY_REQUESTS', `documents from this sender were refused as compression bombs ${allowed} times within ${Math.round(windowMs / 1000)} s; try again in ${wait} s`, {
        details: { retryAfterSeconds: wait },
      });
    }
  };

  return {
    refuseIfBraked,
    async validate(pdf, request = {}) {
      const lane = request.lane;
      if (lane === undefined) return inner.validate(pdf, request);
      refuseIfBraked(lane);
      try {
        const report = await inner.validate(pdf, request);
        if (report.error?.code === HOSTILE) refusals.record(lane, now());
        return report;
      } catch (error) {
        if ((error as { code?: unknown }).code === HOSTILE) refusals.record(lane, now());
        throw error;
      }
    },
    close: () => inner.close(),
  };
}
