/**
 * RFC 3161 time-stamp client for PAdES B-T (ETSI EN 319 142-1 §5.3): the signature value is time-stamped
 * and the token becomes the unsigned attribute id-aa-signatureTimeStampToken (RFC 3161 Appendix A).
 */
import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { DIGEST_OIDS, OID, SigningDigestAlgorithm } from '../cms';
import { AppError } from '../errors';
import { fetchOverHttp } from './fetch-over-http';

/** Returns the DER ContentInfo of a time-stamp token over `data` (the CMS signature value). */
export function requestTimestamp(tsaUrl: string, data: Buffer, digest: SigningDigestAlgorithm = 'sha256', timeoutMs = 10_000): Promise<Buffer> {
  return requestTimestampForImprint(tsaUrl, createHash(digest).update(data).digest(), digest, timeoutMs);
}

/** Returns the DER ContentInfo of a time-stamp token over a digest already computed (a document timestamp). */
export async function requestTimestampForImprint(tsaUrl: string, imprint: Buffer, digest: SigningDigestAlgorithm = 'sha256', timeoutMs = 10_000): Promise<Buffer> {
  const nonce = randomBytes(8);
  nonce[0] &= 0x7f; // a positive INTEGER
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: DIGEST_OIDS[digest] }),
      hashedMessage: new asn1js.OctetString({ valueHex: imprint }),
    }),
    nonce: new asn1js.Integer({ valueHex: nonce }),
    certReq: true,
  });
  const answer = await fetchOverHttp(tsaUrl, timeoutMs, { type: 'application/timestamp-query', data: Buffer.from(request.toSchema().toBER()) });
  if (!answer) throw new AppError('TSA_UNAVAILABLE', `the time-stamping authority at ${tsaUrl} did not answer`);
  let response: pkijs.TimeStampResp;
  try {
    response = pkijs.TimeStampResp.fromBER(new Uint8Array(answer).buffer);
  } catch (error) {
    throw new AppError('TSA_UNAVAILABLE', 'the time-stamping authority sent an unreadable answer', { cause: error });
  }
  const status = response.status.status;
  if ((status !== 0 && status !== 1) || !response.timeStampToken) {
    throw new AppError('TSA_UNAVAILABLE', `the time-stamping authority refused the request (status ${status})`);
  }
  // The token must be for this imprint and nonce (RFC 3161 §2.4.2).
  const signed = new pkijs.SignedData({ schema: response.timeStampToken.content });
  const tst = new pkijs.TSTInfo({ schema: asn1js.fromBER(new Uint8Array(signed.encapContentInfo.eContent?.valueBlock.valueHexView ?? []).buffer).result });
  const sameImprint = Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView).equals(imprint);
  const sameNonce = !tst.nonce || Buffer.from(tst.nonce.valueBlock.valueHexView).toString('hex').replace(/^0+/, '') === nonce.toString('hex').replace(/^0+/, '');
  if (!sameImprint || !sameNonce) throw new AppError('TSA_UNAVAILABLE', 'the time-stamp token does not match the request');
  return Buffer.from(response.timeStampToken.toSchema().toBER());
}

const sizes = new Map<string, { size: number; until: number }>();
const SIZE_TTL_MS = 10 * 60_000;

/**
 * Room to reserve in /Contents for a token from this TSA: learnt from a dry run and remembered for ten
 * minutes (a TSA that changes its certificates is asked again), plus a margin for the varying parts
 * (nonce, fractional seconds).
 */
export async function timestampReserve(tsaUrl: string, digest: SigningDigestAlgorithm = 'sha256'): Promise<number> {
  const key = `${digest} ${tsaUrl}`;
  const known = sizes.get(key);
  if (known && known.until > Date.now()) return known.size;
  const size = (await requestTimestampForImprint(tsaUrl, createHash(digest).update('size').digest(), digest)).length + 64;
  sizes.set(key, { size, until: Date.now() + SIZE_TTL_MS });
  return size;
}

/** The unsigned attribute carrying a signature time-stamp token. */
export function signatureTimestampAttribute(token: Buffer): pkijs.Attribute {
  return new pkijs.Attribute({ type: OID.signatureTimeStampToken, values: [asn1js.fromBER(new Uint8Array(token).buffer).result] });
}
