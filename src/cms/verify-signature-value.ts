/**
 * Verifies a signature value with the algorithm its identifier names (RFC 5652 §5.6, RFC 5754 §3, RFC 4056,
 * RFC 8419): the hash is the one the signatureAlgorithm binds, and only for the bare key OIDs
 * (rsaEncryption, ecPublicKey) the digest the caller names. Used for CMS signer infos and OCSP responses.
 */
import { constants, KeyObject, verify as cryptoVerify } from 'node:crypto';
import { asn1js, pkijs } from './asn1-modules';
import { nodeDigestFromOid, OID, signatureHashBinding } from './algorithms';

export interface SignatureAlgorithm {
  oid: string;
  /** DER of the AlgorithmIdentifier parameters (RSASSA-PSS), when present. */
  params?: Buffer;
}

export type SignatureCheck =
  | { outcome: 'verified' | 'failed'; hash: string | null }
  | { outcome: 'unsupported' };

/** The hash a signature algorithm binds; `fallbackDigest` for the bare key OIDs; undefined when unknown. */
export function hashOfSignatureAlgorithm(algorithm: SignatureAlgorithm, fallbackDigest: string | undefined): string | null | undefined {
  const binding = signatureHashBinding(algorithm.oid);
  switch (binding.kind) {
    case 'named':
      return binding.hash;
    case 'from-digest-algorithm':
      return fallbackDigest;
    case 'from-parameters':
      return pssParameters(algorithm.params).hash;
    case 'none':
      return null;
    default:
      return undefined;
  }
}

function pssParameters(params: Buffer | undefined): { hash: string | undefined; saltLength: number } {
  if (!params) return { hash: 'sha1', saltLength: 20 };
  try {
    const parsed = new pkijs.RSASSAPSSParams({ schema: asn1js.fromBER(new Uint8Array(params).buffer).result });
    return { hash: nodeDigestFromOid(parsed.hashAlgorithm.algorithmId)?.name, saltLength: parsed.saltLength ?? 20 };
  } catch {
    return { hash: undefined, saltLength: 20 };
  }
}

/**
 * Verifies `signature` over `data` with `key`. `hashOverride` verifies with another hash than the algorithm
 * binds (the caller uses it only to tell a substituted algorithm from a wrong value).
 */
export function verifySignatureValue(
  key: KeyObject, keyType: string, algorithm: SignatureAlgorithm, data: Buffer, signature: Buffer, fallbackDigest: string | undefined, hashOverride?: string,
): SignatureCheck {
  const binding = signatureHashBinding(algorithm.oid);
  if (binding.kind === 'unknown' || (binding.kind === 'named' && binding.family === 'md5')) return { outcome: 'unsupported' };
  const hash = hashOverride ?? hashOfSignatureAlgorithm(algorithm, fallbackDigest);
  if (hash === undefined) return { outcome: 'unsupported' };
  const check = (ok: () => boolean): SignatureCheck => {
    try {
      return { outcome: ok() ? 'verified' : 'failed', hash };
    } catch {
      return { outcome: 'failed', hash };
    }
  };
  if (binding.kind === 'none') {
    if ((algorithm.oid === OID.ed25519 && keyType !== 'ed25519') || (algorithm.oid === OID.ed448 && keyType !== 'ed448')) return { outcome: 'failed', hash: null };
    return check(() => cryptoVerify(null, data, key, signature));
  }
  if (hash === null) return { outcome: 'unsupported' };
  if (binding.kind === 'from-parameters') {
    if (keyType !== 'rsa') return { outcome: 'failed', hash };
    const { saltLength } = pssParameters(algorithm.params);
    return check(() => cryptoVerify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature));
  }
  const family = binding.kind === 'named' ? binding.family : keyType === 'ec' ? 'ecdsa' : 'rsa-pkcs1';
  if (family === 'rsa-pkcs1') return keyType === 'rsa' ? check(() => cryptoVerify(hash, data, key, signature)) : { outcome: 'failed', hash };
  if (keyType !== 'ec') return { outcome: 'failed', hash };
  if (family === 'ecdsa-plain') return check(() => cryptoVerify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature));
  // Some producers write ECDSA values as r||s under the DER OIDs; accept both encodings.
  return check(() => cryptoVerify(hash, data, { key, dsaEncoding: signature[0] === 0x30 ? 'der' : 'ieee-p1363' }, signature));
}
