/**
 * Network sources that answer from memory: a fetcher over a table of URL → bytes (recording what was
 * asked), and a time-stamping authority that signs RFC 3161 tokens in process with a given key and clock.
 * Used by unit tests and by offline tools; they follow the same rules as the HTTP ones.
 */
import { createHash, KeyObject, randomBytes, sign } from 'node:crypto';
import { asn1js, buildSignedAttributes, buildSignedData, DIGEST_OIDS, OID, parseCertificate, pkijs, SigningDigestAlgorithm } from '../cms';
import { AppError } from '../errors';
import type { RevocationFetcher, TimestampAuthority } from './sources';
import { positiveInteger } from './http-sources';

export interface InMemoryFetcher extends RevocationFetcher {
  /** Every URL asked for, in order. */
  readonly asked: string[];
  /** Sets (or with undefined, removes) what a URL answers. */
  set(url: string, answer: Buffer | ((request?: Buffer) => Buffer | undefined) | undefined): void;
}

export function createInMemoryFetcher(answers: Record<string, Buffer> = {}): InMemoryFetcher {
  const table = new Map<string, Buffer | ((request?: Buffer) => Buffer | undefined)>(Object.entries(answers));
  const asked: string[] = [];
  const answer = async (url: string, request?: Buffer): Promise<Buffer | undefined> => {
    asked.push(url);
    const entry = table.get(url);
    return typeof entry === 'function' ? entry(request) : entry;
  };
  return {
    asked,
    set: (url, value) => (value === undefined ? table.delete(url) : table.set(url, value)),
    fetchOcsp: (url, request) => answer(url, request),
    fetchCrl: (url) => answer(url),
    fetchCertificate: (url) => answer(url),
  };
}

export interface InMemoryTimestampAuthorityOptions {
  /** The TSA certificate (DER, extended key usage id-kp-timeStamping) and the chain above it. */
  certificates: Buffer[];
  key: KeyObject;
  /** The authority's clock; the real one when unset. */
  now?: () => Date;
  /** The accuracy claimed in the token, in seconds (RFC 3161 §2.4.2). */
  accuracySeconds?: number;
}

export function createInMemoryTimestampAuthority(options: InMemoryTimestampAuthorityOptions): TimestampAuthority & { issued: number } {
  const leaf = parseCertificate(options.certificates[0]);
  const authority = {
    name: `in-memory TSA (${leaf.subject})`,
    issued: 0,
    async timestamp(imprint: Buffer, digest: SigningDigestAlgorithm): Promise<Buffer> {
      if (imprint.length !== createHash(digest).digest().length) throw new AppError('TSA_UNAVAILABLE', `the imprint is not a ${digest} digest`);
      const serial = positiveInteger(randomBytes(8));
      const tst = new pkijs.TSTInfo({
        version: 1,
        policy: '1.3.6.1.4.1.55555.1.1',
        messageImprint: new pkijs.MessageImprint({
          hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: DIGEST_OIDS[digest] }),
          hashedMessage: new asn1js.OctetString({ valueHex: imprint }),
        }),
        serialNumber: new asn1js.Integer({ valueHex: serial }),
        genTime: new Date(Math.floor((options.now?.() ?? new Date()).getTime() / 1000) * 1000),
        ...(options.accuracySeconds !== undefined ? { accuracy: new pkijs.Accuracy({ seconds: options.accuracySeconds }) } : {}),
      });
      const content = Buffer.from(tst.toSchema().toBER());
      const signedAttributes = buildSignedAttributes({
        contentDigest: createHash('sha256').update(content).digest(), digestAlgorithm: 'sha256', signerCertificate: options.certificates[0], contentType: OID.tstInfo,
      });
      const scheme = leaf.keyType === 'ec' ? 'ecdsa' : 'rsa-pkcs1';
      authority.issued++;
      return buildSignedData({
        signedAttributes,
        signatureValue: sign('sha256', signedAttributes, options.key),
        digestAlgorithm: 'sha256',
        scheme,
        certificates: options.certificates,
        encapsulated: { type: OID.tstInfo, content },
      });
    },
  };
  return authority;
}
