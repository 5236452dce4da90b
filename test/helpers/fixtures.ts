/** Paths to the generated test PKI, the SoftHSM2 token and the samples (see scripts/setup-test-fixtures.sh). */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');
export const PKI = path.join(ROOT, 'test', 'fixtures', 'pki');
export const SOFTHSM_MODULE = process.env.KYSO_PKCS11_MODULE ?? '/usr/lib/softhsm/libsofthsm2.so';
export const TOKEN_LABEL = 'kyso-test';
/**
 * Tokens for wrong-PIN tests, one per test file (a failed login rewrites the token's file, and a test
 * file running at the same time in another process must not read it half-written; see setup-test-fixtures.sh).
 */
export const PIN_TEST_TOKENS = { signer: 'kyso-pin-a', cli: 'kyso-pin-b', isolated: 'kyso-pin-c' } as const;
export const PIN_FILE = path.join(ROOT, 'test', 'fixtures', 'softhsm', 'user-pin');
export const P12_PASSPHRASE_FILE = path.join(PKI, 'p12-passphrase.txt');
// The shared corpus lives beside the checkout; KYSO_SHARED_DIR overrides where that is.
const SHARED = [process.env.KYSO_SHARED_DIR, path.join(ROOT, '..', 'shared'), '/work/shared'].find(
  (d): d is string => !!d && existsSync(path.join(d, 'corpus', 'MANIFEST.tsv')),
);
export const CORPUS = path.join(SHARED ?? path.join(ROOT, '..', 'shared'), 'corpus');
export const OUTPUT = path.join(ROOT, 'test', 'output');

export const sample = (name: string): Buffer => readFileSync(path.join(ROOT, 'samples', name));
export const pkiFile = (name: string): Buffer => readFileSync(path.join(PKI, name));
export const pin = (): string => readFileSync(PIN_FILE, 'utf8').trim();
export const p12Passphrase = (): string => readFileSync(P12_PASSPHRASE_FILE, 'utf8').trim();
