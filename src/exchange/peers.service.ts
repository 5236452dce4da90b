/**
 * The Kyso instances this one exchanges with (registered by the operator) and the agencies each serves:
 * sending to an agency that lives on a peer delivers there; a request from a peer is accepted only with a
 * token its registered key signed, and only for agencies it serves.
 */
import type { AuditLog } from '../audit';
import { AppError } from '../errors';
import { instanceIdOf, PeerClaims, readPeerClaims, verifyPeerToken } from '../federation';
import { Caller } from './agency.service';
import { isDuplicateKey, Models, OPERATOR, ORGAN_ID_PATTERN, PeerDoc } from './models';

const PREFIX_PATTERN = /^[0-9A-Z.]{1,34}$/;

export function createPeersService(models: Models, audit: AuditLog, ownInstanceId: string) {
  async function registerPeer(input: Record<string, unknown>, by: Caller): Promise<PeerDoc> {
    if (by.role !== OPERATOR) throw new AppError('FORBIDDEN', 'only the service operator registers peers');
    const { name, baseUrl, publicKey } = input;
    const organIds = input.organIds ?? [];
    const prefixes = input.prefixes ?? [];
    if (typeof name !== 'string' || !name.trim() || name.length > 300) throw new AppError('INVALID_REQUEST', 'the peer needs a name (at most 300 characters)');
    let url: URL;
    try {
      url = new URL(String(baseUrl));
    } catch {
      throw new AppError('INVALID_REQUEST', 'baseUrl must be an http(s) URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AppError('INVALID_REQUEST', 'baseUrl must be an http(s) URL');
    if (!Array.isArray(organIds) || organIds.some((o) => typeof o !== 'string' || !ORGAN_ID_PATTERN.test(o))) throw new AppError('INVALID_REQUEST', 'organIds is a list of agency codes');
    if (!Array.isArray(prefixes) || prefixes.some((p) => typeof p !== 'string' || !PREFIX_PATTERN.test(p))) throw new AppError('INVALID_REQUEST', 'prefixes is a list of code prefixes (e.g. "000.00.00.")');
    if (organIds.length + prefixes.length === 0) throw new AppError('INVALID_REQUEST', 'a peer serves at least one agency code or prefix');
    if (typeof publicKey !== 'string') throw new AppError('INVALID_REQUEST', 'publicKey is the peer\'s Ed25519 public key (PEM, from its GET /v1/peer/identity)');
    const peerId = instanceIdOf(publicKey);
    if (peerId === ownInstanceId) throw new AppError('INVALID_REQUEST', 'that key is this instance\'s own');
    // An agency served here is never routed to a peer, and a peer never speaks for it.
    const local = await models.Agency.find({}, { organId: 1 }).lean();
    const clash = local.find((a) => (organIds as string[]).includes(a.organId) || (prefixes as string[]).some((p) => a.organId.startsWith(p)));
    if (clash) throw new AppError('INVALID_REQUEST', `agency ${clash.organId} is served by this Kyso, not by the peer`);
    try {
      const doc = await models.Peer.create({ peerId, name: name.trim(), baseUrl: url.toString(), organIds, prefixes, publicKey });
      await audit.append({ type: 'peer.registered', organId: by.organId, keyId: by.keyId, subject: peerId, details: { name, baseUrl: url.toString(), organIds, prefixes } });
      return doc.toObject();
    } catch (error) {
      if (isDuplicateKey(error)) throw new AppError('AGENCY_EXISTS', `peer ${peerId} is already registered`);
      throw error;
    }
  }

  const list = async (): Promise<PeerDoc[]> => models.Peer.find({ active: true }, { _id: 0, __v: 0 }).sort({ createdAt: 1 }).lean();

  const serves = (peer: PeerDoc, organId: string): boolean => peer.organIds.includes(organId) || peer.prefixes.some((p) => organId.startsWith(p));

  /**
   * The peers serving these agency codes, read from the register once: an exact code wins over a prefix,
   * the longest prefix over shorter ones. Codes no peer serves are left out.
   */
  async function peersServing(codes: string[]): Promise<Map<string, PeerDoc>> {
    const routes = new Map<string, PeerDoc>();
    if (codes.length === 0) return routes;
    const peers = await list();
    const longestPrefix = (p: PeerDoc, code: string) => Math.max(-1, ...p.prefixes.filter((x) => code.startsWith(x)).map((x) => x.length));
    for (const code of codes) {
      const peer = peers.find((p) => p.organIds.includes(code))
        ?? peers.filter((p) => longestPrefix(p, code) >= 0).sort((a, b) => longestPrefix(b, code) - longestPrefix(a, code))[0];
      if (peer) routes.set(code, peer);
    }
    return routes;
  }

  /** The peer a request token was signed by, checked against its registered key and this instance. */
  async function authenticate(token: string | undefined): Promise<{ peer: PeerDoc; claims: PeerClaims }> {
    if (!token) throw new AppError('UNAUTHENTICATED', 'a peer request carries Authorization: KysoPeer <token>');
    const unverified = readPeerClaims(token);
    const peer = await models.Peer.findOne({ peerId: unverified.iss, active: true }).lean();
    if (!peer) throw new AppError('UNAUTHENTICATED', 'the token was not signed by a registered peer');
    return { peer, claims: verifyPeerToken(token, peer.publicKey, ownInstanceId) };
  }

  return { registerPeer, list, peersServing, serves, authenticate, instanceId: ownInstanceId };
}

export type PeersService = ReturnType<typeof createPeersService>;
