/**
 * A certificate's public key as a Node.js KeyObject, read from its SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
 * RSA (RFC 8017 A.1.1), the NIST curves with an uncompressed point (SEC 1 §2.3.3) and EdDSA keys (RFC 8410)
 * are handed to Node as JWK numbers; OpenSSL's decoder, which reads the DER form, costs several times more
 * and takes a lock every thread waits on. Any other key (RSASSA-PSS with parameters, brainpool curves,
 * compressed points, unusual encodings) is read by that decoder from the DER.
 */
import { createPublicKey, JsonWebKey, KeyObject } from 'node:crypto';
import { OID } from './algorithms';
import { children, content, minimalInteger, oidString, readTlv, Tlv } from './der';

const JWK_CURVES: Record<string, { crv: string; size: number }> = {
  '1.2.840.10045.3.1.7': { crv: 'P-256', size: 32 },
  '1.3.132.0.34': { crv: 'P-384', size: 48 },
  '1.3.132.0.35': { crv: 'P-521', size: 66 },
};

/** A DER INTEGER's magnitude when it is positive and minimally encoded (X.690 §8.3.2), else undefined. */
function positiveInteger(buf: Buffer, t: Tlv | undefined): Buffer | undefined {
  if (!t || t.tag !== 0x02 || !minimalInteger(buf, t)) return undefined;
  const body = content(buf, t);
  if (body[0] & 0x80) return undefined; // negative
  if (body[0] === 0) return body.length > 1 ? body.subarray(1) : undefined; // zero is not positive
  return body;
}

/** The key's bit string content after its unused-bits octet, when that octet is zero. */
function keyBits(spki: Buffer): Buffer | undefined {
  const top = readTlv(spki, 0);
  const bits = top && top.end === spki.length ? children(spki, top)?.[1] : undefined;
  if (!bits || bits.tag !== 0x03 || bits.contentEnd - bits.contentStart < 2 || spki[bits.contentStart] !== 0) return undefined;
  return spki.subarray(bits.contentStart + 1, bits.contentEnd);
}

function jwkOf(spki: Buffer, algorithmOid: string, algorithmParams: Buffer | undefined): JsonWebKey | undefined {
  const key = keyBits(spki);
  if (!key) return undefined;
  const url = (b: Buffer) => b.toString('base64url');
  if (algorithmOid === OID.rsaEncryption) {
    const top = readTlv(key, 0);
    const [n, e, extra] = (top && top.tag === 0x30 && top.end === key.length ? children(key, top) : undefined) ?? [];
    const modulus = positiveInteger(key, n);
    const exponent = positiveInteger(key, e);
    return modulus && exponent && !extra ? { kty: 'RSA', n: url(modulus), e: url(exponent) } : undefined;
  }
  if (algorithmOid === OID.ecPublicKey && algorithmParams && algorithmParams[0] === 0x06 && algorithmParams[1] === algorithmParams.length - 2) {
    const curve = JWK_CURVES[oidString(algorithmParams.subarray(2))];
    if (!curve || key.length !== 1 + 2 * curve.size || key[0] !== 0x04) return undefined;
    return { kty: 'EC', crv: curve.crv, x: url(key.subarray(1, 1 + curve.size)), y: url(key.subarray(1 + curve.size)) };
  }
  if (algorithmOid === OID.ed25519 && key.length === 32) return { kty: 'OKP', crv: 'Ed25519', x: url(key) };
  if (algorithmOid === OID.ed448 && key.length === 57) return { kty: 'OKP', crv: 'Ed448', x: url(key) };
  return undefined;
}

/** The key of a SubjectPublicKeyInfo; throws when neither way can read it. */
export function importPublicKey(spki: Buffer, algorithmOid: string, algorithmParams: Buffer | undefined): KeyObject {
  const jwk = jwkOf(spki, algorithmOid, algorithmParams);
  if (jwk) {
    try {
      return createPublicKey({ key: jwk, format: 'jwk' });
    } catch {
      // e.g. a point off the curve: the DER reader gives the same refusal with OpenSSL's reason
    }
  }
  return createPublicKey({ key: spki, format: 'der', type: 'spki' });
}

/** The bit length of an RSA key's modulus, read from the SubjectPublicKeyInfo (0 when unreadable). */
export function rsaModulusBits(spki: Buffer): number {
  const key = keyBits(spki);
  const top = key ? readTlv(key, 0) : undefined;
  const n = key && top ? children(key, top)?.[0] : undefined;
  if (!key || !n || n.tag !== 0x02) return 0;
  let body = content(key, n);
  while (body.length > 0 && body[0] === 0) body = body.subarray(1);
  return body.length === 0 ? 0 : (body.length - 1) * 8 + (32 - Math.clz32(body[0]));
}
