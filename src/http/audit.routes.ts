/**
 * The audit trail: an agency's archivist or admin reads its own agency's events; the operator reads any
 * agency's. The chain check covers the whole trail and discloses only whether and where it is broken.
 */
import { Router } from 'express';
import type { AuditLog } from '../audit';
import { OPERATOR } from '../exchange';
import type { Authenticator } from './authenticate';
import { optionalDate, wrap } from './request-context';

export function auditRoutes(deps: { auth: Authenticator; audit: AuditLog }): Router {
  const router = Router();
  router.get('/v1/audit', deps.auth('archivist', 'admin', OPERATOR), wrap(async (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const organId = req.caller.role === OPERATOR ? q.organId : req.caller.organId;
    // actor: a key id or `user:<username>`; from/to: ISO-8601 times.
    const actor = q.actor ? (q.actor.includes(':') || /^[0-9a-f]{16}$/.test(q.actor) ? q.actor : `user:${q.actor}`) : undefined;
    res.json({ items: await deps.audit.list({
      subject: q.subject, organId, organIds: req.caller.role === OPERATOR ? undefined : req.caller.organIds, actor, from: optionalDate(q.from, 'from'), to: optionalDate(q.to, 'to'),
    }, 1000) });
  }));
  router.get('/v1/audit/verify', deps.auth('archivist', 'admin', OPERATOR), wrap(async (_req, res) => {
    res.json(await deps.audit.verify());
  }));
  return router;
}
