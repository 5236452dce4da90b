import { mkdirSync, mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import { Pkcs12Signer } from '../../src/signers';
import { joinParts, signPdf } from '../../src/signing';
import { createValidationContext, TrustStore, validatePdf } from '../../src/validation';
import { OUTPUT, P12_PASSPHRASE_FILE, p12Passphrase, PKI, pkiFile, ROOT, sample } from '../helpers/fixtures';
import { startLocalTsa } from '../helpers/local-tsa';
import { pdfsig, pyhankoValidate } from '../helpers/peers';

mkdirSync(OUTPUT, { recursive: true });
const dir = mkdtempSync(path.join(OUTPUT, 'tsa-'));

describe('PAdES B-T: signatures with an RFC 3161 time-stamp from a real TSA', () => {
  let tsa: Awaited<ReturnType<typeof startLocalTsa>>;
  beforeAll(async () => {
    tsa = await startLocalTsa();
  });
  afterAll(() => tsa.close());

  it('when signed with a TSA, then Kyso reports B-T with a trusted timestamp and pdfsig and pyHanko accept it', async () => {
    const signer = Pkcs12Signer.open({ data: pkiFile('official-ec.p12'), passphrase: p12Passphrase() });
    const signed = joinParts(await signPdf(sample('cong-van.pdf'), signer, { tsa: tsa.authority, reason: 'Ký có dấu thời gian' }));
    const trust = new TrustStore();
    trust.add(pkiFile('root-ca.der'));
    const report = await validatePdf(signed, createValidationContext({ trust, offline: true }));
    const sig = report.signatures[0];
    expect([sig.level, sig.timestamp?.intact, sig.timestamp?.trusted, sig.validationTime.source]).toEqual(['B-T', true, true, 'timestamp']);
    expect(sig.timestamp?.tsa).toContain('Kyso Test TSA');

    const file = path.join(dir, 'b-t.pdf');
    writeFileSync(file, signed);
    expect(pdfsig(file)).toMatchObject({ signatures: 1, valid: 1, lastTotal: true });
    const [field] = pyhankoValidate(file, path.join(PKI, 'root-ca.pem'));
    expect({ sound: field.sound, trusted: field.trusted, valid: field.judgedValid }).toEqual({ sound: true, trusted: true, valid: true });
    expect(field.text).toMatch(/timestamp/i);
  });

  it('when the TSA is unreachable, then signing fails with TSA_UNAVAILABLE and writes nothing', async () => {
    const out = path.join(dir, 'no-tsa.pdf');
    let err = '';
    const code = await runCli(
      ['sign', path.join(ROOT, 'samples', 'cong-van.pdf'), '-o', out, '--p12', path.join(PKI, 'seal-rsa.p12'), '--passphrase-file', P12_PASSPHRASE_FILE, '--tsa', 'http://127.0.0.1:9/tsa'],
      () => true, (l) => { err += l; return true; },
    );
    expect(code).toBe(1);
    expect(err).toContain('TSA_UNAVAILABLE');
    expect(existsSync(out)).toBe(false);
  });
});
