/**
 * A visible signature stamp (Decree 30/2020 Appendix I: who signed, for which agency, and when, in
 * Vietnam time): a form XObject with the text set in an embedded, subsetted TrueType font that has the
 * Vietnamese glyphs (Liberation Serif for the stacked Decree 30 layouts, DejaVu Sans by default), as a
 * Type0/CIDFontType2 font with a ToUnicode map so the text stays searchable (ISO 32000-1 §9.7, §9.10.3).
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

/** A subset of one TrueType font: lines encoded as CIDs (Identity-H) with their widths and Unicode. */
class StampFont {
  private readonly cids = new Map<number, { width: number; unicode: number[] }>();
  private readonly subset;
  private readonly scale: number;

  private constructor(private readonly font: FontkitFont) {
    this.subset = font.createSubset();
    this.scale = 1000 / font.unitsPerEm;
  }

  static async load(file: string | undefined): Promise<StampFont> {
    // Loaded on first use: the font engine is large and most signatures are invisible.
    const fontkit = (await import('@pdf-lib/fontkit')).default;
    return new StampFont(fontkit.create(readFileSync(file ?? DEFAULT_FONT)) as unknown as FontkitFont);
  }

  /** The hex string for Tj, and the line's width in em. */
  encode(line: string): { hex: string; em: number } {
    const glyphs = this.font.layout(line).glyphs as unknown as Glyph[];
    const hex = glyphs.map((g) => {
      const cid = this.subset.includeGlyph(g as never) as number;
      this.cids.set(cid, { width: Math.round(g.advanceWidth * this.scale), unicode: g.codePoints });
      return hex4(cid);
    }).join('');
    return { hex, em: glyphs.reduce((sum, g) => sum + g.advanceWidth, 0) / this.font.unitsPerEm };
  }

  /** The Type0 font and its parts (call after every line is encoded). */
  async objects(): Promise<(allocate: () => PdfRef) => { ref: PdfRef; objects: UpdatedObject[] }> {
    const fontBytes = await encodeSubset(this.subset as never);
    const { font, scale, cids } = this;
    const baseFont = `KYSOAA+${(font.postscriptName ?? 'DejaVuSans').replace(/[^A-Za-z0-9-]/g, '')}`;
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
    return (alloc) => {
      const fontFile = alloc();
      const descriptor = alloc();
      const cidFont = alloc();
      const unicodeMap = alloc();
      const type0 = alloc();
      return {
        ref: type0,
        objects: [
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
        ],
      };
    };
  }
}

interface FontkitFont {
  unitsPerEm: number; postscriptName?: string; ascent: number; descent: number; capHeight: number;
  bbox: { minX: number; minY: number; maxX: number; maxY: number };
  createSubset(): { includeGlyph(g: never): number; encodeStream(): NodeJS.ReadableStream };
  layout(text: string): { glyphs: unknown };
}

interface PlacedImage { image: DecodedImage; x: number; y: number; w: number; h: number }

/** The appearance: a form XObject drawing `content` with /F1 and /Im1… over a width × height box. */
async function appearanceOf(
  pageIndex: number, rect: [number, number, number, number], content: string, font: StampFont, placed: PlacedImage[],
): Promise<SignatureAppearance> {
  const width = Math.abs(rect[2] - rect[0]);
  const height = Math.abs(rect[3] - rect[1]);
  const fontObjects = await font.objects();
  return {
    pageIndex,
    rect,
    build(allocate: () => PdfRef) {
      const builtFont = fontObjects(allocate);
      const form = allocate();
      const images = placed.map((p) => imageObjects(p.image, allocate));
      const objects: UpdatedObject[] = [
        ...images.flatMap((i) => i.objects),
        ...builtFont.objects,
        {
          ref: form,
          value: new PdfStream(
            new PdfDict([
              ['Type', name('XObject')], ['Subtype', name('Form')], ['BBox', [0, 0, width, height]],
              ['Resources', new PdfDict([
                ['Font', new PdfDict([['F1', builtFont.ref]])],
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

const drawImages = (placed: PlacedImage[]): string =>
  placed.map((p, i) => `q ${p.w.toFixed(2)} 0 0 ${p.h.toFixed(2)} ${p.x.toFixed(2)} ${p.y.toFixed(2)} cm /Im${i + 1} Do Q\n`).join('');

/** Lines of text from the top left, shrunk to fit (the agency text of arrival marks, copies, attachments). */
export async function buildStampAppearance(options: StampOptions): Promise<SignatureAppearance> {
  const font = await StampFont.load(options.fontFile);
  const requestedSize = options.fontSize ?? 9;
  const encoded = options.lines.map((line) => font.encode(line));
  const [x1, y1, x2, y2] = options.rect;
  const width = Math.abs(x2 - x1);
  const height = Math.abs(y2 - y1);
  const [r, g, b] = options.color ?? [0, 0, 0];
  const textX = 4;
  // The text shrinks to fit: the widest line across, all lines down.
  const widest = Math.max(...encoded.map((e) => e.em), 0.01);
  const size = Math.max(4, Math.min(requestedSize, (width - textX - 3) / widest, (height - 4) / (1.3 * Math.max(1, options.lines.length))));
  const leading = size * 1.3;
  const frame = options.frame === undefined ? [0.8, 0, 0] : options.frame;
  let content = frame ? `q ${frame.join(' ')} RG 0.8 w 0.4 0.4 ${(width - 0.8).toFixed(2)} ${(height - 0.8).toFixed(2)} re S Q\n` : '';
  content += `BT /F1 ${size.toFixed(2)} Tf ${r} ${g} ${b} rg ${leading.toFixed(2)} TL ${textX.toFixed(2)} ${(height - size - 3).toFixed(2)} Td\n`;
  content += encoded.map((e, i) => `${i === 0 ? '' : 'T* '}<${e.hex}> Tj`).join('\n');
  content += '\nET';
  return appearanceOf(options.pageIndex, options.rect, content, font, []);
}

/** A block of a stacked stamp: centred lines of text, or an image that takes the height left. */
export type StackBlock =
  | { lines: string[]; size: number; color?: [number, number, number]; align?: 'left' | 'center' }
  | { image: Buffer; what: string };

export interface StackedStampOptions {
  pageIndex: number;
  rect: [number, number, number, number];
  fontFile?: string;
  /** Top to bottom, each centred across the stamp. */
  blocks: StackBlock[];
  /** An image laid over the left third of the stack's image (the seal over the official's signature). */
  overlay?: { image: Buffer; what: string };
}

/**
 * Blocks stacked top to bottom and centred, no frame (Decree 30/2020 Appendix I: the official's title, the
 * handwritten signature, the name; or the seal with its agency and time under it). Text shrinks only to fit
 * the width; images keep their proportions and are never drawn larger than their printed size.
 */
export async function buildStackedAppearance(options: StackedStampOptions): Promise<SignatureAppearance> {
  const font = await StampFont.load(options.fontFile ?? SERIF_FONT);
  const [x1, y1, x2, y2] = options.rect;
  const width = Math.abs(x2 - x1);
  const height = Math.abs(y2 - y1);
  type Laid = { kind: 'text'; lines: Array<{ hex: string; em: number; size: number }>; color: [number, number, number]; align: 'left' | 'center' } | { kind: 'image'; image: DecodedImage };
  const laid: Laid[] = options.blocks.map((block) => 'lines' in block
    ? { kind: 'text', color: block.color ?? [0, 0, 0], align: block.align ?? 'center', lines: block.lines.filter((l) => l.length > 0).map((l) => {
      const e = font.encode(l);
      return { ...e, size: Math.max(4, Math.min(block.size, (width - 4) / Math.max(e.em, 0.01))) };
    }) }
    : { kind: 'image', image: decodePng(block.image, block.what) });
  const lineHeight = (size: number) => size * 1.25;
  let textHeight = laid.reduce((sum, b) => sum + (b.kind === 'text' ? b.lines.reduce((t, l) => t + lineHeight(l.size), 0) : 0), 0);
  const imageCount = laid.filter((b) => b.kind === 'image').length;
  // Text takes at most 70 % of the height when there are images, all of it otherwise.
  const textShare = imageCount > 0 ? 0.7 : 1;
  if (textHeight > (height - 2) * textShare) {
    const f = ((height - 2) * textShare) / textHeight;
    for (const b of laid) if (b.kind === 'text') for (const l of b.lines) l.size *= f;
    textHeight *= f;
  }
  const imageRoom = imageCount > 0 ? (height - 2 - textHeight) / imageCount : 0;
  const placed: PlacedImage[] = [];
  const drawn: string[] = [];
  const items: Array<{ height: number; draw: (top: number) => void }> = laid.flatMap((b) => {
    if (b.kind === 'text') {
      return b.lines.map((l) => ({
        height: lineHeight(l.size),
        draw: (top: number) => {
          const x = b.align === 'left' ? 2 : Math.max(2, (width - l.em * l.size) / 2);
          drawn.push(`BT /F1 ${l.size.toFixed(2)} Tf ${b.color.join(' ')} rg ${x.toFixed(2)} ${(top - l.size * 0.95).toFixed(2)} Td <${l.hex}> Tj ET`);
        },
      }));
    }
    const ratio = b.image.height / b.image.width;
    let h = Math.min(imageRoom, (width - 4) * ratio);
    if (b.image.points) h = Math.min(h, b.image.points.height);
    const w = h / ratio;
    return [{ height: h, draw: (top: number) => { placed.push({ image: b.image, x: (width - w) / 2, y: top - h, w, h }); } }];
  });
  const total = items.reduce((sum, i) => sum + i.height, 0);
  let top = height - 1 - Math.max(0, (height - 2 - total) / 2);
  for (const item of items) {
    item.draw(top);
    top -= item.height;
  }
  if (options.overlay && placed.length > 0) {
    // Over the left third of the signature: its centre on the centre of that third, the seal's printed size if known.
    const under = placed[0];
    const seal = decodePng(options.overlay.image, options.overlay.what);
    const ratio = seal.width / seal.height;
    let h = Math.min(seal.points?.height ?? under.h * 1.3, height);
    let w = h * ratio;
    if (w > width) { w = width; h = w / ratio; }
    const x = Math.min(Math.max(0, under.x + under.w / 6 - w / 2), width - w);
    const y = Math.min(Math.max(0, under.y + under.h / 2 - h / 2), height - h);
    placed.push({ image: seal, x, y, w, h });
  }
  const content = `${drawImages(placed)}${drawn.join('\n')}`;
  return appearanceOf(options.pageIndex, options.rect, content, font, placed);
}
