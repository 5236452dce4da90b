/**
 * A signer over a PKCS#11 token or HSM (pkcs11js). Config names follow pyHanko: module path, token
 * label/serial or slot, key label/id, cert label/id, PIN. Signing uses the asynchronous C_SignAsync so
 * a slow token never blocks the event loop; one session is used at a time (sessions are not thread-safe)
 * and is reopened when the token drops it. A wrong PIN is never retried.
 */
import { createHash } from 'node:crypto';
import * as pkcs11js from 'pkcs11js';
import { AppError } from '../../errors';
import { ecdsaPlainToDer, parseCertificate, SignatureScheme, SigningDigestAlgorithm } from '../../cms';
import { findIssuer } from '../find-issuer';
import { orderChain, Signer } from '../signer';
import { Pkcs11Module, TokenSlot } from './pkcs11-module';
import { isSessionLost, translatePkcs11Error } from './pkcs11-errors';

/** Which token and which key on it (pyHanko's PKCS#11 setup names). */
export interface Pkcs11KeySelector {
  tokenLabel?: string;
  tokenSerial?: string;
  slot?: number;
  keyLabel?: string;
  /** Hex CKA_ID. */
  keyId?: string;
  certLabel?: string;
  certId?: string;
}

export interface Pkcs11SignerOptions extends Pkcs11KeySelector {
  module: Pkcs11Module;
  /** null: the token's protected authentication path (its own PIN pad or reader), PKCS#11 v2.40 §5.6. */
  pin: string | null;
  /** Extra certificates (intermediates) for the chain, DER. */
  extraCertificates?: Buffer[];
}

// DigestInfo prefixes (RFC 8017 §9.2 note 1) for tokens that only offer raw CKM_RSA_PKCS.
const DIGEST_INFO_PREFIX: Record<SigningDigestAlgorithm, string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};
const HASH_MECH: Record<SigningDigestAlgorithm, { rsa: number; pss: number; hash: number; mgf: number }> = {
  sha256: { rsa: pkcs11js.CKM_SHA256_RSA_PKCS, pss: pkcs11js.CKM_SHA256_RSA_PKCS_PSS, hash: pkcs11js.CKM_SHA256, mgf: pkcs11js.CKG_MGF1_SHA256 },
  sha384: { rsa: pkcs11js.CKM_SHA384_RSA_PKCS, pss: pkcs11js.CKM_SHA384_RSA_PKCS_PSS, hash: pkcs11js.CKM_SHA384, mgf: pkcs11js.CKG_MGF1_SHA384 },
  sha512: { rsa: pkcs11js.CKM_SHA512_RSA_PKCS, pss: pkcs11js.CKM_SHA512_RSA_PKCS_PSS, hash: pkcs11js.CKM_SHA512, mgf: pkcs11js.CKG_MGF1_SHA512 },
};
const SALT: Record<SigningDigestAlgorithm, number> = { sha256: 32, sha384: 48, sha512: 64 };

export class Pkcs11Signer implements Signer {
  private session: pkcs11js.Handle | undefined;
  private key: pkcs11js.Handle | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private mechanisms: Set<number>;

  private constructor(
    private readonly options: Pkcs11SignerOptions,
    private readonly token: TokenSlot,
    private readonly chain: Buffer[],
    private readonly keyType: 'rsa' | 'ec',
  ) {
    this.mechanisms = new Set(options.module.lib.C_GetMechanismList(token.slot));
  }

  static async open(options: Pkcs11SignerOptions): Promise<Pkcs11Signer> {
    if (!options.keyLabel && !options.keyId && !options.certLabel && !options.certId) {
      throw new AppError('USAGE', 'name the key by label or id');
    }
    const token = options.module.findToken(options);
    if (token.pinLocked) throw new AppError('TOKEN_LOCKED', `the PIN of token '${token.label}' is locked`);
    // No PIN means the token's own PIN pad; a token without one would be logged in to without a PIN.
    if (options.pin === null && !token.protectedAuthenticationPath) {
      throw new AppError('USAGE', `token '${token.label}' has no PIN pad (protected authentication path): give the PIN instead`);
    }
    const lib = options.module.lib;
    let session: pkcs11js.Handle;
    try {
      session = lib.C_OpenSession(token.slot, pkcs11js.CKF_SERIAL_SESSION);
    } catch (error) {
      throw translatePkcs11Error(error, 'opening a session');
    }
    try {
      login(lib, session, options.pin);
      const key = findKey(lib, session, options);
      const keyId = attribute(lib, session, key, pkcs11js.CKA_ID);
      const certs = findObjects(lib, session, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE }], 256);
      const certOf = (h: pkcs11js.Handle) => ({
        der: attribute(lib, session, h, pkcs11js.CKA_VALUE),
        label: attribute(lib, session, h, pkcs11js.CKA_LABEL).toString('utf8'),
        id: attribute(lib, session, h, pkcs11js.CKA_ID),
      });
      const all = certs.map(certOf);
      const leaf =
        all.find((c) => (options.certLabel ? c.label === options.certLabel : options.certId ? c.id.toString('hex') === options.certId.toLowerCase() : false)) ??
        all.find((c) => keyId.length > 0 && c.id.equals(keyId)) ??
        all.find((c) => options.keyLabel !== undefined && c.label === options.keyLabel);
      if (!leaf) throw new AppError('CERT_NOT_FOUND', 'no certificate for this key on the token');
      const pool = [...all.map((c) => c.der), ...(options.extraCertificates ?? [])];
      const chain = orderChain(leaf.der, pool, findIssuer);
      const info = parseCertificate(leaf.der);
      if (info.keyType !== 'rsa' && info.keyType !== 'ec') {
        throw new AppError('CERT_UNSUPPORTED_KEY', `keys of type ${info.keyType} are not supported on tokens`);
      }
      const signer = new Pkcs11Signer(options, token, chain, info.keyType);
      signer.session = session;
      signer.key = key;
      return signer;
    } catch (error) {
      try {
        lib.C_CloseSession(session);
      } catch {
        // the session may already be gone
      }
      throw translatePkcs11Error(error, 'opening the key');
    }
  }

  async certificateChain(): Promise<Buffer[]> {
    return this.chain;
  }

  async schemes(): Promise<SignatureScheme[]> {
    if (this.keyType === 'ec') return ['ecdsa'];
    const out: SignatureScheme[] = ['rsa-pkcs1'];
    if (this.mechanisms.has(pkcs11js.CKM_RSA_PKCS_PSS) || this.mechanisms.has(pkcs11js.CKM_SHA256_RSA_PKCS_PSS)) out.push('rsa-pss');
    return out;
  }

  sign(data: Buffer, digest: SigningDigestAlgorithm, scheme: SignatureScheme): Promise<Buffer> {
    const run = this.queue.then(() => this.signOnce(data, digest, scheme, true));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private mechanismFor(data: Buffer, digest: SigningDigestAlgorithm, scheme: SignatureScheme): { mech: pkcs11js.Mechanism; input: Buffer } {
    const m = HASH_MECH[digest];
    const hash = () => createHash(digest).update(data).digest();
    if (scheme === 'ecdsa') {
      if (this.keyType !== 'ec') throw new AppError('MECHANISM_NOT_SUPPORTED', 'ECDSA needs an EC key');
      if (!this.mechanisms.has(pkcs11js.CKM_ECDSA)) throw new AppError('MECHANISM_NOT_SUPPORTED', 'the token does not offer CKM_ECDSA');
      return { mech: { mechanism: pkcs11js.CKM_ECDSA }, input: hash() };
    }
    if (this.keyType !== 'rsa') throw new AppError('MECHANISM_NOT_SUPPORTED', `${scheme} needs an RSA key`);
    if (scheme === 'rsa-pkcs1') {
      if (this.mechanisms.has(m.rsa)) return { mech: { mechanism: m.rsa }, input: data };
      if (this.mechanisms.has(pkcs11js.CKM_RSA_PKCS)) {
        return { mech: { mechanism: pkcs11js.CKM_RSA_PKCS }, input: Buffer.concat([Buffer.from(DIGEST_INFO_PREFIX[digest], 'hex'), hash()]) };
      }
      throw new AppError('MECHANISM_NOT_SUPPORTED', 'the token offers no RSA PKCS#1 v1.5 signing mechanism');
    }
    const parameter = { type: pkcs11js.CK_PARAMS_RSA_PSS, hashAlg: m.hash, mgf: m.mgf, saltLen: SALT[digest] };
    if (this.mechanisms.has(m.pss)) return { mech: { mechanism: m.pss, parameter }, input: data };
    if (this.mechanisms.has(pkcs11js.CKM_RSA_PKCS_PSS)) return { mech: { mechanism: pkcs11js.CKM_RSA_PKCS_PSS, parameter }, input: hash() };
    throw new AppError('MECHANISM_NOT_SUPPORTED', 'the token offers no RSA-PSS mechanism');
  }

  private async signOnce(data: Buffer, digest: SigningDigestAlgorithm, scheme: SignatureScheme, mayRetry: boolean): Promise<Buffer> {
    const lib = this.options.module.lib;
    const { mech, input } = this.mechanismFor(data, digest, scheme);
    try {
      if (this.session === undefined || this.key === undefined) this.reopen();
      lib.C_SignInit(this.session as pkcs11js.Handle, mech, this.key as pkcs11js.Handle);
      const out = await lib.C_SignAsync(this.session as pkcs11js.Handle, input, Buffer.alloc(1024));
      return this.keyType === 'ec' ? ecdsaPlainToDer(out) : Buffer.from(out);
    } catch (error) {
      if (mayRetry && isSessionLost(error)) {
        this.session = undefined;
        this.key = undefined;
        return this.signOnce(data, digest, scheme, false);
      }
      const translated = translatePkcs11Error(error, 'signing');
      // On the second attempt the key that signed before cannot be found: the token was removed or replaced.
      if (!mayRetry && translated.code === 'KEY_NOT_FOUND') {
        throw new AppError('TOKEN_NOT_PRESENT', 'the token was removed or replaced: the signing key is no longer on it', { cause: error });
      }
      // Modules answer a vanished token in many ways (invalid key or object handle, general error): when the
      // token is no longer listed, say so, the way a person understands it (the USB token was removed).
      if (translated.code === 'TOKEN_ERROR') {
        try {
          this.options.module.findToken(this.options);
        } catch (gone) {
          if ((gone as AppError).code === 'TOKEN_NOT_PRESENT') throw new AppError('TOKEN_NOT_PRESENT', `the token was removed (${translated.message})`, { cause: error });
          throw translated;
        }
      }
      throw translated;
    }
  }

  private reopen(): void {
    const lib = this.options.module.lib;
    const session = lib.C_OpenSession(this.token.slot, pkcs11js.CKF_SERIAL_SESSION);
    login(lib, session, this.options.pin);
    this.key = findKey(lib, session, this.options);
    this.session = session;
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.session !== undefined) {
      try {
        this.options.module.lib.C_CloseSession(this.session);
      } catch {
        // already closed by the token
      }
      this.session = undefined;
    }
  }
}

function login(lib: pkcs11js.PKCS11, session: pkcs11js.Handle, pin: string | null): void {
  try {
    // No PIN: the token asks for it on its own PIN pad (CKF_PROTECTED_AUTHENTICATION_PATH).
    if (pin === null) lib.C_Login(session, pkcs11js.CKU_USER);
    else lib.C_Login(session, pkcs11js.CKU_USER, pin);
  } catch (error) {
    if ((error as { code?: number }).code !== pkcs11js.CKR_USER_ALREADY_LOGGED_IN) throw translatePkcs11Error(error, 'logging in');
  }
}

function findObjects(lib: pkcs11js.PKCS11, session: pkcs11js.Handle, template: pkcs11js.Template, max: number): pkcs11js.Handle[] {
  lib.C_FindObjectsInit(session, template);
  try {
    return lib.C_FindObjects(session, max);
  } finally {
    lib.C_FindObjectsFinal(session);
  }
}

function attribute(lib: pkcs11js.PKCS11, session: pkcs11js.Handle, handle: pkcs11js.Handle, type: number): Buffer {
  try {
    const [attr] = lib.C_GetAttributeValue(session, handle, [{ type }]);
    return Buffer.isBuffer(attr.value) ? attr.value : Buffer.alloc(0);
  } catch {
    return Buffer.alloc(0);
  }
}

function findKey(lib: pkcs11js.PKCS11, session: pkcs11js.Handle, options: Pkcs11SignerOptions): pkcs11js.Handle {
  const template: pkcs11js.Template = [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }];
  const label = options.keyLabel ?? (options.keyId ? undefined : options.certLabel);
  const id = options.keyId ?? (options.keyLabel ? undefined : options.certId);
  if (label !== undefined) template.push({ type: pkcs11js.CKA_LABEL, value: label });
  if (id !== undefined) template.push({ type: pkcs11js.CKA_ID, value: Buffer.from(id, 'hex') });
  const keys = findObjects(lib, session, template, 2);
  const what = label !== undefined ? `label '${label}'` : `id ${id}`;
  if (keys.length === 0) throw new AppError('KEY_NOT_FOUND', `no private key with ${what} on the token`);
  if (keys.length > 1) throw new AppError('KEY_NOT_FOUND', `several private keys match ${what}; name it by id`);
  return keys[0];
}

/** Public (and, after login, private) objects on each token, for `kyso token list`. */
export function listTokenObjects(module: Pkcs11Module, token: TokenSlot, pin?: string): Array<{ kind: string; label: string; id: string; subject?: string }> {
  const lib = module.lib;
  const session = lib.C_OpenSession(token.slot, pkcs11js.CKF_SERIAL_SESSION);
  try {
    if (pin !== undefined) login(lib, session, pin);
    const out: Array<{ kind: string; label: string; id: string; subject?: string }> = [];
    const kinds: Array<[number, string]> = [
      [pkcs11js.CKO_CERTIFICATE, 'certificate'],
      [pkcs11js.CKO_PUBLIC_KEY, 'public-key'],
      ...(pin !== undefined ? ([[pkcs11js.CKO_PRIVATE_KEY, 'private-key']] as Array<[number, string]>) : []),
    ];
    for (const [cls, kind] of kinds) {
      for (const h of findObjects(lib, session, [{ type: pkcs11js.CKA_CLASS, value: cls }], 1000)) {
        const entry: { kind: string; label: string; id: string; subject?: string } = {
          kind,
          label: attribute(lib, session, h, pkcs11js.CKA_LABEL).toString('utf8'),
          id: attribute(lib, session, h, pkcs11js.CKA_ID).toString('hex'),
        };
        if (cls === pkcs11js.CKO_CERTIFICATE) {
          try {
            entry.subject = parseCertificate(attribute(lib, session, h, pkcs11js.CKA_VALUE)).subject;
          } catch {
            entry.subject = '(unreadable certificate)';
          }
        }
        out.push(entry);
      }
    }
    return out;
  } catch (error) {
    throw translatePkcs11Error(error, 'listing objects');
  } finally {
    try {
      if (pin !== undefined) lib.C_Logout(session);
    } catch {
      // not logged in
    }
    lib.C_CloseSession(session);
  }
}
