/**
 * Signing in and out of the web application (people with a username and password, the operator with its
 * key), and the people of an agency (its admin creates, lists, resets and disables them; the operator those
 * of any agency).
 */
import { Request, Response, Router } from 'express';
import type { SessionService, UserService } from '../accounts';
import { OPERATOR } from '../exchange';
import type { Authenticator } from './authenticate';
import { SESSION_COOKIE } from './authenticate';
import type { BodyParsers } from './body-parsers';
import { objectBody, wrap } from './request-context';

function setSessionCookie(req: Request, res: Response, value: string, maxAgeSeconds?: number): void {
  const parts = [`${SESSION_COOKIE}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (req.secure) parts.push('Secure');
  if (maxAgeSeconds !== undefined) parts.push(`Max-Age=${maxAgeSeconds}`);
  res.setHeader('Set-Cookie', parts.join('; '));
}

export function sessionRoutes(deps: { auth: Authenticator; body: BodyParsers; sessions: SessionService; users: UserService }): Router {
  const { auth, body, sessions, users } = deps;
  const router = Router();
  router.post('/v1/session', body.json, wrap(async (req, res) => {
    const b = objectBody(req);
    if (b.operatorKey !== undefined) {
      // The operator, who has no account in an agency, signs in with its key.
      const operator = await sessions.loginOperator(b.operatorKey);
      setSessionCookie(req, res, operator.sessionId);
      res.setHeader('Cache-Control', 'no-store');
      res.status(201).json({ csrfToken: operator.csrfToken });
      return;
    }
    const signedIn = await sessions.login(b.username, b.password);
    setSessionCookie(req, res, signedIn.sessionId);
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json({ user: signedIn.user, csrfToken: signedIn.csrfToken });
  }));
  router.get('/v1/session', auth(), wrap(async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    // organIds: every code the agency has had (exchanges keep the code they were made under).
    const caller = { organId: req.caller.organId, organName: req.caller.organName, role: req.caller.role, organIds: req.caller.organIds ?? [req.caller.organId] };
    if (!req.sessionId) {
      res.json({ caller });
      return;
    }
    const { user, csrfToken } = await sessions.resolve(req.sessionId);
    res.json({ user, csrfToken, caller });
  }));
  router.delete('/v1/session', auth(), wrap(async (req, res) => {
    if (req.sessionId) await sessions.logout(req.sessionId, req.caller);
    setSessionCookie(req, res, '', 0);
    res.status(204).end();
  }));

  router.get('/v1/admin/users', auth(OPERATOR, 'admin'), wrap(async (req, res) => {
    const organId = req.caller.role === OPERATOR ? String(req.query.organId ?? '') : req.caller.organId;
    res.setHeader('Cache-Control', 'no-store');
    res.json({ items: await users.listUsers(organId, req.caller) });
  }));
  router.post('/v1/admin/users', auth(OPERATOR, 'admin'), body.json, wrap(async (req, res) => {
    const b = objectBody(req);
    const created = await users.createUser({ username: b.username, organId: b.organId ?? req.caller.organId, role: b.role, fullName: b.fullName, password: b.password }, req.caller);
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(created);
  }));
  router.post('/v1/admin/users/:username/password', auth(OPERATOR, 'admin'), body.json, wrap(async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await users.resetPassword(String(req.params.username), objectBody(req).password, req.caller));
  }));
  router.post('/v1/admin/users/:username/disable', auth(OPERATOR, 'admin'), wrap(async (req, res) => {
    res.json(await users.setDisabled(String(req.params.username), true, req.caller));
  }));
  router.post('/v1/admin/users/:username/enable', auth(OPERATOR, 'admin'), wrap(async (req, res) => {
    res.json(await users.setDisabled(String(req.params.username), false, req.caller));
  }));
  return router;
}
