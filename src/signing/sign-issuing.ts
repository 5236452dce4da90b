/**
 * The issuing signature (ký số phát hành, Decree 30/2020 Art. 15 and Appendix I): the agency's seal signature
 * that, in the same incremental update, writes the document's number and date into the text fields made for
 * them before the official signed. Filling fields is form filling (ISO 32000-1 §12.8.2.2), so the official's
 * signature stays valid, and the number and date are covered by the seal's signature.
 */
import { AppError } from '../errors';
import type { TimestampAuthority } from '../network';
import { PdfFile, SignatureAppearance, TextFieldFill, textFieldWidgets } from '../pdf';
import type { Signer } from '../signers';
import { buildStackedAppearance, SERIF_FONT } from './build-stamp-appearance';
import { joinParts, signPdf } from './sign-pdf';

export interface IssuingText {
  /** The text field that receives the number (e.g. "15/UBND-VP"). */
  numberField: string;
  number: string;
  /** The text field that receives the date line (e.g. "Hà Nội, ngày 05 tháng 03 năm 2026"). */
  dateField: string;
  date: string;
}

export interface IssuingSignature {
  text: IssuingText;
  fieldName: string;
  signingTime: Date;
  /** The seal (or text stamp) of the signature itself. */
  appearance?: SignatureAppearance;
  tsa?: TimestampAuthority;
}

/** "ngày 05 tháng 03 năm 2026" in Vietnam time (Decree 30/2020 Appendix I: a leading 0 below 10). */
export function vietnameseDate(at: Date): string {
  const local = new Date(at.getTime() + 7 * 3600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `ngày ${two(local.getUTCDate())} tháng ${two(local.getUTCMonth() + 1)} năm ${local.getUTCFullYear()}`;
}

/** Black Times New Roman–metric text, 13 pt as Decree 30 sets the number and date, shrunk only to fit. */
async function fillOf(file: PdfFile, fieldName: string, value: string): Promise<TextFieldFill> {
  const widgets = textFieldWidgets(file, fieldName);
  const appearances = await Promise.all(widgets.map(async (w) =>
    (await buildStackedAppearance({ pageIndex: w.pageIndex, rect: w.rect, fontFile: SERIF_FONT, blocks: [{ lines: [value], size: 13, align: 'left' }] })).build));
  return { fieldName, value, appearances };
}

export async function signIssuing(pdf: Buffer, signer: Signer | undefined, input: IssuingSignature): Promise<Buffer> {
  if (!signer) throw new AppError('SIGNER_NOT_CONFIGURED', 'this agency has no signing key in this service (KYSO_AGENCY_SIGNERS_FILE or the server key)');
  const file = PdfFile.parse(pdf);
  const fills = [await fillOf(file, input.text.numberField, input.text.number), await fillOf(file, input.text.dateField, input.text.date)];
  return joinParts(await signPdf(file, signer, {
    fieldName: input.fieldName, reason: `Phát hành văn bản số ${input.text.number}`, appearance: input.appearance, signingTime: input.signingTime, tsa: input.tsa, fills,
  }));
}
