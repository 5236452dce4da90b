/** `kyso edxml pack|unpack|inspect` as a user runs it (the built command, a process each). */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { OUTPUT, ROOT } from '../helpers/fixtures';
import { sealedSample } from '../helpers/service';

const run = promisify(execFile);
mkdirSync(OUTPUT, { recursive: true });
const dir = mkdtempSync(path.join(OUTPUT, 'edxml-cli-'));

async function kyso(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), ...args]);
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout, err: e.stderr };
  }
}

describe('kyso edxml', () => {
  const doc = path.join(dir, 'cong-van.pdf');
  const appendix = path.join(dir, 'phụ lục 1.txt');
  const header = path.join(dir, 'header.json');
  const pkg = path.join(dir, 'out.edxml');
  const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

  beforeAll(async () => {
    writeFileSync(doc, await sealedSample());
    writeFileSync(appendix, 'Danh sách cơ quan phối hợp\n');
    writeFileSync(header, JSON.stringify({
      from: { organId: '000.00.00.G22', organName: 'Văn phòng Chính phủ' }, to: [{ organId: '000.00.00.H49', organName: 'UBND tỉnh Lạng Sơn' }],
      codeNumber: '15', codeNotation: 'VPCP-KSTT', issuedDate: '2026-03-16', subject: 'V/v triển khai chữ ký số', priority: 1,
      signer: { competence: 'KT. BỘ TRƯỞNG', position: 'THỨ TRƯỞNG', fullName: 'Nguyễn Văn Ánh' },
    }));
  });

  it('when a document and an attachment are packed, then inspect shows the header and each file\'s size and SHA-256', async () => {
    const packed = await kyso('edxml', 'pack', doc, '--attachment', appendix, '--header', header, '-o', pkg);
    expect([packed.code, packed.out.trim()]).toEqual([0, `edXML: ${pkg} (000.00.00.G22,2026/03/16,15/VPCP-KSTT; 2 files)`]);
    const shown = await kyso('edxml', 'inspect', pkg);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('edXML 000.00.00.G22,2026/03/16,15/VPCP-KSTT');
    expect(shown.out).toContain('  To:       000.00.00.H49 UBND tỉnh Lạng Sơn');
    expect(shown.out).toContain('  Người ký: KT. BỘ TRƯỞNG THỨ TRƯỞNG Nguyễn Văn Ánh');
    expect(shown.out).toContain(`  cong-van.pdf  application/pdf  ${readFileSync(doc).length} bytes  sha256 ${sha(doc)}`);
    expect(shown.out).toContain(`  phụ lục 1.txt  application/octet-stream  ${readFileSync(appendix).length} bytes  sha256 ${sha(appendix)}`);
    const json = JSON.parse((await kyso('edxml', 'inspect', pkg, '--json')).out);
    expect([json.kind, json.code, json.priority, json.promulgationDate]).toEqual(['message', '15/VPCP-KSTT', 1, '2026/03/16']);
  });

  it('when a package is unpacked, then the folder holds header.json and the files byte for byte', async () => {
    const out = path.join(dir, 'unpacked');
    const res = await kyso('edxml', 'unpack', pkg, '-d', out);
    expect(res.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['cong-van.pdf', 'header.json', 'phụ lục 1.txt']);
    expect(sha(path.join(out, 'cong-van.pdf'))).toBe(sha(doc));
    expect(readFileSync(path.join(out, 'phụ lục 1.txt'), 'utf8')).toBe('Danh sách cơ quan phối hợp\n');
    expect(JSON.parse(readFileSync(path.join(out, 'header.json'), 'utf8')).documentId).toBe('000.00.00.G22,2026/03/16,15/VPCP-KSTT');
  });

  it('when an attachment name tries to leave the folder, then it is written inside it under a safe name', async () => {
    const hostile = readFileSync(pkg, 'utf8').split('phụ lục 1.txt').join('../../escape.txt');
    const file = path.join(dir, 'hostile.edxml');
    writeFileSync(file, hostile);
    const out = path.join(dir, 'hostile-out');
    expect((await kyso('edxml', 'unpack', file, '-d', out)).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['cong-van.pdf', 'escape.txt', 'header.json']);
    expect(existsSync(path.join(dir, 'escape.txt'))).toBe(false);
  });

  it('when a package is corrupt, then the error names the element and no folder is left', async () => {
    const broken = path.join(dir, 'broken.edxml');
    writeFileSync(broken, readFileSync(pkg, 'utf8').replace('<edXML:CodeNumber>15</edXML:CodeNumber>', ''));
    const out = path.join(dir, 'broken-out');
    const res = await kyso('edxml', 'unpack', broken, '-d', out);
    expect(res.code).toBe(1);
    expect(res.err.trim()).toBe('kyso: EDXML_INVALID: edXML edXML/edXML:edXMLEnvelope/edXML:edXMLHeader/edXML:MessageHeader/edXML:Code/edXML:CodeNumber: is missing or empty');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.partial'))).toEqual([]);
  });

  it('when the header misses a field, then exit 2 names it and nothing is written', async () => {
    const bad = path.join(dir, 'bad-header.json');
    writeFileSync(bad, JSON.stringify({ from: { organId: 'lower.case', organName: 'X' }, to: [], codeNumber: '1', codeNotation: 'X', issuedDate: '2026-3-1', subject: 'S' }));
    const res = await kyso('edxml', 'pack', doc, '--header', bad, '-o', path.join(dir, 'never.edxml'));
    expect(res.code).toBe(2);
    expect(res.err).toContain('from.organId: Invalid string');
    expect(res.err).toContain('issuedDate: must be YYYY-MM-DD');
    expect(existsSync(path.join(dir, 'never.edxml'))).toBe(false);
  });
});
