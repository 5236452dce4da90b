/**
 * Algorithm identifiers used in CMS (RFC 5652, RFC 5754, RFC 4056, RFC 5758) and their Node.js names.
 */
import { encodeOid, encodeSmallInteger, sequence, wrap } from './der';

export type DigestAlgorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512';
/** Digests Kyso signs with; SHA-1 is only ever validated (legacy documents). */
export type SigningDigestAlgorithm = Exclude<DigestAlgorithm, 'sha1'>;
export type SignatureScheme = 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa';

export const DIGEST_OIDS: Record<DigestAlgorithm, string> = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
};

export const DIGEST_LENGTHS: Record<DigestAlgorithm, number> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

const RSA_WITH: Record<DigestAlgorithm, string> = {
  sha1: '1.2.840.113549.1.1.5',
  sha256: '1.2.840.113549.1.1.11',
  sha384: '1.2.840.113549.1.1.12',
  sha512: '1.2.840.113549.1.1.13',
};
const ECDSA_WITH: Record<DigestAlgorithm, string> = {
  sha1: '1.2.840.10045.4.1',
  sha256: '1.2.840.10045.4.3.2',
  sha384: '1.2.840.10045.4.3.3',
  sha512: '1.2.840.10045.4.3.4',
};
export const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecPublicKey: '1.2.840.10045.2.1',
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  adbeRevocationInfoArchival: '1.2.840.113583.1.1.8',
} as const;

const NULL = Buffer.from([0x05, 0x00]);

/** AlgorithmIdentifier of a digest, DER (RFC 5754 §2: parameters absent for SHA-2, accepted either way by readers). */
export function digestAlgorithmDer(digest: DigestAlgorithm): Buffer {
  return sequence(encodeOid(DIGEST_OIDS[digest]));
}

/** AlgorithmIdentifier of a signature scheme with its digest, DER. */
export function signatureAlgorithmDer(scheme: SignatureScheme, digest: DigestAlgorithm): Buffer {
  switch (scheme) {
    case 'rsa-pkcs1':
      return sequence(encodeOid(RSA_WITH[digest]), NULL);
    case 'ecdsa':
      return sequence(encodeOid(ECDSA_WITH[digest]));
    case 'rsa-pss': {
      // RFC 4055 §3.1: MGF1 with the same hash, salt length equal to the digest length; trailerField default.
      const hash = sequence(encodeOid(DIGEST_OIDS[digest]), NULL);
      const params = sequence(
        wrap(0xa0, hash),
        wrap(0xa1, sequence(encodeOid(OID.mgf1), hash)),
        wrap(0xa2, encodeSmallInteger(DIGEST_LENGTHS[digest])),
      );
      return sequence(encodeOid(OID.rsassaPss), params);
    }
  }
}

/** A digest as Node.js computes it: its name, and the output length for the extendable-output SHAKE256. */
export interface NodeDigest {
  name: string;
  outputLength?: number;
}

/** Every digest OID Kyso can compute when validating (RFC 5754, RFC 8702, NIST CSOR), MD5 included so policy can refuse it. */
const NODE_DIGESTS: Record<string, NodeDigest> = {
  ...Object.fromEntries(Object.entries(DIGEST_OIDS).map(([name, oid]) => [oid, { name }])),
  '1.2.840.113549.2.5': { name: 'md5' },
  '2.16.840.1.101.3.4.2.4': { name: 'sha224' },
  '2.16.840.1.101.3.4.2.7': { name: 'sha3-224' },
  '2.16.840.1.101.3.4.2.8': { name: 'sha3-256' },
  '2.16.840.1.101.3.4.2.9': { name: 'sha3-384' },
  '2.16.840.1.101.3.4.2.10': { name: 'sha3-512' },
  '2.16.840.1.101.3.4.2.12': { name: 'shake256', outputLength: 64 },
};

export function nodeDigestFromOid(oid: string): NodeDigest | undefined {
  return NODE_DIGESTS[oid];
}

/**
 * What a signatureAlgorithm OID binds (RFC 5652 §5.6, RFC 5754 §3, RFC 8702): the hash it names, or
 * `from-digest-algorithm` for the bare key OIDs (rsaEncryption, ecPublicKey) that take the SignerInfo's
 * digestAlgorithm, `from-parameters` for RSASSA-PSS, `none` for EdDSA (pure), `unknown` otherwise.
 */
export type SignatureHashBinding =
  | { kind: 'named'; hash: string; family: 'rsa-pkcs1' | 'ecdsa' | 'ecdsa-plain' | 'md5' }
  | { kind: 'from-digest-algorithm' | 'from-parameters' | 'none' | 'unknown' };

const SIGNATURE_HASHES: Record<string, { hash: string; family: 'rsa-pkcs1' | 'ecdsa' | 'ecdsa-plain' | 'md5' }> = {
  ...Object.fromEntries(Object.entries(RSA_WITH).map(([hash, oid]) => [oid, { hash, family: 'rsa-pkcs1' as const }])),
  ...Object.fromEntries(Object.entries(ECDSA_WITH).map(([hash, oid]) => [oid, { hash, family: 'ecdsa' as const }])),
  '1.2.840.113549.1.1.4': { hash: 'md5', family: 'md5' },
  '1.2.840.113549.1.1.14': { hash: 'sha224', family: 'rsa-pkcs1' },
  '2.16.840.1.101.3.4.3.13': { hash: 'sha3-224', family: 'rsa-pkcs1' },
  '2.16.840.1.101.3.4.3.14': { hash: 'sha3-256', family: 'rsa-pkcs1' },
  '2.16.840.1.101.3.4.3.15': { hash: 'sha3-384', family: 'rsa-pkcs1' },
  '2.16.840.1.101.3.4.3.16': { hash: 'sha3-512', family: 'rsa-pkcs1' },
  '1.2.840.10045.4.3.1': { hash: 'sha224', family: 'ecdsa' },
  '2.16.840.1.101.3.4.3.9': { hash: 'sha3-224', family: 'ecdsa' },
  '2.16.840.1.101.3.4.3.10': { hash: 'sha3-256', family: 'ecdsa' },
  '2.16.840.1.101.3.4.3.11': { hash: 'sha3-384', family: 'ecdsa' },
  '2.16.840.1.101.3.4.3.12': { hash: 'sha3-512', family: 'ecdsa' },
  // BSI TR-03111 plain (r||s) ECDSA
  '0.4.0.127.0.7.1.1.4.1.1': { hash: 'sha1', family: 'ecdsa-plain' },
  '0.4.0.127.0.7.1.1.4.1.2': { hash: 'sha224', family: 'ecdsa-plain' },
  '0.4.0.127.0.7.1.1.4.1.3': { hash: 'sha256', family: 'ecdsa-plain' },
  '0.4.0.127.0.7.1.1.4.1.4': { hash: 'sha384', family: 'ecdsa-plain' },
  '0.4.0.127.0.7.1.1.4.1.5': { hash: 'sha512', family: 'ecdsa-plain' },
  '0.4.0.127.0.7.1.1.4.1.8': { hash: 'sha3-224', family: 'ecdsa-plain' },
  '0.4.0.127.0.7.1.1.4.1.9': { hash: 'sha3-256', family: 'ecdsa-plain' },
  '0.4.0.127.0.7.1.1.4.1.10': { hash: 'sha3-384', family: 'ecdsa-plain' },
  '0.4.0.127.0.7.1.1.4.1.11': { hash: 'sha3-512', family: 'ecdsa-plain' },
};

export function signatureHashBinding(oid: string): SignatureHashBinding {
  const named = SIGNATURE_HASHES[oid];
  if (named) return { kind: 'named', ...named };
  if (oid === OID.rsaEncryption || oid === OID.ecPublicKey) return { kind: 'from-digest-algorithm' };
  if (oid === OID.rsassaPss) return { kind: 'from-parameters' };
  if (oid === OID.ed25519 || oid === OID.ed448) return { kind: 'none' };
  return { kind: 'unknown' };
}
