/**
 * Verification of any PDF a caller sends (nothing is stored but the audit event), and the public
 * verification page's endpoint: no sign-in, PUBLIC_PER_MINUTE checks per address, nothing stored.
 */
import { Router } from 'express';
import { AppError } from '../errors';
import type { AuditLog } from '../audit';
import { DocumentValidator, reportError, writeEtsiReport } from '../validation';
import type { Authenticator } from './authenticate';
import type { BodyParsers } from './body-parsers';
import { pdfBody, reportFormat, wrap } from './request-context';

export function verificationRoutes(deps: { auth: Authenticator; body: BodyParsers; audit: AuditLog; validator: DocumentValidator }): Router {
  const router = Router();
  router.post('/v1/verifications', deps.auth(), deps.body.pdf, wrap(async (req, res) => {
    const { pdf, fileName } = pdfBody(req);
    const etsi = reportFormat(req.query.format) === 'etsi';
    const report = await deps.validator.validate(pdf, { fileName, hashFile: true, includeCertificates: etsi, lane: req.caller.organId || req.caller.keyId });
    const unreadable = reportError(report);
    if (unreadable) throw unreadable;
    await deps.audit.append({ type: 'document.verified', organId: req.caller.organId || undefined, keyId: req.caller.keyId, details: { sha256: report.sha256, indication: report.indication } });
    if (etsi) res.type('application/xml').send(writeEtsiReport(report));
    else res.json(report);
  }));
  // Anyone may check a document (a citizen, another agency's system); a per-address brake keeps it fair.
  const recent = new Map<string, number[]>();
  router.post('/v1/verify', deps.body.pdf, wrap(async (req, res) => {
    const client = req.socket.remoteAddress ?? 'unknown';
    const now = Date.now();
    const times = (recent.get(client) ?? []).filter((at) => now - at < 60_000);
    if (times.length >= PUBLIC_PER_MINUTE) {
      res.setHeader('Retry-After', String(Math.ceil((times[0] + 60_000 - now) / 1000)));
      throw new AppError('TOO_MANY_REQUESTS', `at most ${PUBLIC_PER_MINUTE} public verifications a minute`);
    }
    if (recent.size > 10_000) recent.clear();
    recent.set(client, [...times, now]);
    const { pdf, fileName } = pdfBody(req);
    const report = await deps.validator.validate(pdf, { fileName, hashFile: true, lane: `public:${client}` });
    const unreadable = reportError(report);
    if (unreadable) throw unreadable;
    res.setHeader('Cache-Control', 'no-store');
    res.json(report);
  }));
  return router;
}

const PUBLIC_PER_MINUTE = 30;
