/**
 * The visible appearance of a signature as Decree 30/2020 Appendix I describes it. A person's signature:
 * their handwritten signature image (if given) and "Ký bởi / Cơ quan / Thời gian ký" in Vietnam time. An
 * agency's signature: its red seal image alone, placed by the caller over the left third of the signer's
 * signature (its agency name and time are in the signature itself).
 */
import { deflateSync } from 'node:zlib';
import { parseCertificate } from '../cms';
import { AppError } from '../errors';
import { name, PdfDict, PdfStream, SignatureAppearance } from '../pdf';
import { buildStampAppearance, formatVietnamTime } from './build-stamp-appearance';
import { decodePng, imageObjects } from './png-image';

export interface Placement {
  pageIndex: number;
  rect: [number, number, number, number];
}

/** PAGE:X1:Y1:X2:Y2 — page from 1, the rectangle in points from the bottom-left corner. */
export function parsePlacement(spec: string): Placement {
  const parts = spec.split(':').map(Number);
  if (parts.length !== 5 || parts.some((n) => !Number.isFinite(n)) || parts[0] < 1 || !Number.isInteger(parts[0]) || parts[1] === parts[3] || parts[2] === parts[4]) {
    throw new AppError('USAGE', 'a visible signature takes PAGE:X1:Y1:X2:Y2 (page from 1, a rectangle in points)');
  }
  return { pageIndex: parts[0] - 1, rect: [parts[1], parts[2], parts[3], parts[4]] };
}

export interface SignerStampInput {
  certificate: Buffer;
  placement: Placement;
  signingTime: Date;
  signatureImage?: Buffer;
  sealImage?: Buffer;
}

export async function buildSignerStamp(input: SignerStampInput): Promise<SignatureAppearance> {
  if (input.sealImage && !input.signatureImage) return sealAppearance(input.placement, input.sealImage);
  const subject = parseCertificate(input.certificate).subject;
  const cn = /CN=([^,]+)/.exec(subject)?.[1] ?? subject;
  const org = /(?:^|, )O=([^,]+)/.exec(subject)?.[1];
  return buildStampAppearance({
    ...input.placement,
    lines: [`Ký bởi: ${cn}`, ...(org && org !== cn ? [`Cơ quan: ${org}`] : []), `Thời gian ký: ${formatVietnamTime(input.signingTime)}`],
    signatureImage: input.signatureImage,
    sealImage: input.sealImage,
  });
}

/** The seal image alone, as large as the rectangle allows with its proportions kept, at its bottom left. */
function sealAppearance(placement: Placement, png: Buffer): SignatureAppearance {
  const image = decodePng(png, 'the seal image');
  const [x1, y1, x2, y2] = placement.rect;
  const width = Math.abs(x2 - x1);
  const height = Math.abs(y2 - y1);
  const scale = Math.min(width / image.width, height / image.height);
  const content = `q ${(image.width * scale).toFixed(2)} 0 0 ${(image.height * scale).toFixed(2)} 0 0 cm /Seal Do Q`;
  return {
    ...placement,
    build(allocate) {
      const form = allocate();
      const { ref, objects } = imageObjects(image, allocate);
      objects.push({
        ref: form,
        value: new PdfStream(new PdfDict([
          ['Type', name('XObject')], ['Subtype', name('Form')], ['BBox', [0, 0, width, height]],
          ['Resources', new PdfDict([['XObject', new PdfDict([['Seal', ref]])]])], ['Filter', name('FlateDecode')],
        ]), deflateSync(Buffer.from(content, 'latin1'))),
      });
      return { normal: form, objects };
    },
  };
}
