/**
 * ECDSA signature encodings: PKCS#11 tokens return r||s (IEEE P1363), CMS wants
 * ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 5753 §2.1.1 / RFC 3279 §2.2.3).
 */
import { asn1js } from './asn1-modules';

const toBigInt = (bytes: Buffer): bigint => BigInt(`0x${bytes.toString('hex') || '0'}`);

export function ecdsaPlainToDer(plain: Buffer): Buffer {
  if (plain.length % 2 !== 0 || plain.length === 0) throw new RangeError('plain ECDSA signature has odd length');
  const half = plain.length / 2;
  const seq = new asn1js.Sequence({
    value: [
      asn1js.Integer.fromBigInt(toBigInt(plain.subarray(0, half))),
      asn1js.Integer.fromBigInt(toBigInt(plain.subarray(half))),
    ],
  });
  return Buffer.from(seq.toBER());
}
