/**
 * The visible appearance of a signature as Decree 30/2020 Appendix I lays it out, in Times New Roman metrics
 * (Liberation Serif, with the Vietnamese glyphs), no frame:
 * - a person's signature (the official): the handwritten signature image (blue, transparent) centred at the
 *   signing place, between the title (chức vụ) and the name the document prints; when a title is given, the
 *   stamp carries the whole block (title above, name under); without an image, "Ký bởi / Cơ quan / Thời gian
 *   ký" instead;
 * - an agency's signature (the seal): the red seal image at its printed size when the PNG records it, with
 *   the agency's name and the signing time (ISO 8601, +07:00) under it as the seal's information; the caller
 *   places it over the left third of the official's signature.
 */
import { parseCertificate } from '../cms';
import { AppError } from '../errors';
import type { SignatureAppearance } from '../pdf';
import { buildStackedAppearance, formatVietnamIso, formatVietnamTime, StackBlock } from './build-stamp-appearance';

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
  /** The official's title (chức vụ), one line per \n, e.g. "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"; else the certificate's title. */
  title?: string;
  /** The agency named under the seal; else the certificate's organisation. */
  agencyName?: string;
}

const RED: [number, number, number] = [0.85, 0, 0];

export async function buildSignerStamp(input: SignerStampInput): Promise<SignatureAppearance> {
  const subject = parseCertificate(input.certificate).subject;
  const attribute = (key: string) => new RegExp(`(?:^|, )${key}=([^,]+)`).exec(subject)?.[1];
  const cn = attribute('CN') ?? subject;
  const org = attribute('O');
  const { pageIndex, rect } = input.placement;
  if (input.sealImage && !input.signatureImage) {
    return buildStackedAppearance({
      pageIndex, rect,
      blocks: [{ image: input.sealImage, what: 'the seal image' }, { lines: [input.agencyName ?? org ?? cn, formatVietnamIso(input.signingTime)], size: 6.5, color: RED }],
    });
  }
  const title = (input.title ?? attribute('T') ?? attribute('title') ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  const middle: StackBlock = input.signatureImage
    ? { image: input.signatureImage, what: 'the signature image' }
    : { lines: [`Ký bởi: ${cn}`, ...(org && org !== cn ? [`Cơ quan: ${org}`] : []), `Thời gian ký: ${formatVietnamTime(input.signingTime)}`], size: 9 };
  return buildStackedAppearance({
    pageIndex, rect,
    blocks: [
      ...(title.length ? [{ lines: title, size: 13 }] : []),
      middle,
      // A full signature block (title given): the name under the image; else the document prints both.
      ...(input.signatureImage && title.length ? [{ lines: [cn], size: 13 }] : []),
    ],
    overlay: input.sealImage && input.signatureImage ? { image: input.sealImage, what: 'the seal image' } : undefined,
  });
}
