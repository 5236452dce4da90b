import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
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

/** Where the red and the blue ink lie in a region of page 1 (points from the region's left, at 144 dpi). */
function inkSpread(pdf: string, x: number, yTop: number, w: number, h: number) {
  const ppm = execFileSync('pdftoppm', ['-r', '144', '-f', '1', '-l', '1', '-x', String(x * 2), '-y', String(yTop * 2), '-W', String(w * 2), '-H', String(h * 2), pdf]);
  const header = ppm.toString('latin1', 0, 40).split(/\s+/);
  const width = Number(header[1]);
  const pixels = ppm.subarray(ppm.length - width * Number(header[2]) * 3);
  const xs = { red: [] as number[], blue: [] as number[] };
  for (let i = 0; i < pixels.length; i += 3) {
    const [r, g, b] = [pixels[i], pixels[i + 1], pixels[i + 2]];
    const px = ((i / 3) % width) / 2;
    if (r > 150 && g < 100 && b < 100) xs.red.push(px);
    if (b > 110 && r < 100 && g < 120) xs.blue.push(px);
  }
  const mean = (v: number[]) => v.reduce((a, c) => a + c, 0) / Math.max(1, v.length);
  return { red: { n: xs.red.length, mean: mean(xs.red) }, blue: { n: xs.blue.length, mean: mean(xs.blue), min: Math.min(...xs.blue), max: Math.max(...xs.blue) } };
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
    expect(meanGrey(out, 330, 492, 230, 50)).toBeLessThan(249);

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

  // The sample prints "KT. BỘ TRƯỞNG / THỨ TRƯỞNG" and the name; the signing place between them is x 340–540, y 372–442.
  const signingPlace = '1:340:372:540:442';
  const placeFromTop = { x: 340, y: 842 - 442, w: 200, h: 70 };

  it('when the official signs at the signing place (Decree 30 Appendix I), then the blue signature is centred, the red seal lies over its left third, and there is no frame', async () => {
    const out = path.join(dir, 'decree-30-place.pdf');
    expect(await runCli(['sign', path.join(ROOT, 'samples', 'cong-van.pdf'), '-o', out, '--p12', path.join(PKI, 'official-rsa.p12'), '--passphrase-file', P12_PASSPHRASE_FILE,
      '--visible', signingPlace, '--signature-image', path.join(ROOT, 'samples', 'chu-ky-mau.png'), '--seal-image', path.join(ROOT, 'samples', 'con-dau-mau.png')], () => true, () => undefined)).toBe(0);
    const ink = inkSpread(out, placeFromTop.x, placeFromTop.y, placeFromTop.w, placeFromTop.h);
    expect(ink.blue.n).toBeGreaterThan(300);
    // Centred across the 200 pt place.
    expect(Math.abs((ink.blue.min + ink.blue.max) / 2 - 100)).toBeLessThan(6);
    // The seal's ink is centred on the left third of the signature.
    const leftThird = ink.blue.min + (ink.blue.max - ink.blue.min) / 6;
    expect(Math.abs(ink.red.mean - leftThird)).toBeLessThan(8);
    // No frame: the rightmost 3 pt of the place carry no ink at all.
    expect(meanGrey(out, placeFromTop.x + placeFromTop.w - 3, placeFromTop.y, 3, placeFromTop.h)).toBe(255);
    // No text: the document prints the title and the name itself.
    expect(execFileSync('pdftotext', ['-f', '1', '-l', '1', '-r', '72', '-x', String(placeFromTop.x), '-y', String(placeFromTop.y + 2), '-W', '200', '-H', '66', out, '-']).toString().trim()).toBe('');
    expect(pdfsig(out)).toMatchObject({ signatures: 1, valid: 1, lastTotal: true });
  });

  it('when a title is given, then the stamp carries the whole block in a serif face: the title lines above the signature, the name under it', async () => {
    const out = path.join(dir, 'decree-30-block.pdf');
    expect(await runCli(['sign', path.join(ROOT, 'samples', 'cong-van.pdf'), '-o', out, '--p12', path.join(PKI, 'official-rsa.p12'), '--passphrase-file', P12_PASSPHRASE_FILE,
      '--visible', '1:330:180:530:300', '--signature-image', path.join(ROOT, 'samples', 'chu-ky-mau.png'), '--title', 'KT. CHỦ TỊCH\\nPHÓ CHỦ TỊCH'], () => true, () => undefined)).toBe(0);
    const text = execFileSync('pdftotext', ['-f', '1', '-l', '1', '-r', '72', '-x', '330', '-y', String(842 - 300), '-W', '200', '-H', '120', out, '-']).toString();
    expect(text.split('\n').map((l) => l.trim()).filter(Boolean)).toEqual(['KT. CHỦ TỊCH', 'PHÓ CHỦ TỊCH', 'Nguyễn Văn An']);
    const fonts = execFileSync('pdffonts', [out]).toString();
    expect(fonts).toMatch(/LiberationSerif\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
  });

  it('when the agency seals alone, then the red seal carries the agency and the signing time in ISO 8601 +07:00 under it', async () => {
    const out = path.join(dir, 'decree-30-seal.pdf');
    expect(await runCli(['sign', path.join(ROOT, 'samples', 'cong-van.pdf'), '-o', out, '--p12', path.join(PKI, 'seal-rsa.p12'), '--passphrase-file', P12_PASSPHRASE_FILE,
      '--visible', '1:100:100:200:190', '--seal-image', path.join(ROOT, 'samples', 'con-dau-mau.png')], () => true, () => undefined)).toBe(0);
    const text = execFileSync('pdftotext', ['-f', '1', '-l', '1', '-r', '72', '-x', '100', '-y', String(842 - 190), '-W', '100', '-H', '90', out, '-']).toString();
    const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
    expect(lines[0]).toBe('Bộ Thử nghiệm');
    expect(lines[1]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/);
    expect(colours(out, 100, 842 - 190, 100, 90).red).toBeGreaterThan(1000);
  });

  it('when the seal PNG records its resolution (pHYs), then the seal is drawn at its printed size, not stretched to the rectangle', async () => {
    // The sample seal is 240 px; at 6 667 px/m it is a 36 mm (102 pt) seal, as real ones are.
    const png = readFileSync(path.join(ROOT, 'samples', 'con-dau-mau.png'));
    const data = Buffer.alloc(9);
    data.writeUInt32BE(6667, 0);
    data.writeUInt32BE(6667, 4);
    data[8] = 1;
    const body = Buffer.concat([Buffer.from('pHYs'), data]);
    const chunk = Buffer.concat([Buffer.from([0, 0, 0, 9]), body, Buffer.alloc(4)]);
    chunk.writeUInt32BE(crc32(body), 17);
    const withSize = path.join(dir, 'seal-36mm.png');
    writeFileSync(withSize, Buffer.concat([png.subarray(0, 33), chunk, png.subarray(33)]));
    const out = path.join(dir, 'decree-30-seal-size.pdf');
    expect(await runCli(['sign', path.join(ROOT, 'samples', 'cong-van.pdf'), '-o', out, '--p12', path.join(PKI, 'seal-rsa.p12'), '--passphrase-file', P12_PASSPHRASE_FILE,
      '--visible', '1:60:60:260:260', '--seal-image', withSize], () => true, () => undefined)).toBe(0);
    // Red columns across the 200 pt rectangle: the seal's ring spans 102 pt (a little less: the ring sits inside
    // the image); the agency and time under it are narrower.
    const columns: number[] = [];
    for (let x = 60; x < 260; x += 2) if (colours(out, x, 842 - 260, 2, 200).red > 0) columns.push(x);
    const span = columns[columns.length - 1] - columns[0] + 2;
    expect(span).toBeGreaterThan(90);
    expect(span).toBeLessThanOrEqual(104);
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
