/**
 * Kyso to Kyso: this instance's public identity, the operator's register of peers, and the one endpoint
 * peers post edXML packages to (documents for agencies here, statuses of documents sent from here). A peer
 * request is authenticated by a token its registered Ed25519 key signed over the SHA-256 of the body; the
 * body is hashed as it streams and a mismatch refuses the package before anything of it is recorded.
 */
import { createHash } from 'node:crypto';
import { Router } from 'express';
import { AppError } from '../errors';
import { OPERATOR, PEER_MESSAGES_PATH, PeersService, ReceiveEdxmlService } from '../exchange';
import { PEER_TOKEN_SCHEME, PeerIdentity } from '../federation';
import type { Authenticator } from './authenticate';
import type { BodyParsers } from './body-parsers';
import { limitedBody } from './request-body';
import { objectBody, wrap } from './request-context';

export function federationRoutes(deps: { auth: Authenticator; body: BodyParsers; peers: PeersService; identity: PeerIdentity; receiveEdxml: ReceiveEdxmlService; maxBodyBytes: number; maxFileBytes: number }): Router {
  const { auth, body, peers, identity } = deps;
  const router = Router();

  // Public: what another instance's operator registers to accept packages from this one.
  router.get('/v1/peer/identity', (_req, res) => {
    res.json({ instanceId: identity.instanceId, publicKey: identity.publicKey });
  });
  router.get('/v1/admin/peers', auth(OPERATOR), wrap(async (_req, res) => {
    res.json({ items: await peers.list() });
  }));
  router.post('/v1/admin/peers', auth(OPERATOR), body.json, wrap(async (req, res) => {
    const { peerId, name, baseUrl, organIds, prefixes } = await peers.registerPeer(objectBody(req), req.caller);
    res.status(201).json({ peerId, name, baseUrl, organIds, prefixes });
  }));

  router.post(PEER_MESSAGES_PATH, wrap(async (req, res) => {
    const header = req.get('authorization') ?? '';
    const token = header.startsWith(`${PEER_TOKEN_SCHEME} `) ? header.slice(PEER_TOKEN_SCHEME.length + 1).trim() : undefined;
    const { peer, claims } = await peers.authenticate(token);
    if (!req.is('application/xml') && !req.is('text/xml')) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'a peer posts an edXML package as application/xml');
    const key = req.get('idempotency-key') ?? '';
    if (!/^[\w.:-]{8,128}$/.test(key)) throw new AppError('INVALID_REQUEST', 'an Idempotency-Key header (8–128 characters) is required');
    const answer = await deps.receiveEdxml.fromPeer(peer, matchingDigest(limitedBody(req, deps.maxBodyBytes), claims.sha256), { idempotencyKey: key, maxFileBytes: deps.maxFileBytes });
    req.log.info({ peerId: peer.peerId, kind: answer.kind }, 'package from peer');
    res.json(answer);
  }));
  return router;
}

/** The body as it streams, refused at its end when its SHA-256 is not the one the token was signed over. */
async function* matchingDigest(source: AsyncIterable<Buffer>, expected: string): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  for await (const chunk of source) {
    hash.update(chunk);
    yield chunk;
  }
  if (hash.digest('hex') !== expected) throw new AppError('UNAUTHENTICATED', 'the body is not the one the peer token was signed for');
}


