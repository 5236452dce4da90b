/**
 * Authentication with roles: systems send an API key (Authorization: Bearer), people in the browser a
 * session cookie — and then, on every request that changes something, the session's CSRF token in the
 * X-CSRF-Token header (a page of another site can make the browser send the cookie, never the token).
 * A brake on guessing: a client (by address) whose credentials fail FAILURES_ALLOWED times within WINDOW_MS
 * gets 429 with Retry-After until the window passes. Every 401 carries WWW-Authenticate (RFC 6750 §3).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { SessionService } from '../accounts';
import { AppError } from '../errors';
import { createFailureWindow } from '../limits';
import type { AgencyService, Caller, CallerRole } from '../exchange';
import type { Authed } from './request-context';

export const SESSION_COOKIE = 'kyso_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The value of one cookie of the request, if sent. */
export function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

const sameToken = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

const FAILURES_ALLOWED = 20;
const WINDOW_MS = 60_000;
const MAX_TRACKED_CLIENTS = 10_000;

export function createAuthenticator(agencies: AgencyService, sessions?: SessionService) {
  const failures = createFailureWindow({ allowed: FAILURES_ALLOWED, windowMs: WINDOW_MS, maxTracked: MAX_TRACKED_CLIENTS });

  /** Authenticates the caller and checks its role (none given: any authenticated caller). */
  return (...roles: CallerRole[]): RequestHandler => (req, res, next) => {
    const client = req.socket.remoteAddress ?? 'unknown';
    const now = Date.now();
    const wait = failures.waitSeconds(client, now);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      next(new AppError('TOO_MANY_REQUESTS', `too many failed authentications; try again in ${wait} s`));
      return;
    }
    const header = req.get('authorization');
    const cookie = header === undefined && sessions ? cookieOf(req, SESSION_COOKIE) : undefined;
    const identify = async (): Promise<Caller> => {
      if (cookie === undefined || !sessions) {
        return agencies.authenticate(header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined);
      }
      const { caller, csrfToken } = await sessions.resolve(cookie);
      if (!SAFE_METHODS.has(req.method) && !sameToken(req.get('x-csrf-token') ?? '', csrfToken)) {
        throw new AppError('CSRF_TOKEN_INVALID', 'this change needs the X-CSRF-Token of the session (reload the page)');
      }
      (req as Authed).sessionId = cookie;
      return caller;
    };
    identify().then((caller) => {
      if (roles.length && !roles.includes(caller.role)) {
        next(new AppError('FORBIDDEN', `this action needs the role ${roles.join(' or ')}`));
        return;
      }
      const authed = req as Authed;
      authed.caller = caller;
      authed.log = authed.log.child({ organId: caller.organId || undefined, keyId: caller.keyId });
      next();
    }, (error: unknown) => {
      const code = (error as { code?: string }).code;
      if (code === 'UNAUTHENTICATED' || code === 'SESSION_ENDED') {
        // Only a credential that was presented and failed counts as a guess (a page asking "who am I?"
        // before signing in presents none).
        if (header !== undefined || cookie !== undefined) failures.record(client, now);
        res.setHeader('WWW-Authenticate', 'Bearer realm="kyso"');
      }
      next(error);
    });
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
