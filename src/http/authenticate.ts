/**
 * Bearer-key authentication with roles, and a brake on guessing: a client (by address) whose keys fail
 * FAILURES_ALLOWED times within WINDOW_MS gets 429 with Retry-After until the window passes. Every 401
 * carries WWW-Authenticate (RFC 6750 §3).
 */
import type { RequestHandler } from 'express';
import { AppError } from '../errors';
import type { AgencyService, CallerRole } from '../exchange';
import type { Authed } from './request-context';

const FAILURES_ALLOWED = 20;
const WINDOW_MS = 60_000;
const MAX_TRACKED_CLIENTS = 10_000;

export function createAuthenticator(agencies: AgencyService) {
  const failures = new Map<string, { count: number; since: number }>();

  const blockedFor = (client: string, now: number): number => {
    const entry = failures.get(client);
    if (!entry || now - entry.since > WINDOW_MS) return 0;
    return entry.count >= FAILURES_ALLOWED ? Math.ceil((entry.since + WINDOW_MS - now) / 1000) : 0;
  };
  const recordFailure = (client: string, now: number): void => {
    const entry = failures.get(client);
    if (!entry || now - entry.since > WINDOW_MS) {
      if (failures.size >= MAX_TRACKED_CLIENTS) {
        for (const [k, v] of failures) if (now - v.since > WINDOW_MS) failures.delete(k);
        if (failures.size >= MAX_TRACKED_CLIENTS) failures.clear();
      }
      failures.set(client, { count: 1, since: now });
    } else entry.count++;
  };

  /** Authenticates the caller and checks its role (none given: any authenticated caller). */
  return (...roles: CallerRole[]): RequestHandler => (req, res, next) => {
    const client = req.socket.remoteAddress ?? 'unknown';
    const now = Date.now();
    const wait = blockedFor(client, now);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      next(new AppError('TOO_MANY_REQUESTS', `too many failed authentications; try again in ${wait} s`));
      return;
    }
    const header = req.get('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    agencies.authenticate(token).then((caller) => {
      if (roles.length && !roles.includes(caller.role)) {
        next(new AppError('FORBIDDEN', `this action needs the role ${roles.join(' or ')}`));
        return;
      }
      const authed = req as Authed;
      authed.caller = caller;
      authed.log = authed.log.child({ organId: caller.organId || undefined, keyId: caller.keyId });
      next();
    }, (error: unknown) => {
      if ((error as { code?: string }).code === 'UNAUTHENTICATED') {
        recordFailure(client, now);
        res.setHeader('WWW-Authenticate', 'Bearer realm="kyso"');
      }
      next(error);
    });
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
