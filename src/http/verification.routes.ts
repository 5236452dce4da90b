/** Verification of any PDF a caller sends (nothing is stored but the audit event). */
import { Router } from 'express';
import type { AuditLog } from '../audit';
import { DocumentValidator, reportError } from '../validation';
import type { Authenticator } from './authenticate';
import type { BodyParsers } from './body-parsers';
import { pdfBody, wrap } from './request-context';

export function verificationRoutes(deps: { auth: Authenticator; body: BodyParsers; audit: AuditLog; validator: DocumentValidator }): Router {
  const router = Router();
  router.post('/v1/verifications', deps.auth(), deps.body.pdf, wrap(async (req, res) => {
    const { pdf, fileName } = pdfBody(req);
    const report = await deps.validator.validate(pdf, { fileName, hashFile: true, lane: req.caller.organId || req.caller.keyId });
    const unreadable = reportError(report);
    if (unreadable) throw unreadable;
    await deps.audit.append({ type: 'document.verified', organId: req.caller.organId || undefined, keyId: req.caller.keyId, details: { sha256: report.sha256, indication: report.indication } });
    res.json(report);
  }));
  return router;
}
