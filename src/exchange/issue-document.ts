/**
 * Issuing an outgoing document (cấp số, ký số phát hành — Decree 30/2020 Art. 15, 16 and Appendix I).
 *
 * 1. Before the official signs, `prepareIssuing` adds the two places the clerk will fill: empty read-only text
 *    fields for the number and the date, at positions the drafter chooses (or the document's own template
 *    already has them).
 * 2. After the official signed, the clerk's `issueDocument` takes the next number of the agency's outgoing
 *    register (sổ văn bản đi: from 1 each year, no gaps), and the agency's seal signature writes "number/ký
 *    hiệu" and the date into those places in the same incremental update. The official's signature stays valid:
 *    filling fields is the one change every signature allows (form filling).
 * When a document that was never signed has no places yet, both happen in one call.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../errors';
import { addTextFields, listFormFields, PdfFile } from '../pdf';
import { buildSignerStamp, formatVietnamIso, parsePlacement, Placement, signIssuing, vietnameseDate } from '../signing';
import type { Caller } from './agency.service';
import type { ExchangeContext } from './exchange-context';

export const DEFAULT_NUMBER_FIELD = 'SoKyHieu';
export const DEFAULT_DATE_FIELD = 'NgayBanHanh';

export interface IssuingPlaces {
  numberField?: unknown;
  dateField?: unknown;
  /** PAGE:X1:Y1:X2:Y2 of the number and of the date, for a document without the fields. */
  numberAt?: unknown;
  dateAt?: unknown;
}

export interface IssueInput extends IssuingPlaces {
  /** Ký hiệu, e.g. UBND-VP. */
  notation?: unknown;
  /** Địa danh before the date, e.g. Hà Nội. */
  place?: unknown;
  /** PAGE:X1:Y1:X2:Y2 of the seal. */
  seal?: unknown;
}

const fieldName = (value: unknown, fallback: string): string => {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value !== 'string' || !/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(value)) throw new AppError('INVALID_REQUEST', 'a field name is letters, digits and _ (up to 64)');
  return value;
};
const placement = (value: unknown, what: string): Placement | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new AppError('INVALID_REQUEST', `${what} is PAGE:X1:Y1:X2:Y2`);
  try {
    return parsePlacement(value);
  } catch {
    throw new AppError('INVALID_REQUEST', `${what} is PAGE:X1:Y1:X2:Y2 (page from 1, a rectangle in points)`);
  }
};

export function createIssueDocument(ctx: ExchangeContext) {
  const { audit, registers } = ctx;

  /** The document with the number and date places added; refused once anyone has signed it. */
  function withPlaces(pdf: Buffer, input: IssuingPlaces): { pdf: Buffer; numberField: string; dateField: string } {
    const numberField = fieldName(input.numberField, DEFAULT_NUMBER_FIELD);
    const dateField = fieldName(input.dateField, DEFAULT_DATE_FIELD);
    if (numberField === dateField) throw new AppError('INVALID_REQUEST', 'the number and the date need two fields');
    const file = PdfFile.parse(pdf);
    const existing = new Set(listFormFields(file).map((f) => f.fullName));
    const numberAt = placement(input.numberAt, 'numberAt');
    const dateAt = placement(input.dateAt, 'dateAt');
    const missing = [
      ...(existing.has(numberField) ? [] : [{ name: numberField, at: numberAt, what: 'numberAt' }]),
      ...(existing.has(dateField) ? [] : [{ name: dateField, at: dateAt, what: 'dateAt' }]),
    ];
    if (missing.length === 0) return { pdf, numberField, dateField };
    const unplaced = missing.find((m) => !m.at);
    if (unplaced) throw new AppError('INVALID_REQUEST', `the document has no field '${unplaced.name}': give ${unplaced.what} (PAGE:X1:Y1:X2:Y2)`);
    return { pdf: addTextFields(file, missing.map((m) => ({ name: m.name, pageIndex: m.at!.pageIndex, rect: m.at!.rect }))), numberField, dateField };
  }

  async function prepareIssuing(caller: Caller, pdf: Buffer, input: IssuingPlaces): Promise<Buffer> {
    const prepared = withPlaces(pdf, input);
    if (prepared.pdf === pdf) throw new AppError('PDF_FIELD_EXISTS', `the document already has the fields '${prepared.numberField}' and '${prepared.dateField}'`);
    await audit.append({ type: 'document.places-added', organId: caller.organId, keyId: caller.keyId, details: { numberField: prepared.numberField, dateField: prepared.dateField } });
    return prepared.pdf;
  }

  async function issueDocument(caller: Caller, pdf: Buffer, input: IssueInput) {
    if (caller.role !== 'clerk') throw new AppError('FORBIDDEN', 'numbers are issued by the clerk (văn thư, Decree 30/2020 Art. 15)');
    const notation = typeof input.notation === 'string' ? input.notation.trim().normalize('NFC') : '';
    if (!/^[\p{L}\p{N}][\p{L}\p{N}.\-/&]{0,39}$/u.test(notation)) throw new AppError('INVALID_REQUEST', 'notation is the ký hiệu, e.g. UBND-VP (letters, digits, - . / &)');
    const place = typeof input.place === 'string' ? input.place.trim().normalize('NFC') : '';
    if (place.length > 60 || /[\u0000-\u001f\u007f]/.test(place)) throw new AppError('INVALID_REQUEST', 'place is the địa danh, up to 60 characters');
    const seal = placement(input.seal, 'seal');
    const { pdf: base, numberField, dateField } = withPlaces(pdf, input);
    const signer = ctx.signerFor(caller.organId);
    if (!signer) throw new AppError('SIGNER_NOT_CONFIGURED', `no server-side signing key is configured for agency ${caller.organId}`);
    const certificate = (await signer.certificateChain())[0];
    const issued = await registers.issue(
      {
        organId: caller.organId, book: 'outgoing', by: caller.keyId, what: (number: number) => `Phát hành ${number}/${notation}`,
        fingerprint: (made: { sha256: string }) => made.sha256,
      },
      async (number, _year, at) => {
        const pdf = await signIssuing(base, signer, {
          fieldName: `PhatHanh${number}`, signingTime: at, tsa: ctx.tsa,
          appearance: seal ? await buildSignerStamp({ certificate, placement: seal, signingTime: at, sealImage: ctx.sealImageFor?.(caller.organId), agencyName: caller.organName }) : undefined,
          text: { numberField, number: `${number}/${notation}`, dateField, date: place ? `${place}, ${vietnameseDate(at)}` : vietnameseDate(at) },
        });
        return { pdf, sha256: createHash('sha256').update(pdf).digest('hex') };
      },
      async () => undefined,
    );
    const { pdf: issuedPdf, sha256 } = issued.made;
    await audit.append({ type: 'document.issued', organId: caller.organId, keyId: caller.keyId, details: { number: issued.number, year: issued.year, notation, sha256 } });
    return { pdf: issuedPdf, number: issued.number, year: issued.year, notation, issuedDate: formatVietnamIso(issued.at).slice(0, 10), sha256 };
  }

  return { issueDocument, prepareIssuing };
}
