import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import { OUTPUT, P12_PASSPHRASE_FILE, PKI, ROOT } from '../helpers/fixtures';

mkdirSync(OUTPUT, { recursive: true });
const dir = mkdtempSync(path.join(OUTPUT, 'verify-'));
const trustDir = path.join(dir, 'trust');
mkdirSync(trustDir);
writeFileSync(path.join(trustDir, 'root.pem'), readFileSync(path.join(PKI, 'root-ca.pem')));

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runCli(args, (l) => (out += `${l}\n`), (l) => (out += `${l}\n`));
  return { code, out };
}

describe('kyso verify', () => {
  const signed = path.join(dir, 'signed.pdf');
  beforeAll(async () => {
    await cli('sign', path.join(ROOT, 'samples', 'cong-van.pdf'), '-o', signed, '--p12', path.join(PKI, 'seal-rsa.p12'), '--passphrase-file', P12_PASSPHRASE_FILE);
  });

  it('when several files are given with --json, then one JSON report per line comes back with the worst exit code', async () => {
    const unsigned = path.join(ROOT, 'samples', 'bao-cao-nhieu-trang.pdf');
    const result = await cli('verify', signed, unsigned, '--trust', trustDir, '--offline', '--json');
    const lines = result.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((r) => r.indication)).toEqual(['INDETERMINATE', 'NO_SIGNATURE']);
    expect(lines[0].signatures[0]).toMatchObject({ field: 'Signature1', type: 'signature', subFilter: 'ETSI.CAdES.detached', intact: true, coverage: 'ENTIRE_FILE', level: 'B-B' });
    expect(result.code).toBe(2); // offline: revocation unknown, never passed
  });

  it('when the file has no signature, then exit code 3', async () => {
    expect((await cli('verify', path.join(ROOT, 'samples', 'cong-van.pdf'), '--offline')).code).toBe(3);
  });

  it('when the input is not a PDF, then exit code 4 and a readable message', async () => {
    const junk = path.join(dir, 'junk.pdf');
    writeFileSync(junk, 'not a pdf');
    const result = await cli('verify', junk, '--lang', 'en');
    expect(result.code).toBe(4);
    expect(result.out).toContain('unreadable PDF');
  });

  it('when kyso extend is asked for an unknown level or B-LTA without a TSA, then usage errors name the fix', async () => {
    const input = path.join(ROOT, 'samples', 'cong-van.pdf');
    const level = await cli('extend', input, '-o', path.join(dir, 'x.pdf'), '--level', 'B-XL');
    expect([level.code, level.out.includes('--level must be B-LT or B-LTA')]).toEqual([2, true]);
    const noTsa = await cli('extend', input, '-o', path.join(dir, 'x.pdf'), '--level', 'B-LTA');
    expect([noTsa.code, noTsa.out.includes('B-LTA needs a time-stamping authority')]).toEqual([2, true]);
  });

  it('when --revocation is neither soft nor hard, then exit code 4 with the accepted values', async () => {
    const result = await cli('verify', path.join(ROOT, 'samples', 'cong-van.pdf'), '--revocation', 'lenient');
    expect(result.code).toBe(4);
    expect(result.out).toContain('--revocation must be soft or hard');
  });

  it('when a folder holds many files, then every PDF under it (subfolders too) is reported once, in name order ignoring case', async () => {
    const folder = path.join(dir, 'folder');
    mkdirSync(path.join(folder, 'c-sub'), { recursive: true });
    const unsigned = readFileSync(path.join(ROOT, 'samples', 'bao-cao-nhieu-trang.pdf'));
    const names = ['a1.pdf', 'A2.pdf', 'b1.pdf', 'c-sub/c1.pdf', 'c-sub/c2.pdf', 'd1.pdf', 'D2.PDF', 'e-junk.pdf', 'f1.pdf'];
    for (const name of names) {
      const content = name.includes('junk') ? Buffer.from('not a pdf') : name.includes('2') ? unsigned : readFileSync(signed);
      writeFileSync(path.join(folder, name), content);
    }
    writeFileSync(path.join(folder, 'notes.txt'), 'not a PDF name: skipped');
    const result = await cli('verify', folder, '--trust', trustDir, '--offline', '--json');
    const lines = result.out.trim().split('\n').map((l) => JSON.parse(l) as { file: string; indication: string; error?: { code: string } });
    expect(lines.map((r) => [path.relative(folder, r.file), r.error?.code ?? r.indication])).toEqual(names.map((name) => [
      name, name.includes('junk') ? 'PDF_UNREADABLE' : name.includes('2') ? 'NO_SIGNATURE' : 'INDETERMINATE',
    ]));
    expect(result.code).toBe(4);
  });

  it('when the report is printed without --json, then it is in Vietnamese with +07:00 times', async () => {
    const result = await cli('verify', signed, '--trust', trustDir, '--offline');
    expect(result.out).toContain('người ký');
    expect(result.out).toMatch(/\+07:00/);
    // The anchor the chain ends at, and the revocation status (offline: unknown).
    expect(result.out).toMatch(/chứng thư gốc: CN=Kyso Test Root CA, O=Kyso Test PKI, C=VN; thu hồi: unknown/);
  });
});
