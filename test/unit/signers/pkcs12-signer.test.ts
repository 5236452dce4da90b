/**
 * Opening PKCS#12 files as OpenSSL writes them: every MAC digest, modern (PBES2/AES) and legacy (3DES/RC2)
 * encryption, and a Vietnamese passphrase (BMPString for the MAC, UTF-8 for PBKDF2, as OpenSSL does).
 */
import { execFileSync } from 'node:child_process';
import { verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AppError } from '../../../src/errors';
import { Pkcs12Signer } from '../../../src/signers';
import { PKI, pkiFile } from '../../helpers/fixtures';

const PASSPHRASE = 'Mật khẩu ký số 123';
const dir = mkdtempSync(path.join(os.tmpdir(), 'kyso-p12-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function makeP12(name: string, options: string[]): Buffer {
  const out = path.join(dir, `${name}.p12`);
  execFileSync('openssl', [
    'pkcs12', '-export', '-inkey', path.join(PKI, 'official-rsa.key'), '-in', path.join(PKI, 'official-rsa.pem'),
    '-certfile', path.join(PKI, 'issuing-ca.pem'), '-out', out, '-passout', 'env:KYSO_TEST_P12', ...options,
  ], { env: { ...process.env, KYSO_TEST_P12: PASSPHRASE } });
  return readFileSync(out);
}

describe.each([
  ['PBES2 AES-256, SHA-256 MAC (OpenSSL 3 default)', []],
  ['PBES2 AES-256, SHA-1 MAC', ['-macalg', 'sha1']],
  ['PBES2 AES-256, SHA-512 MAC', ['-macalg', 'sha512']],
  ['legacy 3DES and RC2, SHA-1 MAC', ['-legacy']],
])('a PKCS#12 file with %s', (name, options) => {
  const data = makeP12(name.replace(/\W+/g, '-'), options);

  it('when the Vietnamese passphrase is given, then the key signs and the chain is leaf first', async () => {
    const signer = Pkcs12Signer.open({ data, passphrase: PASSPHRASE });
    const chain = await signer.certificateChain();
    expect(chain.map((c) => c.toString('base64'))).toEqual([pkiFile('official-rsa.der'), pkiFile('issuing-ca.der')].map((c) => c.toString('base64')));
    const value = await signer.sign(Buffer.from('dữ liệu ký'), 'sha256', 'rsa-pkcs1');
    expect(verify('sha256', Buffer.from('dữ liệu ký'), new X509Certificate(chain[0]).publicKey, value)).toBe(true);
  });

  it('when the passphrase lacks its diacritics, then it is refused as incorrect', () => {
    let error: unknown;
    try {
      Pkcs12Signer.open({ data, passphrase: 'Mat khau ky so 123' });
    } catch (e) {
      error = e;
    }
    expect((error as AppError).code).toBe('P12_PASSPHRASE_INCORRECT');
  });
});
