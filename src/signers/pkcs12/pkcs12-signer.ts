/**
 * A signer over a PKCS#12 file. node-forge decodes the container (node:crypto cannot read PKCS#12);
 * the key is then handed to node:crypto, which signs RSA, RSA-PSS, ECDSA and EdDSA natively.
 */
import { constants, createHash, createPrivateKey, createPublicKey, KeyObject, pbkdf2Sync, sign as cryptoSign, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { AppError } from '../../errors';
import type { SignatureScheme, SigningDigestAlgorithm } from '../../cms';
import { findIssuer } from '../find-issuer';
import { orderChain, Signer } from '../signer';

/**
 * forge derives every key of a PKCS#12 file in JavaScript: the MAC key (RFC 7292 Appendix B) and PBES2 keys
 * (PBKDF2, OpenSSL 3's default encryption; forge's own native branch is skipped whenever the PRF is given as
 * a digest object, which is every time). These two derivations are handed to node:crypto, with the same
 * bytes in and out, which more than halves opening a file. Other digests keep forge's code.
 */
const NATIVE_DIGEST = new Set(['sha1', 'sha256', 'sha384', 'sha512']);
const digestName = (md: unknown): string | undefined => {
  const name = (md as { algorithm?: string } | undefined | null)?.algorithm;
  return name !== undefined && NATIVE_DIGEST.has(name) ? name : undefined;
};
const forgePbkdf2 = forge.pkcs5.pbkdf2;
forge.pkcs5.pbkdf2 = ((password: string, salt: string, iterations: number, keyLength: number, md?: unknown, callback?: unknown) => {
  const prf = digestName(md);
  if (callback === undefined && prf !== undefined) {
    return pbkdf2Sync(Buffer.from(password, 'utf8'), Buffer.from(salt, 'binary'), iterations, keyLength, prf).toString('binary');
  }
  return (forgePbkdf2 as (...args: unknown[]) => string)(password, salt, iterations, keyLength, md, callback);
}) as typeof forge.pkcs5.pbkdf2;
const forgePkcs12Key = forge.pkcs12.generateKey;
forge.pkcs12.generateKey = ((password: string | null | undefined, salt: forge.util.ByteBuffer, id: number, iterations: number, length: number, md?: forge.md.MessageDigest) => {
  const digest = digestName(md ?? { algorithm: 'sha1' });
  if (digest === undefined || !(iterations >= 1)) return forgePkcs12Key(password as string, salt, id, iterations, length, md);
  return forge.util.createBuffer(pkcs12Key(password, Buffer.from(salt.bytes(), 'binary'), id, iterations, length, digest).toString('binary'));
}) as typeof forge.pkcs12.generateKey;

/** RFC 7292 Appendix B.2: the password as a NUL-terminated BMPString (forge's encoding, code unit by code unit). */
function pkcs12Key(password: string | null | undefined, salt: Buffer, id: number, iterations: number, length: number, digest: string): Buffer {
  const u = createHash(digest).digest().length;
  const v = digest === 'sha384' || digest === 'sha512' ? 128 : 64;
  const pass = Buffer.alloc(password == null ? 0 : (password.length + 1) * 2);
  if (password != null) for (let i = 0; i < password.length; i++) pass.writeUInt16BE(password.charCodeAt(i), i * 2);
  const repeat = (bytes: Buffer) => {
    const out = Buffer.alloc(v * Math.ceil(bytes.length / v));
    for (let i = 0; i < out.length; i++) out[i] = bytes[i % bytes.length];
    return out;
  };
  const diversifier = Buffer.alloc(v, id);
  const input = Buffer.concat([repeat(salt), repeat(pass)]);
  const blocks: Buffer[] = [];
  for (let produced = 0; produced < length; produced += u) {
    let a = createHash(digest).update(diversifier).update(input).digest();
    for (let r = 1; r < iterations; r++) a = createHash(digest).update(a).digest();
    blocks.push(a);
    const b = Buffer.alloc(v);
    for (let i = 0; i < v; i++) b[i] = a[i % u];
    for (let j = 0; j < input.length; j += v) {
      let carry = 1;
      for (let i = v - 1; i >= 0; i--) {
        carry += input[j + i] + b[i];
        input[j + i] = carry & 0xff;
        carry >>= 8;
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, length);
}

export interface Pkcs12SignerOptions {
  data: Buffer;
  passphrase: string;
}

export class Pkcs12Signer implements Signer {
  private constructor(
    private readonly key: KeyObject,
    private readonly chain: Buffer[],
  ) {}

  static open(options: Pkcs12SignerOptions): Pkcs12Signer {
    let p12: forge.pkcs12.Pkcs12Pfx;
    try {
      const asn1 = forge.asn1.fromDer(forge.util.createBuffer(options.data.toString('binary')));
      p12 = forge.pkcs12.pkcs12FromAsn1(asn1, options.passphrase);
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      if (/MAC could not be verified|Invalid password/i.test(message)) {
        throw new AppError('P12_PASSPHRASE_INCORRECT', 'the PKCS#12 passphrase is incorrect');
      }
      throw new AppError('P12_MALFORMED', 'the file is not a readable PKCS#12 container');
    }
    const keyBags = [
      ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
      ...(p12.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
    ];
    const certBags = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
    if (keyBags.length === 0) throw new AppError('KEY_NOT_FOUND', 'the PKCS#12 file holds no private key');
    const bag = keyBags[0];
    // forge decodes RSA keys itself; for EC and others it leaves the PrivateKeyInfo ASN.1 for us.
    const pkcs8 = bag.key
      ? forge.asn1.toDer(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key as forge.pki.rsa.PrivateKey))).getBytes()
      : forge.asn1.toDer(bag.asn1 as forge.asn1.Asn1).getBytes();
    const key = createPrivateKey({ key: Buffer.from(pkcs8, 'binary'), format: 'der', type: 'pkcs8' });
    const certs = certBags
      // forge parses RSA certificates; for other key types it keeps the certificate's ASN.1 in `asn1`.
      .map((b) => (b.cert ? forge.asn1.toDer(forge.pki.certificateToAsn1(b.cert)).getBytes() : b.asn1 ? forge.asn1.toDer(b.asn1).getBytes() : ''))
      .filter((c) => c.length > 0)
      .map((c) => Buffer.from(c, 'binary'));
    const leafBag = certBags.find((b) => localKeyId(b) !== undefined && localKeyId(b) === localKeyId(bag));
    const leafIndex = leafBag ? certBags.indexOf(leafBag) : certs.findIndex((c) => matchesKey(c, key));
    if (leafIndex < 0) throw new AppError('CERT_NOT_FOUND', 'the PKCS#12 file holds no certificate for its key');
    const leaf = certs[leafIndex];
    return new Pkcs12Signer(key, orderChain(leaf, certs, findIssuer));
  }

  async certificateChain(): Promise<Buffer[]> {
    return this.chain;
  }

  async schemes(): Promise<SignatureScheme[]> {
    const type = this.key.asymmetricKeyType;
    if (type === 'rsa') return ['rsa-pkcs1', 'rsa-pss'];
    if (type === 'rsa-pss') return ['rsa-pss'];
    if (type === 'ec') return ['ecdsa'];
    throw new AppError('CERT_UNSUPPORTED_KEY', `keys of type ${type} are not supported for signing`);
  }

  async sign(data: Buffer, digest: SigningDigestAlgorithm, scheme: SignatureScheme): Promise<Buffer> {
    if (!(await this.schemes()).includes(scheme)) {
      throw new AppError('MECHANISM_NOT_SUPPORTED', `this key cannot sign with ${scheme}`);
    }
    if (scheme === 'rsa-pss') {
      const saltLength = { sha256: 32, sha384: 48, sha512: 64 }[digest];
      return cryptoSign(digest, data, { key: this.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
    }
    return cryptoSign(digest, data, { key: this.key, dsaEncoding: 'der' });
  }

  async close(): Promise<void> {
    // Nothing to release: the key lives in this process only.
  }
}

function localKeyId(bag: forge.pkcs12.Bag): string | undefined {
  const id = bag.attributes?.localKeyId?.[0];
  return typeof id === 'string' ? id : undefined;
}

function matchesKey(certDer: Buffer, key: KeyObject): boolean {
  try {
    const pub = new X509Certificate(certDer).publicKey.export({ format: 'der', type: 'spki' });
    return pub.equals(createPublicKey(key).export({ format: 'der', type: 'spki' }));
  } catch {
    return false;
  }
}
