/**
 * A signer over a PKCS#12 file. node-forge decodes the container (node:crypto cannot read PKCS#12);
 * the key is then handed to node:crypto, which signs RSA, RSA-PSS, ECDSA and EdDSA natively.
 */
import { constants, createPrivateKey, createPublicKey, KeyObject, pbkdf2Sync, sign as cryptoSign, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { AppError } from '../../errors';
import type { SignatureScheme, SigningDigestAlgorithm } from '../../cms';
import { findIssuer } from '../find-issuer';
import { orderChain, Signer } from '../signer';

/**
 * forge derives PBES2 keys (OpenSSL 3's default PKCS#12 encryption) with its JavaScript PBKDF2 whenever the
 * PRF is given as a digest object, which is every time; this hands those derivations to node:crypto with
 * the same bytes in and out (forge's own native branch converts the same way), which halves opening a file.
 */
const NATIVE_PRF = new Set(['sha1', 'sha256', 'sha384', 'sha512']);
const forgePbkdf2 = forge.pkcs5.pbkdf2;
forge.pkcs5.pbkdf2 = ((password: string, salt: string, iterations: number, keyLength: number, md?: unknown, callback?: unknown) => {
  const prf = (md as { algorithm?: string } | undefined)?.algorithm;
  if (callback === undefined && prf !== undefined && NATIVE_PRF.has(prf)) {
    return pbkdf2Sync(Buffer.from(password, 'binary'), Buffer.from(salt, 'binary'), iterations, keyLength, prf).toString('binary');
  }
  return (forgePbkdf2 as (...args: unknown[]) => string)(password, salt, iterations, keyLength, md, callback);
}) as typeof forge.pkcs5.pbkdf2;

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
