/**
 * A visible signature stamp (Decree 30/2020 Appendix I: who signed, for which agency, and when, in
 * Vietnam time): a form XObject with the text set in an embedded, subsetted TrueType font that has the
 * Vietnamese glyphs (DejaVu Sans), as a Type0/CIDFontType2 font with a ToUnicode map so the text stays
 * searchable (ISO 32000-1 §9.7, §9.10.3).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { deflateSync } from 'node:zlib';
import { name, PdfDict, PdfRef, PdfStream, PdfString, SignatureAppearance, UpdatedObject } from '../pdf';
import { DecodedImage, decodePng, imageObjects } from './png-image';

const DEFAULT_FONT = path.join(__dirname, '..', '..', 'assets', 'fonts', 'DejaVuSans.ttf');
/**
 * Liberation Serif 2: metric-compatible with Times New Roman (the face Decree 30/2020 Appendix I names for
 * the text of agency signatures on copies and attachments) and with the Vietnamese glyphs; SIL OFL 1.1.
 */
export const SERIF_FONT = path.join(__dirname, '..', '..', 'assets', 'fonts', 'LiberationSerif-Regular.ttf');

/** A time as ISO 8601 in Vietnam time, as Decree 30 asks on copies: 2026-03-16T10:04:05+07:00. */
export function formatVietnamIso(date: Date): string {
  return `${new Date(date.getTime() + 7 * 3600_000).toISOString().slice(0, 19)}+07:00`;
}

export interface StampOptions {
  pageIndex: number;
  /** [x1 y1 x2 y2] on the page, in points. */
  rect: [number, number, number, number];
  lines: string[];
  fontFile?: string;
  fontSize?: number;
  /** RGB 0–1; Decree 30 stamps on copies are black. */
  color?: [number, number, number];
  /** PNG of the signer's handwritten signature, drawn at the left of the stamp. */
  signatureImage?: Buffer;
  /** PNG of the agency's (red) seal, drawn over about the left third of the signature (Decree 30 Appendix I). */
  sealImage?: Buffer;
  /** The frame around the stamp: red unless given; null for none (the text of copies stands alone). */
  frame?: [number, number, number] | null;
}

interface Glyph { id: number; advanceWidth: number; codePoints: number[] }

function encodeSubset(subset: { encodeStream(): NodeJS.ReadableStream }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const stream = subset.encodeStream();
    stream.on('data', (d: Uint8Array) => parts.push(Buffer.from(d)));
    stream.on('end', () => resolve(Buffer.concat(parts)));
    stream.on('error', reject);
  });
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/** Formats a time as Vietnamese documents show it: dd.MM.yyyy HH:mm:ss +07:00 (Asia/Ho_Chi_Minh). */
export function formatVietnamTime(date: Date): string {
  const local = new Date(date.getTime() + 7 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(local.getUTCDate())}.${p(local.getUTCMonth() + 1)}.${local.getUTCFullYear()} ${p(local.getUTCHours())}:${p(local.getUTCMinutes())}:${p(local.getUTCSeconds())} +07:00`;
}

export async function buildStampAppearance(options: StampOptions): Promise<SignatureAppearance> {
  // Loaded on first use: the font engine is large and most signatures are invisible.
  const fontkit = (await import('@pdf-lib/fontkit')).default;
  const font = fontkit.create(readFileSync(options.fontFile ?? DEFAULT_FONT));
  const requestedSize = options.fontSize ?? 9;
  const subset = font.createSubset();
  const scale = 1000 / font.unitsPerEm;
  const cids = new Map<number, { width: number; unicode: number[] }>();
  const lineUnits: number[] = [];
  const encodedLines = options.lines.map((line) => {
    const glyphs = font.layout(line).glyphs as unknown as Glyph[];
    lineUnits.push(glyphs.reduce((sum, g) => sum + g.advanceWidth, 0) / font.unitsPerEm);
    return glyphs.map((g) => {
      const cid = subset.includeGlyph(g as never) as number;
      cids.set(cid, { width: Math.round(g.advanceWidth * scale), unicode: g.codePoints });
      return hex4(cid);
    }).join('');
  });
  const fontBytes = await encodeSubset(subset as never);
  const [x1, y1, x2, y2] = options.rect;
  const width = Math.abs(x2 - x1);
  const height = Math.abs(y2 - y1);
  const [r, g, b] = options.color ?? [0, 0, 0];
  let size = requestedSize;
  let leading = size * 1.3;
  // Images at the left: the signature, then the seal over its left third; the text to their right.
  const signature = options.signatureImage ? decodePng(options.signatureImage, 'the signature image') : undefined;
  const seal = options.sealImage ? decodePng(options.sealImage, 'the seal image') : undefined;
  const placed: Array<{ image: DecodedImage; x: number; y: number; w: number; h: number }> = [];
  const side = height - 4;
  let textX = 4;
  if (signature) {
    const h = side * 0.8;
    const w = Math.min(h * (signature.width / signature.height), width * 0.4);
    const x = seal ? 2 + (side * 2) / 3 : 2;
    placed.push({ image: signature, x, y: (height - (w * signature.height) / signature.width) / 2, w, h: (w * signature.height) / signature.width });
    textX = x + w + 4;
  }
  if (seal) {
    const w = Math.min(side, (side * seal.width) / seal.height);
    placed.push({ image: seal, x: 2, y: 2, w, h: (w * seal.height) / seal.width });
    textX = Math.max(textX, 2 + w + 4);
  }
  // The text shrinks to fit beside the images: the widest line across, all lines down.
  const widest = Math.max(...lineUnits, 0.01);
  size = Math.max(4, Math.min(requestedSize, (width - textX - 3) / widest, (height - 4) / (1.3 * Math.max(1, options.lines.length))));
  leading = size * 1.3;
  const frame = options.frame === undefined ? [0.8, 0, 0] : options.frame;
  let content = frame ? `q ${frame.join(' ')} RG 0.8 w 0.4 0.4 ${(width - 0.8).toFixed(2)} ${(height - 0.8).toFixed(2)} re S Q\n` : '';
  content += placed.map((p, i) => `q ${p.w.toFixed(2)} 0 0 ${p.h.toFixed(2)} ${p.x.toFixed(2)} ${p.y.toFixed(2)} cm /Im${i + 1} Do Q\n`).join('');
  content += `BT /F1 ${size.toFixed(2)} Tf ${r} ${g} ${b} rg ${leading.toFixed(2)} TL ${textX.toFixed(2)} ${(height - size - 3).toFixed(2)} Td\n`;
  content += encodedLines.map((hex, i) => `${i === 0 ? '' : 'T* '}<${hex}> Tj`).join('\n');
  content += '\nET';
  const tag = 'KYSOAA';
  const baseFont = `${tag}+${(font.postscriptName ?? 'DejaVuSans').replace(/[^A-Za-z0-9-]/g, '')}`;
  const sortedCids = [...cids.keys()].sort((a, c) => a - c);
  const toUnicode = [
    '/CIDInit /ProcSet findresource begin 12 dict begin begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def /CMapName /Adobe-Identity-UCS def /CMapType 2 def',
    '1 begincodespacerange <0000> <FFFF> endcodespacerange',
    `${sortedCids.length} beginbfchar`,
    ...sortedCids.map((cid) => {
      const utf16 = Buffer.from(String.fromCodePoint(...(cids.get(cid)?.unicode ?? [0xfffd])), 'utf16le');
      utf16.swap16();
      return `<${hex4(cid)}> <${utf16.toString('hex')}>`;
    }),
    'endbfchar endcmap CMapName currentdict /CMap defineresource pop end end',
  ].join('\n');

  return {
    pageIndex: options.pageIndex,
    rect: options.rect,
    build(allocate: () => PdfRef) {
      const fontFile = allocate();
      const descriptor = allocate();
      const cidFont = allocate();
      const unicodeMap = allocate();
      const type0 = allocate();
      const form = allocate();
      const images = placed.map((p) => imageObjects(p.image, allocate));
      const objects: UpdatedObject[] = [
        ...images.flatMap((i) => i.objects),
        { ref: fontFile, value: new PdfStream(new PdfDict([['Length1', fontBytes.length], ['Filter', name('FlateDecode')]]), deflateSync(fontBytes)) },
        {
          ref: descriptor,
          value: new PdfDict([
            ['Type', name('FontDescriptor')], ['FontName', name(baseFont)], ['Flags', 32],
            ['FontBBox', [font.bbox.minX, font.bbox.minY, font.bbox.maxX, font.bbox.maxY].map((v: number) => Math.round(v * scale))],
            ['ItalicAngle', 0], ['Ascent', Math.round(font.ascent * scale)], ['Descent', Math.round(font.descent * scale)],
            ['CapHeight', Math.round((font.capHeight || font.ascent) * scale)], ['StemV', 80], ['FontFile2', fontFile],
          ]),
        },
        {
          ref: cidFont,
          value: new PdfDict([
            ['Type', name('Font')], ['Subtype', name('CIDFontType2')], ['BaseFont', name(baseFont)],
            ['CIDSystemInfo', new PdfDict([['Registry', PdfString.fromText('Adobe')], ['Ordering', PdfString.fromText('Identity')], ['Supplement', 0]])],
            ['FontDescriptor', descriptor], ['CIDToGIDMap', name('Identity')],
            ['W', sortedCids.flatMap((cid) => [cid, [cids.get(cid)?.width ?? 0]])],
          ]),
        },
        { ref: unicodeMap, value: new PdfStream(new PdfDict([['Filter', name('FlateDecode')]]), deflateSync(Buffer.from(toUnicode, 'latin1'))) },
        {
          ref: type0,
          value: new PdfDict([
            ['Type', name('Font')], ['Subtype', name('Type0')], ['BaseFont', name(baseFont)], ['Encoding', name('Identity-H')],
            ['DescendantFonts', [cidFont]], ['ToUnicode', unicodeMap],
          ]),
        },
        {
          ref: form,
          value: new PdfStream(
            new PdfDict([
              ['Type', name('XObject')], ['Subtype', name('Form')], ['BBox', [0, 0, width, height]],
              ['Resources', new PdfDict([
                ['Font', new PdfDict([['F1', type0]])],
                ...(images.length > 0 ? [['XObject', new PdfDict(images.map((i, n) => [`Im${n + 1}`, i.ref]))] as [string, PdfDict]] : []),
              ])],
              ['Filter', name('FlateDecode')],
            ]),
            deflateSync(Buffer.from(content, 'latin1')),
          ),
        },
      ];
      return { normal: form, objects };
    },
  };
}
