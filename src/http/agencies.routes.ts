/**
 * The agency directory and its administration. The operator registers agencies and changes names and
 * codes; an agency admin manages only its own agency's keys (the services enforce the same rule).
 */
import { Router } from 'express';
import type { AgencyService } from '../exchange';
import { OPERATOR } from '../exchange';
import type { Authenticator } from './authenticate';
import { objectBody, wrap } from './request-context';
import type { BodyParsers } from './body-parsers';

export function agencyRoutes(deps: { agencies: AgencyService; auth: Authenticator; body: BodyParsers }): Router {
  const { agencies, auth, body } = deps;
  const router = Router();
  router.get('/v1/agencies', auth(), wrap(async (_req, res) => {
    res.json({ items: await agencies.listAgencies() });
  }));
  router.post('/v1/admin/agencies', auth(OPERATOR), body.json, wrap(async (req, res) => {
    const b = objectBody(req);
    const agency = await agencies.registerAgency({ organId: b.organId, name: b.name, acceptPublicCa: b.acceptPublicCa }, req.caller);
    res.status(201).json({ organId: agency.organId, name: agency.name, active: agency.active });
  }));
  router.post('/v1/admin/agencies/:organId/rename', auth(OPERATOR), body.json, wrap(async (req, res) => {
    const agency = await agencies.renameAgency(String(req.params.organId), objectBody(req).name, req.caller);
    res.json({ organId: agency.organId, name: agency.name, history: agency.history });
  }));
  router.post('/v1/admin/agencies/:organId/code', auth(OPERATOR), body.json, wrap(async (req, res) => {
    const agency = await agencies.changeAgencyCode(String(req.params.organId), objectBody(req).organId, req.caller);
    res.json({ organId: agency.organId, name: agency.name, history: agency.history });
  }));
  router.get('/v1/admin/agencies/:organId/api-keys', auth(OPERATOR, 'admin'), wrap(async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ items: await agencies.listApiKeys(String(req.params.organId), req.caller) });
  }));
  router.post('/v1/admin/agencies/:organId/api-keys', auth(OPERATOR, 'admin'), body.json, wrap(async (req, res) => {
    const issued = await agencies.issueApiKey(String(req.params.organId), objectBody(req).role, req.caller);
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(issued);
  }));
  router.delete('/v1/admin/api-keys/:keyId', auth(OPERATOR, 'admin'), wrap(async (req, res) => {
    await agencies.revokeApiKey(String(req.params.keyId), req.caller);
    res.status(204).end();
  }));
  return router;
}
