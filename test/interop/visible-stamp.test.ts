import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import { decodeStream, findSignatures, PdfFile, PdfStream } from '../../src/pdf';
import { formatVietnamTime } from '../../src/signing';
import { OUTPUT, P12_PASSPHRASE_FILE, PKI, ROOT } from '../helpers/fixtures';
import { pdfsig, pyhankoValidate } from '../helpers/peers';

mkdirSync(OUTPUT, { recursive: true });
const dir = mkdtempSync(path.join(OUTPUT, 'visible-'));

/** Mean grey level (0 black … 255 white) of a region of page 1 rendered by poppler at 72 dpi. */
function meanGrey(pdf: string, x: number, yTop: number, w: number, h: number): number {
  const pgm = execFileSync('pdftoppm', ['-gray', '-r', '72', '-f', '1', '-l', '1', '-x', String(x), '-y', String(yTop), '-W', String(w), '-H', String(h), pdf]);
  const header = pgm.toString('latin1', 0, 40).split(/\s+/);
  const pixels = pgm.subarray(pgm.length - Number(header[1]) * Number(header[2]));
  return pixels.reduce((sum, p) => sum + p, 0) / pixels.length;
}

/** Pixels of page 1 (rendered at 144 dpi) inside a rectangle given in points from the top-left, by colour. */
function colours(pdf: string, x: number, yTop: number, w: number, h: number): { red: number; blue: number } {
  const ppm = execFileSync('pdftoppm', ['-r', '144', '-f', '1', '-l', '1', '-x', String(x * 2), '-y', String(yTop * 2), '-W', String(w * 2), '-H', String(h * 2), pdf]);
  const header = ppm.toString('latin1', 0, 40).split(/\s+/);
  const pixels = ppm.subarray(ppm.length - Number(header[1]) * Number(header[2]) * 3);
  let red = 0;
  let blue = 0;
  for (let i = 0; i < pixels.length; i += 3) {
    const [r, g, b] = [pixels[i], pixels[i + 1], pixels[i + 2]];
    if (r > 150 && g < 100 && b < 100) red++;
    if (b > 110 && r < 100 && g < 120) blue++;
  }
  return { red, blue };
}

describe('a visible signature stamp in Vietnamese', () => {
  it('when signed with --visible, then the stamp is drawn with an embedded font, its text maps back to Vietnamese, and peers accept it', async () => {
    const out = path.join(dir, 'stamped.pdf');
    const input = path.join(ROOT, 'samples', 'cong-van.pdf');
    const code = await runCli(['sign', input, '-o', out, '--p12', path.join(PKI, 'seal-rsa.p12'), '--passphrase-file', P12_PASSPHRASE_FILE,
      '--visible', '1:330:300:560:350'], () => true, () => undefined);
    expect(code).toBe(0);

    // Drawn: the stamp's rectangle (page height 842 pt, so y=300..350 is 492..542 from the top) gets ink.
    expect(meanGrey(input, 330, 492, 230, 50)).toBeGreaterThan(250);
    expect(meanGrey(out, 330, 492, 230, 50)).toBeLessThan(245);

    // The text is searchable: the font's ToUnicode map decodes the shown glyphs to the Vietnamese line.
    const file = PdfFile.parse(readFileSync(out));
    const widget = file.resolveDict(file.pageRefs().map((p) => file.resolveDict(p)?.get('Annots')).flat().pop() as never);
    const form = file.resolve(file.resolveDict(widget?.get('AP'))?.get('N')) as PdfStream;
    const type0 = file.resolveDict(file.resolveDict(file.resolveDict(form.dict.get('Resources'))?.get('Font'))?.get('F1'));
    const cmap = decodeStream(file.resolve(type0?.get('ToUnicode')) as PdfStream).toString('latin1');
    const map = new Map([...cmap.matchAll(/<([0-9a-f]{4})> <([0-9a-f]+)>/g)].map((m) => [m[1], Buffer.from(m[2], 'hex').swap16().toString('utf16le')]));
    const shown = [...decodeStream(form).toString('latin1').matchAll(/<([0-9a-f]+)> Tj/g)].map((m) => m[1].match(/.{4}/g)?.map((c) => map.get(c)).join(''));
    expect(shown[0]).toBe('Ký bởi: Bộ Thử nghiệm');
    expect(shown[shown.length - 1]).toMatch(/^Thời gian ký: \d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2} \+07:00$/);
    expect(file.resolveDict(file.resolveDict(type0?.get('DescendantFonts') && (file.resolve(type0?.get('DescendantFonts')) as never[])[0])?.get('FontDescriptor'))?.has('FontFile2')).toBe(true);
    expect(findSignatures(file)[0].dict.get('M')).toBeDefined();

    expect(pdfsig(out)).toMatchObject({ signatures: 1, valid: 1, lastTotal: true });
    const [field] = pyhankoValidate(out, path.join(PKI, 'root-ca.pem'));
    expect({ sound: field.sound, valid: field.judgedValid }).toEqual({ sound: true, valid: true });
  });

  it('when the signature and seal images are given, then the blue signature and the red seal are drawn inside the stamp and peers accept it', async () => {
    const out = path.join(dir, 'stamped-images.pdf');
    const plain = path.join(dir, 'stamped-plain.pdf');
    const input = path.join(ROOT, 'samples', 'cong-van.pdf');
    const sign = (target: string, extra: string[]) => runCli(['sign', input, '-o', target, '--p12', path.join(PKI, 'seal-rsa.p12'), '--passphrase-file', P12_PASSPHRASE_FILE,
      '--visible', '1:300:290:560:350', ...extra], () => true, () => undefined);
    expect(await sign(out, ['--signature-image', path.join(ROOT, 'samples', 'chu-ky-mau.png'), '--seal-image', path.join(ROOT, 'samples', 'con-dau-mau.png')])).toBe(0);
    expect(await sign(plain, [])).toBe(0);
    // Inside the stamp's border (y = 290..350 is 492..552 from the top of an 842 pt page).
    const withImages = colours(out, 303, 495, 254, 54);
    const without = colours(plain, 303, 495, 254, 54);
    expect(withImages.red).toBeGreaterThan(1000);
    expect(withImages.blue).toBeGreaterThan(300);
    expect([without.red, without.blue]).toEqual([0, 0]);
    expect(pdfsig(out)).toMatchObject({ signatures: 1, valid: 1, lastTotal: true });
    const [field] = pyhankoValidate(out, path.join(PKI, 'root-ca.pem'));
    expect({ sound: field.sound, valid: field.judgedValid }).toEqual({ sound: true, valid: true });
  });

  it('when an image is not a PNG or is given without --visible, then a usage error names it', async () => {
    const errors: string[] = [];
    const input = path.join(ROOT, 'samples', 'cong-van.pdf');
    const base = ['sign', input, '-o', path.join(dir, 'x.pdf'), '--p12', path.join(PKI, 'seal-rsa.p12'), '--passphrase-file', P12_PASSPHRASE_FILE];
    expect(await runCli([...base, '--visible', '1:300:290:560:350', '--seal-image', input], () => true, (l) => errors.push(l))).toBe(2);
    expect(await runCli([...base, '--seal-image', path.join(ROOT, 'samples', 'con-dau-mau.png')], () => true, (l) => errors.push(l))).toBe(2);
    expect(errors).toEqual([expect.stringContaining('the seal image is not a readable PNG'), expect.stringContaining('need --visible')]);
  });

  it('when a time is shown, then it is in Asia/Ho_Chi_Minh (+07:00)', () => {
    expect(formatVietnamTime(new Date('2015-03-16T04:02:35Z'))).toBe('16.03.2015 11:02:35 +07:00');
  });
});
