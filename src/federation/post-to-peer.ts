/**
 * Sends a package to a peer over HTTP: the body is produced twice from its source (once to hash it for the
 * request token, once streamed to the peer), so a package of any size is never held in memory.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { AppError } from '../errors';
import { PEER_TOKEN_SCHEME, PeerIdentity } from './peer-identity';

export interface PeerEndpoint {
  baseUrl: string;
  /** The peer's instance id (from its public key): the audience of the token. */
  instanceId: string;
}

export async function postToPeer(
  identity: PeerIdentity, peer: PeerEndpoint, path: string, body: () => AsyncIterable<Buffer>, options: { idempotencyKey: string; timeoutMs: number },
): Promise<Record<string, unknown>> {
  const hash = createHash('sha256');
  for await (const chunk of body()) hash.update(chunk);
  const token = identity.tokenFor(peer.instanceId, hash.digest('hex'));
  let response: Response;
  try {
    response = await fetch(new URL(path, peer.baseUrl), {
      method: 'POST',
      headers: { 'Content-Type': 'application/xml; charset=utf-8', Authorization: `${PEER_TOKEN_SCHEME} ${token}`, 'Idempotency-Key': options.idempotencyKey },
      body: Readable.toWeb(Readable.from(body())) as ReadableStream,
      duplex: 'half',
      signal: AbortSignal.timeout(options.timeoutMs),
    } as RequestInit);
  } catch (error) {
    throw new AppError('PEER_UNAVAILABLE', `peer ${peer.baseUrl} cannot be reached: ${(error as Error).message}`, { cause: error });
  }
  const text = await response.text();
  let answer: Record<string, unknown> = {};
  try {
    answer = text ? JSON.parse(text) as Record<string, unknown> : {};
  } catch {
    answer = { detail: text.slice(0, 200) };
  }
  if (!response.ok) {
    throw new AppError('PEER_UNAVAILABLE', `peer ${peer.baseUrl} answered ${response.status}: ${String(answer.detail ?? answer.title ?? '').slice(0, 300)}`, {
      details: { status: response.status, code: answer.code ?? null },
    });
  }
  return answer;
}
