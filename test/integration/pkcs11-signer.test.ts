import { X509Certificate, verify } from 'node:crypto';
import * as pkcs11js from 'pkcs11js';
import { AppError } from '../../src/errors';
import { Pkcs11Module, Pkcs11Signer } from '../../src/signers';
import { pin, PIN_TEST_TOKENS, SOFTHSM_MODULE, TOKEN_LABEL } from '../helpers/fixtures';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return error instanceof AppError ? error.code : `NOT_APP_ERROR: ${String(error)}`;
  }
  return undefined;
}

describe('Pkcs11Signer on a SoftHSM2 token', () => {
  let module: Pkcs11Module;
  beforeAll(() => {
    module = Pkcs11Module.load(SOFTHSM_MODULE);
  });
  afterAll(() => module.close());

  it.each([
    ['RSA-2048 by key label', { keyLabel: 'official-rsa' }, 'rsa-pkcs1' as const],
    ['RSA-2048 with RSA-PSS', { keyLabel: 'official-rsa' }, 'rsa-pss' as const],
    ['ECDSA P-256 by key id', { keyId: '02' }, 'ecdsa' as const],
  ])('when signing with %s, then the value verifies with the token certificate', async (_l, key, scheme) => {
    const signer = await Pkcs11Signer.open({ module, tokenLabel: TOKEN_LABEL, pin: pin(), ...key });
    try {
      const chain = await signer.certificateChain();
      expect(chain).toHaveLength(3); // leaf, issuing CA and root are all on the token
      const data = Buffer.from('signed attributes');
      const value = await signer.sign(data, 'sha256', scheme);
      const options = scheme === 'rsa-pss' ? { key: new X509Certificate(chain[0]).publicKey, padding: 6, saltLength: 32 } : new X509Certificate(chain[0]).publicKey;
      expect(verify('sha256', data, options, value)).toBe(true);
    } finally {
      await signer.close();
    }
  });

  it('when many signatures are requested at once, then they are serialised on one session and all verify', async () => {
    const signer = await Pkcs11Signer.open({ module, tokenLabel: TOKEN_LABEL, pin: pin(), keyLabel: 'official-ec' });
    const chain = await signer.certificateChain();
    const values = await Promise.all(Array.from({ length: 20 }, (_, i) => signer.sign(Buffer.from(`m${i}`), 'sha384', 'ecdsa')));
    values.forEach((v, i) => expect(verify('sha384', Buffer.from(`m${i}`), new X509Certificate(chain[0]).publicKey, v)).toBe(true));
    await signer.close();
  });

  it('when the token drops the session, then the signer reopens it and signs', async () => {
    const signer = await Pkcs11Signer.open({ module, tokenLabel: TOKEN_LABEL, pin: pin(), keyLabel: 'official-rsa' });
    const slot = module.findToken({ tokenLabel: TOKEN_LABEL }).slot;
    module.lib.C_CloseAllSessions(slot);
    const value = await signer.sign(Buffer.from('after drop'), 'sha256', 'rsa-pkcs1');
    expect(value).toHaveLength(256);
    await signer.close();
  });

  it('when the PIN is wrong, then TOKEN_PIN_INCORRECT is raised and the PIN is not in the message', async () => {
    let caught: unknown;
    try {
      await Pkcs11Signer.open({ module, tokenLabel: PIN_TEST_TOKENS.signer, pin: '99999999', keyLabel: 'official-rsa' });
    } catch (error) {
      caught = error;
    }
    expect((caught as AppError).code).toBe('TOKEN_PIN_INCORRECT');
    expect(JSON.stringify({ m: (caught as AppError).message, d: (caught as AppError).details })).not.toContain('99999999');
  });

  it('when the token is not present, then TOKEN_NOT_PRESENT is raised', async () => {
    expect(await codeOf(Pkcs11Signer.open({ module, tokenLabel: 'no-such-token', pin: pin(), keyLabel: 'official-rsa' }))).toBe('TOKEN_NOT_PRESENT');
  });

  it('when the key label does not exist, then KEY_NOT_FOUND is raised', async () => {
    expect(await codeOf(Pkcs11Signer.open({ module, tokenLabel: TOKEN_LABEL, pin: pin(), keyLabel: 'nobody' }))).toBe('KEY_NOT_FOUND');
  });

  it('when the module path is wrong, then PKCS11_MODULE_LOAD_FAILED is raised', () => {
    expect(() => Pkcs11Module.load('/nonexistent/libpkcs11.so')).toThrow(expect.objectContaining({ code: 'PKCS11_MODULE_LOAD_FAILED' }));
  });

  it('when a token listing is asked, then tokens carry label and serial', () => {
    const token = module.findToken({ tokenLabel: TOKEN_LABEL });
    expect(token.serial).toMatch(/\S+/);
    expect(module.findToken({ tokenSerial: token.serial }).label).toBe(TOKEN_LABEL);
    expect(module.findToken({ slot: token.slotIndex }).label).toBe(TOKEN_LABEL);
  });

  it('when the PIN is locked, then the return value maps to TOKEN_LOCKED', async () => {
    const { translatePkcs11Error } = await import('../../src/signers/pkcs11/pkcs11-errors');
    const error = translatePkcs11Error(Object.assign(new Error('CKR_PIN_LOCKED'), { code: pkcs11js.CKR_PIN_LOCKED }), 'logging in');
    expect(error.code).toBe('TOKEN_LOCKED');
  });
});
