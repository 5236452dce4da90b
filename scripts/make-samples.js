#!/usr/bin/env node
// Regenerates samples/: a Vietnamese official letter (công văn), a multi-page report, and the same letter
// saved with cross-reference and object streams (via qpdf), and two demo images for visible stamps: a
// red agency seal and a blue handwritten signature (PNG with transparency, drawn here, not real ones).
// Fonts: DejaVu (Bitstream Vera licence).
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { PDFDocument, rgb } = require('pdf-lib');
const fontkit = require('@pdf-lib/fontkit');

const root = path.join(__dirname, '..');
const out = path.join(root, 'samples');
const font = (f) => fs.readFileSync(path.join(root, 'assets', 'fonts', f));

/**
 * The letter; as a draft (du-thao.pdf) it leaves the number and the date blank after "Số:", for the clerk's
 * issuing signature to fill (number at x 92–250, y 755–775; date at x 318–560, y 729–749).
 */
async function letter(draft = false) {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(fontkit);
  doc.setTitle(draft ? 'Dự thảo công văn' : 'Công văn số 15/BTN-VP');
  doc.setCreationDate(new Date('2026-03-16T04:02:35Z'));
  doc.setModificationDate(new Date('2026-03-16T04:02:35Z'));
  doc.setProducer('Kyso samples');
  const regular = await doc.embedFont(font('DejaVuSerif.ttf'), { subset: true });
  const bold = await doc.embedFont(font('DejaVuSerif-Bold.ttf'), { subset: true });
  const page = doc.addPage([595.28, 841.89]);
  const t = (s, x, y, f = regular, size = 12) => page.drawText(s, { x, y, font: f, size, color: rgb(0, 0, 0) });
  t('BỘ THỬ NGHIỆM', 70, 780, bold, 12);
  t(draft ? 'Số:' : 'Số: 15/BTN-VP', 70, 760);
  t('V/v triển khai chữ ký số trong văn bản điện tử', 50, 740, regular, 10);
  t('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 300, 780, bold, 12);
  t('Độc lập - Tự do - Hạnh phúc', 340, 762, bold, 12);
  if (!draft) t('Hà Nội, ngày 16 tháng 3 năm 2026', 330, 735, regular, 11);
  t('Kính gửi: Ủy ban nhân dân tỉnh Thử Nghiệm', 150, 690, regular, 13);
  const body = [
    'Thực hiện Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác',
    'văn thư, Bộ Thử nghiệm đề nghị Quý cơ quan triển khai ký số trên văn bản điện tử gửi, nhận',
    'qua Trục liên thông văn bản quốc gia, bảo đảm chữ ký số của người có thẩm quyền và của cơ',
    'quan, tổ chức được kiểm tra đầy đủ khi tiếp nhận.',
    'Đề nghị Quý cơ quan báo cáo kết quả trước ngày 30 tháng 4 năm 2026.',
  ];
  body.forEach((line, i) => t(line, 70, 650 - i * 20, regular, 11.5));
  t('Nơi nhận:', 70, 470, bold, 11);
  t('- Như trên;', 70, 455, regular, 10);
  t('- Lưu: VT, VP.', 70, 441, regular, 10);
  t('KT. BỘ TRƯỞNG', 380, 470, bold, 12);
  t('THỨ TRƯỞNG', 390, 454, bold, 12);
  t('Nguyễn Văn An', 385, 360, bold, 12);
  return doc.save({ useObjectStreams: false });
}

async function report() {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(fontkit);
  doc.setTitle('Báo cáo tình hình giải quyết hồ sơ');
  doc.setProducer('Kyso samples');
  const regular = await doc.embedFont(font('DejaVuSans.ttf'), { subset: true });
  for (let p = 1; p <= 5; p++) {
    const page = doc.addPage([595.28, 841.89]);
    page.drawText(`Báo cáo tình hình giải quyết hồ sơ — trang ${p}/5`, { x: 60, y: 790, font: regular, size: 14 });
    for (let i = 0; i < 30; i++) {
      page.drawText(`Hồ sơ ${String((p - 1) * 30 + i + 1).padStart(4, '0')}: đúng hạn, đã trả kết quả cho công dân.`, {
        x: 60, y: 750 - i * 22, font: regular, size: 10.5,
      });
    }
  }
  return doc.save({ useObjectStreams: false });
}

/** An RGBA canvas with a disc brush, written as PNG. */
function png(width, height, draw) {
  const rgba = new Uint8Array(width * height * 4);
  const dot = (x, y, r, [cr, cg, cb]) => {
    for (let j = Math.floor(y - r); j <= Math.ceil(y + r); j++) {
      for (let i = Math.floor(x - r); i <= Math.ceil(x + r); i++) {
        if (i < 0 || j < 0 || i >= width || j >= height || (i - x) ** 2 + (j - y) ** 2 > r * r) continue;
        rgba.set([cr, cg, cb, 255], (j * width + i) * 4);
      }
    }
  };
  draw(dot);
  return Buffer.from(require('@pdf-lib/upng').default.encode([rgba.buffer], width, height, 0));
}

const RED = [204, 16, 32];
const BLUE = [20, 50, 160];

function seal() {
  return png(240, 240, (dot) => {
    const c = 120;
    for (let a = 0; a < 2 * Math.PI; a += 0.002) {
      dot(c + 112 * Math.cos(a), c + 112 * Math.sin(a), 4, RED);
      dot(c + 78 * Math.cos(a), c + 78 * Math.sin(a), 2, RED);
    }
    // A five-pointed star in the middle.
    const points = [...Array(10)].map((_, i) => {
      const r = i % 2 === 0 ? 40 : 16;
      const a = -Math.PI / 2 + (i * Math.PI) / 5;
      return [c + r * Math.cos(a), c + r * Math.sin(a)];
    });
    for (let j = c - 42; j <= c + 42; j++) {
      for (let i = c - 42; i <= c + 42; i++) {
        let inside = false;
        for (let k = 0, l = points.length - 1; k < points.length; l = k++) {
          const [xk, yk] = points[k];
          const [xl, yl] = points[l];
          if ((yk > j) !== (yl > j) && i < ((xl - xk) * (j - yk)) / (yl - yk) + xk) inside = !inside;
        }
        if (inside) dot(i, j, 0.5, RED);
      }
    }
  });
}

function signature() {
  return png(300, 110, (dot) => {
    for (let t = 0; t <= 1; t += 0.0004) {
      const x = 20 + 250 * t;
      const y = 60 - 28 * Math.sin(t * 13) * Math.exp(-t * 1.2) - 10 * Math.sin(t * 37);
      dot(x, y, 2.2, BLUE);
    }
    for (let t = 0; t <= 1; t += 0.001) dot(60 + 200 * t, 92 - 6 * t, 1.6, BLUE);
  });
}

(async () => {
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'con-dau-mau.png'), seal());
  fs.writeFileSync(path.join(out, 'chu-ky-mau.png'), signature());
  fs.writeFileSync(path.join(out, 'cong-van.pdf'), await letter());
  fs.writeFileSync(path.join(out, 'du-thao.pdf'), await letter(true));
  fs.writeFileSync(path.join(out, 'bao-cao-nhieu-trang.pdf'), await report());
  execFileSync('qpdf', ['--object-streams=generate', '--deterministic-id', path.join(out, 'cong-van.pdf'), path.join(out, 'cong-van-xref-stream.pdf')]);
  console.log('samples written to', out);
})();
