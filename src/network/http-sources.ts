/**
 * The HTTP implementations of the network sources: OCSP by POST (RFC 6960 Appendix A), CRLs and AIA
 * certificates by GET, RFC 3161 time-stamp requests by POST (RFC 3161 §3.4), each with a timeout.
 */
import { randomBytes } from 'node:crypto';
import type * as Pkijs from 'pkijs';
import { asn1js, DIGEST_OIDS, pkijs, SigningDigestAlgorithm } from '../cms';
import { AppError } from '../errors';
import { fetchOverHttp } from './fetch-over-http';
import type { RevocationFetcher, TimestampAuthority } from './sources';

export function createHttpFetcher(timeoutMs = 5000): RevocationFetcher {
  return {
    fetchOcsp: (url, request) => fetchOverHttp(url, timeoutMs, { type: 'application/ocsp-request', data: request }),
    fetchCrl: (url) => fetchOverHttp(url, timeoutMs),
    fetchCertificate: (url) => fetchOverHttp(url, timeoutMs),
  };
}

export function createHttpTimestampAuthority(url: string, timeoutMs = 10_000): TimestampAuthority {
  return {
    name: url,
    async timestamp(imprint: Buffer, digest: SigningDigestAlgorithm): Promise<Buffer> {
      const nonce = positiveInteger(randomBytes(8));
      const request = timestampRequest(imprint, digest, nonce);
      const answer = await fetchOverHttp(url, timeoutMs, { type: 'application/timestamp-query', data: request });
      if (!answer) throw new AppError('TSA_UNAVAILABLE', `the time-stamping authority at ${url} did not answer`);
      return readTimestampResponse(answer, imprint, nonce);
    },
  };
}

/**
 * A positive INTEGER (nonce, serial) in minimal DER: the first byte is forced into 0x40–0x7f, so it is never 0x00 (a leading zero
 * before a byte below 0x80 is illegal padding that OpenSSL's TSA refuses, 1 request in 512 with plain masking).
 */
export function positiveInteger(random: Buffer): Buffer {
  const nonce = Buffer.from(random);
  nonce[0] = (nonce[0] & 0x3f) | 0x40;
  return nonce;
}

/** A DER TimeStampReq (RFC 3161 §2.4.1) asking for the TSA's certificate. */
export function timestampRequest(imprint: Buffer, digest: SigningDigestAlgorithm, nonce: Buffer): Buffer {
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: DIGEST_OIDS[digest] }),
      hashedMessage: new asn1js.OctetString({ valueHex: imprint }),
    }),
    nonce: new asn1js.Integer({ valueHex: nonce }),
    certReq: true,
  });
  return Buffer.from(request.toSchema().toBER());
}

/** The token of a TimeStampResp, checked to be granted for this imprint and nonce (RFC 3161 §2.4.2). */
export function readTimestampResponse(answer: Buffer, imprint: Buffer, nonce?: Buffer): Buffer {
  let response: Pkijs.TimeStampResp;
  try {
    response = pkijs.TimeStampResp.fromBER(new Uint8Array(answer).buffer);
  } catch (error) {
    throw new AppError('TSA_UNAVAILABLE', 'the time-stamping authority sent an unreadable answer', { cause: error });
  }
  const status = response.status.status;
  if ((status !== 0 && status !== 1) || !response.timeStampToken) {
    throw new AppError('TSA_UNAVAILABLE', `the time-stamping authority refused the request (status ${status})`);
  }
  const signed = new pkijs.SignedData({ schema: response.timeStampToken.content });
  const tst = new pkijs.TSTInfo({ schema: asn1js.fromBER(new Uint8Array(signed.encapContentInfo.eContent?.valueBlock.valueHexView ?? []).buffer).result });
  const sameImprint = Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView).equals(imprint);
  const positive = (b: Buffer | Uint8Array): string => Buffer.from(b).toString('hex').replace(/^0+/, '');
  const sameNonce = !nonce || !tst.nonce || positive(tst.nonce.valueBlock.valueHexView) === positive(nonce);
  if (!sameImprint || !sameNonce) throw new AppError('TSA_UNAVAILABLE', 'the time-stamp token does not match the request');
  return Buffer.from(response.timeStampToken.toSchema().toBER());
}
