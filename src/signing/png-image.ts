/**
 * A PNG (the signer's handwritten signature, the agency's red seal) as a PDF image XObject: 8-bit DeviceRGB
 * samples, with the alpha channel as a soft mask (ISO 32000-1 §8.9.5, §11.6.5.3) so the page shows through.
 */
import { deflateSync } from 'node:zlib';
import type UpngModule from '@pdf-lib/upng';
import { AppError } from '../errors';
import { name, PdfDict, PdfRef, PdfStream, UpdatedObject } from '../pdf';

export interface DecodedImage {
  width: number;
  height: number;
  rgb: Buffer;
  /** Undefined when every pixel is opaque. */
  alpha?: Buffer;
  /** The printed size in points, when the PNG says its resolution (pHYs in pixels per metre). */
  points?: { width: number; height: number };
}

const MAX_PIXELS = 4096 * 4096;

/** The PNG decoder, loaded when a stamp first needs it rather than by every command that signs. */
let upng: typeof UpngModule | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const decoder = (): typeof UpngModule => (upng ??= (require('@pdf-lib/upng') as { default: typeof UpngModule }).default);

export function decodePng(png: Buffer, what: string): DecodedImage {
  let rgba: Uint8Array;
  let width: number;
  let height: number;
  let perMetre: [number, number, number] | undefined;
  try {
    const UPNG = decoder();
    const image = UPNG.decode(new Uint8Array(png).buffer);
    ({ width, height } = image);
    perMetre = (image.tabs as Record<string, unknown>).pHYs as [number, number, number] | undefined;
    if (width * height > MAX_PIXELS) throw new Error('too large');
    rgba = new Uint8Array(UPNG.toRGBA8(image)[0]);
  } catch (error) {
    throw new AppError('USAGE', `${what} is not a readable PNG image of at most ${MAX_PIXELS} pixels`, { cause: error });
  }
  const pixels = width * height;
  const rgb = Buffer.alloc(pixels * 3);
  const alpha = Buffer.alloc(pixels);
  let translucent = false;
  for (let i = 0; i < pixels; i++) {
    rgb[i * 3] = rgba[i * 4];
    rgb[i * 3 + 1] = rgba[i * 4 + 1];
    rgb[i * 3 + 2] = rgba[i * 4 + 2];
    alpha[i] = rgba[i * 4 + 3];
    if (alpha[i] !== 255) translucent = true;
  }
  const points = perMetre && perMetre[2] === 1 && perMetre[0] > 0 && perMetre[1] > 0
    ? { width: (width / perMetre[0]) * (72 / 0.0254), height: (height / perMetre[1]) * (72 / 0.0254) }
    : undefined;
  return { width, height, rgb, alpha: translucent ? alpha : undefined, points };
}

/** The image XObject (and its soft mask) as objects for an incremental update. */
export function imageObjects(image: DecodedImage, allocate: () => PdfRef): { ref: PdfRef; objects: UpdatedObject[] } {
  const ref = allocate();
  const objects: UpdatedObject[] = [];
  const dict = new PdfDict([
    ['Type', name('XObject')], ['Subtype', name('Image')], ['Width', image.width], ['Height', image.height],
    ['ColorSpace', name('DeviceRGB')], ['BitsPerComponent', 8], ['Filter', name('FlateDecode')],
  ]);
  if (image.alpha) {
    const mask = allocate();
    dict.set('SMask', mask);
    objects.push({
      ref: mask,
      value: new PdfStream(new PdfDict([
        ['Type', name('XObject')], ['Subtype', name('Image')], ['Width', image.width], ['Height', image.height],
        ['ColorSpace', name('DeviceGray')], ['BitsPerComponent', 8], ['Filter', name('FlateDecode')],
      ]), deflateSync(image.alpha)),
    });
  }
  objects.unshift({ ref, value: new PdfStream(dict, deflateSync(image.rgb)) });
  return { ref, objects };
}
