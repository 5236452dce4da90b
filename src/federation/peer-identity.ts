/**
 * How Kyso instances know each other: each has an Ed25519 key pair (the private key in a file of its data
 * folder, mode 0600, never in the database), and signs every request to a peer with a short-lived bearer
 * token naming itself, the peer, and the SHA-256 of the body it sends. A peer stores only public keys, so
 * nothing secret about a link lives in either database, and a token read in transit is useless for any
 * other body or after two minutes.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, randomUUID, sign, verify } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { AppError } from '../errors';

export const PEER_TOKEN_SCHEME = 'KysoPeer';
/** How long a request token is good for, and the clock difference tolerated between instances. */
const TOKEN_LIFETIME_S = 120;
const CLOCK_SKEW_S = 60;

export interface PeerClaims {
  /** The sending instance. */
  iss: string;
  /** The receiving instance. */
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  /** SHA-256 (hex) of the request body. */
  sha256: string;
}

export interface PeerIdentity {
  instanceId: string;
  publicKey: string;
  /** A token for one request body to one peer. */
  tokenFor(audience: string, bodySha256: string, now?: Date): string;
}

/** An instance's id: a digest of its public key, so an id cannot be claimed without the key. */
export function instanceIdOf(publicKeyPem: string): string {
  let key: KeyObject;
  try {
    key = createPublicKey(publicKeyPem);
  } catch (error) {
    throw new AppError('INVALID_REQUEST', 'publicKey is not a PEM public key', { cause: error });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new AppError('INVALID_REQUEST', 'a peer key is an Ed25519 public key');
  return `kyso-${createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 24)}`;
}

/** The instance's identity from its key file, made (mode 0600) at the first start. */
export function loadPeerIdentity(keyFile: string): PeerIdentity {
  if (!existsSync(keyFile)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600, flag: 'wx' });
  }
  return identityOf(createPrivateKey(readFileSync(keyFile, 'utf8')));
}

/** An identity that lives as long as the process (a service that has no peers, or a test). */
export function createEphemeralPeerIdentity(): PeerIdentity {
  return identityOf(generateKeyPairSync('ed25519').privateKey);
}

function identityOf(privateKey: KeyObject): PeerIdentity {
  const publicKey = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }) as string;
  const instanceId = instanceIdOf(publicKey);
  return {
    instanceId,
    publicKey,
    tokenFor(audience, bodySha256, now = new Date()) {
      const iat = Math.floor(now.getTime() / 1000);
      const claims: PeerClaims = { iss: instanceId, aud: audience, iat, exp: iat + TOKEN_LIFETIME_S, jti: randomUUID(), sha256: bodySha256 };
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return `${payload}.${sign(null, Buffer.from(payload), privateKey).toString('base64url')}`;
    },
  };
}

/** The claims of a token, unverified: enough to find which peer's key verifies it. */
export function readPeerClaims(token: string): PeerClaims {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) throw new AppError('UNAUTHENTICATED', 'the peer token is malformed');
  let claims: PeerClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as PeerClaims;
  } catch {
    throw new AppError('UNAUTHENTICATED', 'the peer token is malformed');
  }
  const fields: Array<[keyof PeerClaims, string]> = [['iss', 'string'], ['aud', 'string'], ['iat', 'number'], ['exp', 'number'], ['jti', 'string'], ['sha256', 'string']];
  if (!claims || fields.some(([k, t]) => typeof claims[k] !== t)) throw new AppError('UNAUTHENTICATED', 'the peer token is malformed');
  return claims;
}

/** Checks a token's signature with the peer's key, its audience (this instance) and its time. */
export function verifyPeerToken(token: string, publicKeyPem: string, audience: string, now = new Date()): PeerClaims {
  const claims = readPeerClaims(token);
  const [payload, signature] = token.split('.');
  if (!verify(null, Buffer.from(payload), createPublicKey(publicKeyPem), Buffer.from(signature, 'base64url'))) {
    throw new AppError('UNAUTHENTICATED', 'the peer token signature does not verify with the registered key');
  }
  const t = Math.floor(now.getTime() / 1000);
  if (claims.aud !== audience) throw new AppError('UNAUTHENTICATED', 'the peer token is meant for another instance');
  if (claims.iat > t + CLOCK_SKEW_S || claims.exp < t - CLOCK_SKEW_S || claims.exp - claims.iat > TOKEN_LIFETIME_S) {
    throw new AppError('UNAUTHENTICATED', 'the peer token has expired or is not yet valid (check both clocks)');
  }
  return claims;
}
