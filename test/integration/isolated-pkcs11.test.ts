import { createVerify } from 'node:crypto';
import { parseCertificate } from '../../src/cms';
import { IsolatedPkcs11Signer } from '../../src/signers';
import { pin, PIN_TEST_TOKENS, SOFTHSM_MODULE, TOKEN_LABEL } from '../helpers/fixtures';

const verifies = async (signer: IsolatedPkcs11Signer, data: Buffer, signature: Buffer) =>
  createVerify('sha256').update(data).verify(parseCertificate((await signer.certificateChain())[0]).publicKey, signature);

describe('a PKCS#11 module isolated in its own process (KYSO_PKCS11_ISOLATE=1)', () => {
  let signer: IsolatedPkcs11Signer;
  beforeAll(async () => {
    signer = await IsolatedPkcs11Signer.open({ modulePath: SOFTHSM_MODULE, tokenLabel: TOKEN_LABEL, keyLabel: 'official-rsa', pin: pin() });
  });
  afterAll(() => signer.close());

  it('when it signs, then the value verifies with the token certificate and the module ran in another process', async () => {
    const data = Buffer.from('công văn số 15');
    expect(await verifies(signer, data, await signer.sign(data, 'sha256', 'rsa-pkcs1'))).toBe(true);
    expect(signer.pid).toEqual(expect.any(Number));
    expect(signer.pid).not.toBe(process.pid);
  });

  it('when the module process is killed, then the next request starts a new process and signs', async () => {
    const before = signer.pid as number;
    process.kill(before, 'SIGKILL');
    // Sent right away: whether it reaches the dying process or not, it must not be lost or signed twice.
    const data = Buffer.from('sau khi khởi động lại');
    expect(await verifies(signer, data, await signer.sign(data, 'sha256', 'rsa-pkcs1'))).toBe(true);
    expect(signer.pid).not.toBe(before);
  });

  it('when the module does not answer in time, then the request fails with PKCS11_MODULE_CRASHED and the process is killed', async () => {
    const failure = await IsolatedPkcs11Signer.open({ modulePath: SOFTHSM_MODULE, tokenLabel: TOKEN_LABEL, keyLabel: 'official-rsa', pin: pin(), timeoutMs: 1 })
      .then(() => undefined, (error: { code: string; message: string }) => error);
    expect(failure).toMatchObject({ code: 'PKCS11_MODULE_CRASHED', message: expect.stringContaining('did not answer within 1 ms') });
  });

  it('when the PIN is wrong, then TOKEN_PIN_INCORRECT comes back from the module process without the PIN', async () => {
    const failure = await IsolatedPkcs11Signer.open({ modulePath: SOFTHSM_MODULE, tokenLabel: PIN_TEST_TOKENS.isolated, keyLabel: 'official-rsa', pin: '99999999' })
      .then(() => undefined, (error: { code: string; message: string }) => error);
    expect(failure?.code).toBe('TOKEN_PIN_INCORRECT');
    expect(failure?.message).not.toContain('99999999');
  });

  it('when it is closed, then the module process exits', async () => {
    const other = await IsolatedPkcs11Signer.open({ modulePath: SOFTHSM_MODULE, tokenLabel: TOKEN_LABEL, keyLabel: 'official-ec', pin: pin() });
    const pid = other.pid as number;
    await other.close();
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
