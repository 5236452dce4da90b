/** Signing a file into another through `signPdfFile`, with the structure read once by `openPdfForSigning`. */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Pkcs12Signer } from '../../src/signers';
import { openPdfForSigning, signPdfFile } from '../../src/signing';
import { validatePdf, createValidationContext, TrustStore } from '../../src/validation';
import { OUTPUT, p12Passphrase, pkiFile, sample } from '../helpers/fixtures';

describe('signing a file opened once', () => {
  const dir = path.join(OUTPUT, `sign-pdf-file-${process.pid}`);
  const signer = () => Pkcs12Signer.open({ data: pkiFile('seal-rsa.p12'), passphrase: p12Passphrase() });
  beforeAll(() => mkdirSync(dir, { recursive: true }));

  it('when the opened file is signed, then the output is the original followed by one valid signature', async () => {
    const input = path.join(dir, 'in.pdf');
    copyFileSync(path.join(__dirname, '..', '..', 'samples', 'cong-van.pdf'), input);
    const opened = await openPdfForSigning(input);
    expect(opened.file.isEncrypted()).toBe(false);
    await signPdfFile(opened, path.join(dir, 'out.pdf'), signer());
    const out = readFileSync(path.join(dir, 'out.pdf'));
    expect(out.subarray(0, sample('cong-van.pdf').length).equals(sample('cong-van.pdf'))).toBe(true);
    const trust = new TrustStore();
    trust.add(pkiFile('root-ca.der'));
    const report = await validatePdf(out, createValidationContext({ trust, offline: true }));
    expect(report.signatures.map((s) => [s.intact, s.coverage])).toEqual([[true, 'ENTIRE_FILE']]);
    // The opened file was closed by the signing: closing it again does nothing.
    expect(() => opened.close()).not.toThrow();
  });

  it('when the file changes between opening and signing, then it is refused and no output appears', async () => {
    const input = path.join(dir, 'changing.pdf');
    copyFileSync(path.join(__dirname, '..', '..', 'samples', 'cong-van.pdf'), input);
    const opened = await openPdfForSigning(input);
    appendFileSync(input, '\n% appended after opening\n');
    await expect(signPdfFile(opened, path.join(dir, 'changed-out.pdf'), signer())).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND', message: `${input} changed while it was being signed` });
    expect(existsSync(path.join(dir, 'changed-out.pdf'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
