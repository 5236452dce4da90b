import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as pkijs from 'pkijs';
import { runCli } from '../../src/cli/main';
import { findSignatures, PdfFile } from '../../src/pdf';
import { OID } from '../../src/cms';
import { OUTPUT, P12_PASSPHRASE_FILE, PIN_FILE, PIN_TEST_TOKENS, PKI, ROOT, SOFTHSM_MODULE, TOKEN_LABEL } from '../helpers/fixtures';

mkdirSync(OUTPUT, { recursive: true });
const dir = mkdtempSync(path.join(OUTPUT, 'cli-'));
const congVan = path.join(ROOT, 'samples', 'cong-van.pdf');

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, (l) => { out += `${l}\n`; return true; }, (l) => { err += `${l}\n`; return true; });
  return { code, out, err };
}

const token = ['--pkcs11-module', SOFTHSM_MODULE, '--token-label', TOKEN_LABEL, '--pin-file', PIN_FILE];
const p12 = (name: string) => ['--p12', path.join(PKI, `${name}.p12`), '--passphrase-file', P12_PASSPHRASE_FILE];

describe('kyso sign', () => {
  it('when an official signs with the token and the clerk adds the seal, then both signatures are PAdES B-B', async () => {
    const first = path.join(dir, 'signed-once.pdf');
    const second = path.join(dir, 'signed-twice.pdf');
    expect((await cli('sign', congVan, '-o', first, ...token, '--key-label', 'official-rsa', '--reason', 'Phê duyệt', '--location', 'Hà Nội')).code).toBe(0);
    expect((await cli('sign', first, '-o', second, ...p12('seal-rsa'), '--field', 'DauCoQuan', '--digest', 'sha512')).code).toBe(0);
    const sigs = findSignatures(PdfFile.parse(require('node:fs').readFileSync(second)));
    expect(sigs.map((s) => s.fieldName)).toEqual(['Signature1', 'DauCoQuan']);
    for (const sig of sigs) {
      expect(sig.subFilter).toBe('ETSI.CAdES.detached');
      const signed = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(sig.contents as Buffer).content });
      const types = signed.signerInfos[0].signedAttrs?.attributes.map((a) => a.type);
      expect(types).toContain(OID.signingCertificateV2);
      expect(types).not.toContain(OID.signingTime);
      expect(sig.dict.get('M')).toBeDefined();
    }
  });

  it('when the token signs with --isolate, then the module runs in a child process and the signature is intact with the token\'s certificate', async () => {
    const isolatedOut = path.join(dir, 'signed-isolated.pdf');
    const signedRun = await cli('sign', congVan, '-o', isolatedOut, ...token, '--key-label', 'official-rsa', '--isolate');
    expect([signedRun.code, signedRun.out.trim()]).toEqual([0, `signed ${congVan} → ${isolatedOut}`]);
    const trust = path.join(dir, 'trust-isolated');
    mkdirSync(trust, { recursive: true });
    writeFileSync(path.join(trust, 'root.pem'), require('node:fs').readFileSync(path.join(PKI, 'root-ca.pem')));
    const report = JSON.parse((await cli('verify', isolatedOut, '--trust', trust, '--offline', '--json')).out) as { signatures: Array<{ intact: boolean; coverage: string; signer: { subject: string }; subIndication: string }> };
    expect(report.signatures.map((x) => [x.intact, x.coverage, x.signer.subject, x.subIndication])).toEqual([[true, 'ENTIRE_FILE', 'C=VN, OU=Văn phòng, O=Bộ Thử nghiệm, CN=Nguyễn Văn An', 'TRY_LATER']]);
  });

  it('when the token list is asked, then the keys and certificates are shown, private keys only with the PIN', async () => {
    const publicOnly = await cli('token', 'list', '--pkcs11-module', SOFTHSM_MODULE);
    expect(publicOnly.out).toContain("token 'kyso-test'");
    expect(publicOnly.out).toMatch(/certificate +label 'official-rsa' id 01 .*CN=Nguyễn Văn An/);
    expect(publicOnly.out).not.toContain('private-key');
    const withPin = await cli('token', 'list', '--pkcs11-module', SOFTHSM_MODULE, '--pin-file', PIN_FILE);
    expect(withPin.out).toMatch(/private-key +label 'official-ec' id 02/);
  });

  const badPin = path.join(dir, 'bad-pin');
  writeFileSync(badPin, '00000000');
  const encrypted = path.join(dir, 'encrypted.pdf');
  const malformed = path.join(dir, 'malformed.pdf');
  const truncated = path.join(dir, 'truncated.pdf');
  beforeAll(() => {
    execFileSync('qpdf', ['--encrypt', 'user', 'owner', '256', '--', congVan, encrypted]);
    writeFileSync(malformed, '%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n');
    writeFileSync(truncated, require('node:fs').readFileSync(congVan).subarray(0, 9000));
  });

  it.each([
    ['the PIN is wrong', () => [congVan, '--pkcs11-module', SOFTHSM_MODULE, '--token-label', PIN_TEST_TOKENS.cli, '--pin-file', badPin, '--key-label', 'official-rsa'], 'TOKEN_PIN_INCORRECT'],
    ['the token is missing', () => [congVan, '--pkcs11-module', SOFTHSM_MODULE, '--token-label', 'absent', '--pin-file', PIN_FILE, '--key-label', 'official-rsa'], 'TOKEN_NOT_PRESENT'],
    ['the key label is missing', () => [congVan, ...token, '--key-label', 'nobody'], 'KEY_NOT_FOUND'],
    ['the token certificate has expired', () => [congVan, ...token, '--key-id', '03'], 'CERT_EXPIRED'],
    ['the PKCS#12 certificate has expired', () => [congVan, ...p12('expired')], 'CERT_EXPIRED'],
    ['the certificate is not yet valid', () => [congVan, ...p12('not-yet-valid')], 'CERT_NOT_YET_VALID'],
    ['the certificate lacks signing key usage', () => [congVan, ...p12('no-sign-usage')], 'CERT_KEY_USAGE'],
    ['the PKCS#12 passphrase is wrong', () => [congVan, '--p12', path.join(PKI, 'seal-rsa.p12'), '--passphrase-file', badPin], 'P12_PASSPHRASE_INCORRECT'],
    ['the PDF is encrypted', () => [encrypted, ...p12('seal-rsa')], 'PDF_ENCRYPTED'],
    ['the PDF is malformed', () => [malformed, ...p12('seal-rsa')], 'PDF_MALFORMED'],
    ['the PDF is truncated', () => [truncated, ...p12('seal-rsa')], 'PDF_MALFORMED'],
    ['the input does not exist', () => [path.join(dir, 'nope.pdf'), ...p12('seal-rsa')], 'INPUT_NOT_FOUND'],
  ])('when %s, then it fails with its own code and writes nothing', async (_label, args, code) => {
    const output = path.join(dir, `out-${code}.pdf`);
    const result = await cli('sign', ...(args() as string[]).slice(0, 1), '-o', output, ...(args() as string[]).slice(1));
    expect(result.err).toMatch(new RegExp(`^kyso: ${code}: .+`));
    expect(result.err.trim().split('\n')).toHaveLength(1);
    expect(result.code).toBe(1);
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(result.err).not.toContain('00000000');
  });

  it('when the arguments are incomplete, then a usage error exits with 2', async () => {
    const result = await cli('sign', congVan);
    expect(result.code).toBe(2);
    expect(result.err).toContain('usage: kyso sign');
  });
});
