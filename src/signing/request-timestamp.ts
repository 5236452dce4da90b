/**
 * Signature time-stamps for PAdES B-T (ETSI EN 319 142-1 §5.3): the signature value is time-stamped and
 * the token becomes the unsigned attribute id-aa-signatureTimeStampToken (RFC 3161 Appendix A).
 */
import { createHash } from 'node:crypto';
import type * as Pkijs from 'pkijs';
import { asn1js, OID, pkijs, SigningDigestAlgorithm } from '../cms';
import type { TimestampAuthority } from '../network';

/** A token over `signatureValue` (its `digest` is the messageImprint, RFC 3161 Appendix A). */
export function requestTimestamp(tsa: TimestampAuthority, signatureValue: Buffer, digest: SigningDigestAlgorithm = 'sha256'): Promise<Buffer> {
  return tsa.timestamp(createHash(digest).update(signatureValue).digest(), digest);
}

const sizes = new WeakMap<TimestampAuthority, Map<SigningDigestAlgorithm, { size: number; until: number }>>();
const SIZE_TTL_MS = 10 * 60_000;

/**
 * Room to reserve in /Contents for a token from this TSA: learnt from a dry run and remembered for ten
 * minutes (a TSA that changes its certificates is asked again), plus a margin for the varying parts
 * (nonce, fractional seconds).
 */
export async function timestampReserve(tsa: TimestampAuthority, digest: SigningDigestAlgorithm = 'sha256'): Promise<number> {
  let known = sizes.get(tsa);
  if (!known) sizes.set(tsa, (known = new Map()));
  const cached = known.get(digest);
  if (cached && cached.until > Date.now()) return cached.size;
  const size = (await tsa.timestamp(createHash(digest).update('size').digest(), digest)).length + 64;
  known.set(digest, { size, until: Date.now() + SIZE_TTL_MS });
  return size;
}

/** The unsigned attribute carrying a signature time-stamp token. */
export function signatureTimestampAttribute(token: Buffer): Pkijs.Attribute {
  return new pkijs.Attribute({ type: OID.signatureTimeStampToken, values: [asn1js.fromBER(new Uint8Array(token).buffer).result] });
}
