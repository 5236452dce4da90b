/**
 * Drafts awaiting an official's signature, signed through the signing agent on the official's PC, and the
 * clerk's queue of signed drafts; and the one question the agent asks the service about a session.
 */
import { Router } from 'express';
import type { DraftsService, SigningSessionService } from '../exchange';
import type { Authenticator } from './authenticate';
import type { BodyParsers } from './body-parsers';
import { objectBody, pdfBody, sendFile, wrap } from './request-context';

export function draftRoutes(deps: { auth: Authenticator; body: BodyParsers; drafts: DraftsService; sessions: SigningSessionService }): Router {
  const { auth, body, drafts, sessions } = deps;
  const router = Router();
  router.post('/v1/drafts', auth('clerk', 'signer'), body.singleFile, wrap(async (req, res) => {
    const { pdf, fileName } = pdfBody(req);
    res.status(201).json(await drafts.createDraft(req.caller, { pdf, fileName, subject: objectBody(req).subject }));
  }));
  router.get('/v1/drafts', auth('clerk', 'signer'), wrap(async (req, res) => {
    res.json({ items: await drafts.listDrafts(req.caller, typeof req.query.status === 'string' ? req.query.status : undefined) });
  }));
  router.get('/v1/drafts/:id', auth('clerk', 'signer'), wrap(async (req, res) => {
    res.json(await drafts.getDraft(req.caller, String(req.params.id)));
  }));
  router.get('/v1/drafts/:id/document', auth('clerk', 'signer'), wrap(async (req, res) => {
    sendFile(res, await drafts.openDraftDocument(req.caller, String(req.params.id)), 'application/pdf');
  }));
  router.post('/v1/drafts/:id/signing-sessions', auth('signer'), body.json, wrap(async (req, res) => {
    const b = objectBody(req);
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(await drafts.openSigning(req.caller, String(req.params.id), { certificateChain: b.certificateChain, scheme: b.scheme, digestAlgorithm: b.digestAlgorithm, placement: b.placement, signatureImage: b.signatureImage, title: b.title }));
  }));
  router.post('/v1/drafts/:id/sent', auth('clerk'), body.json, wrap(async (req, res) => {
    res.json(await drafts.markSent(req.caller, String(req.params.id), objectBody(req).exchangeId));
  }));
  // The signing agent, before its token signs: does this session exist, and for which certificate and bytes?
  router.get('/v1/signing-sessions/:id/agent-check', wrap(async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await sessions.describeForAgent(String(req.params.id), req.get('x-agent-token')));
  }));
  return router;
}
