/**
 * An agency signature whose appearance is text at the top of page 1 (Decree 30/2020 Appendix I: arrival
 * marks, copies, attachments): Times New Roman metrics (Liberation Serif, with the Vietnamese glyphs),
 * 10 pt, black, no image; signed with the agency's key as an incremental update, so every earlier
 * signature stays valid.
 */
import { AppError } from '../errors';
import type { TimestampAuthority } from '../network';
import { PdfFile } from '../pdf';
import type { Signer } from '../signers';
import { buildStampAppearance, SERIF_FONT } from './build-stamp-appearance';
import type { CompletedSignature } from './prepare-signature';
import { signPdf } from './sign-pdf';

/** From the page's side edge, and from its top edge: the text sits in the top margin. */
const SIDE_MARGIN = 28;
const TOP_MARGIN = 4;
const WIDTH = 240;
const LINE_HEIGHT = 13;

export interface AgencyText {
  lines: string[];
  /** top-right: copies and attachments (text alone); top-left: the arrival mark (in a black frame). */
  corner: 'top-left' | 'top-right';
  fieldName: string;
  reason: string;
  signingTime: Date;
  /** A signature time-stamp (PAdES B-T) from this TSA. */
  tsa?: TimestampAuthority;
}

export async function signAgencyText(pdf: Buffer | PdfFile, signer: Signer | undefined, text: AgencyText): Promise<CompletedSignature> {
  if (!signer) throw new AppError('SIGNER_NOT_CONFIGURED', 'this agency has no signing key in this service (KYSO_AGENCY_SIGNERS_FILE or the server key)');
  const file = pdf instanceof PdfFile ? pdf : PdfFile.parse(pdf);
  const [x1, , x2, y2] = file.pageBox(0);
  const height = LINE_HEIGHT * text.lines.length + 8;
  const left = text.corner === 'top-right' ? x2 - SIDE_MARGIN - WIDTH : x1 + SIDE_MARGIN;
  const top = y2 - TOP_MARGIN;
  const appearance = await buildStampAppearance({
    pageIndex: 0, rect: [left, top - height, left + WIDTH, top], lines: text.lines, fontFile: SERIF_FONT, fontSize: 10, color: [0, 0, 0],
    frame: text.corner === 'top-left' ? [0, 0, 0] : null,
  });
  return signPdf(file, signer, { fieldName: text.fieldName, reason: text.reason, appearance, signingTime: text.signingTime, tsa: text.tsa });
}
