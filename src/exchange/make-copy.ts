/**
 * Copies of a document an agency holds (Decree 30/2020 Art. 25–27 and Appendix I): SAO Y and SAO LỤC of the
 * whole document, TRÍCH SAO of selected pages. The copying agency signs the copy with its key, the text at
 * the top right of page 1 (copy form, copying agency, copy number and symbol from its copy register, the
 * signing time in ISO 8601 +07:00), Times New Roman metrics 10 pt, black, no image. A SAO Y/SAO LỤC is an
 * incremental update of the original, whose signatures stay verifiable inside the copy.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { mongo } from 'mongoose';
import { AppError } from '../errors';
import { extractPages } from '../pdf';
import { formatVietnamIso, joinParts, signAgencyText } from '../signing';
import type { Caller } from './agency.service';
import type { ExchangeContext } from './exchange-context';
import type { CopyDoc } from './models';

const FORMS = { 'SAO Y': 'SY', 'SAO LỤC': 'SL', 'TRÍCH SAO': 'TS' } as const;
type Form = keyof typeof FORMS;

const view = ({ copyId, exchangeId, organId, form, number, year, pages, sha256, size, at }: CopyDoc) => ({ copyId, exchangeId, organId, form, number, year, symbol: `${number}/${FORMS[form]}`, pages, sha256, size, at });

export function createMakeCopy(ctx: ExchangeContext) {
  const { models, documents, audit, registers } = ctx;
  const { access, readDocument } = ctx.reads;

  async function makeCopy(caller: Caller, exchangeId: string, input: { form?: unknown; pages?: unknown }) {
    const { exchange, own, isSender } = await access(caller, exchangeId);
    if (!isSender && own?.documentRemoved) throw new AppError('NOT_FOUND', 'the document was recalled by its sender');
    const form = String(input.form ?? '').normalize('NFC') as Form;
    if (!(form in FORMS)) throw new AppError('INVALID_REQUEST', `form must be ${Object.keys(FORMS).join(', ')}`);
    const pages = form === 'TRÍCH SAO' ? (Array.isArray(input.pages) ? input.pages.map(Number) : []) : [];
    if (form === 'TRÍCH SAO' && pages.length === 0) throw new AppError('INVALID_REQUEST', 'a TRÍCH SAO names the pages to copy (pages: [1, 3])');
    const original = await readDocument(exchange.fileId);
    const base = form === 'TRÍCH SAO' ? await extractPages(original, pages) : original;
    const organId = isSender ? exchange.fromOrganId : own!.organId;
    const organName = isSender ? exchange.fromOrganName : own!.organName;
    const issued = await registers.issue(
      { organId, book: 'copies', exchangeId, by: caller.keyId, what: `${form} ${exchange.codeNumber}/${exchange.codeNotation}` },
      async (number, _year, at) => documents.upload(Readable.from([joinParts(await signAgencyText(base, ctx.signerFor(organId), {
        corner: 'top-right', fieldName: `BanSao${number}`, reason: form, signingTime: at,
        lines: [`${form}   Số: ${number}/${FORMS[form]}`, organName, `Thời gian ký: ${formatVietnamIso(at)}`],
      }))]), `${FORMS[form].toLowerCase()}-${number}-${exchange.fileName}`),
      (stored) => documents.discard([stored.fileId]),
    );
    const copy = (await models.Copy.create({
      copyId: randomUUID(), exchangeId, organId, form, number: issued.number, year: issued.year, pages, fileId: issued.made.fileId,
      sha256: issued.made.sha256, size: issued.made.size, at: issued.at, by: caller.keyId,
    })).toObject();
    await audit.append({ type: 'exchange.copied', organId: caller.organId, keyId: caller.keyId, subject: exchangeId, details: { copyId: copy.copyId, form, number: issued.number, year: issued.year, pages } });
    return view(copy);
  }

  async function listCopies(caller: Caller, exchangeId: string) {
    const { exchange, own, isSender } = await access(caller, exchangeId);
    const organId = isSender ? exchange.fromOrganId : own!.organId;
    return (await models.Copy.find({ exchangeId, organId }).sort({ at: 1 }).lean()).map(view);
  }

  async function openCopy(caller: Caller, exchangeId: string, copyId: string) {
    const { exchange, own, isSender } = await access(caller, exchangeId);
    const organId = isSender ? exchange.fromOrganId : own!.organId;
    const copy = await models.Copy.findOne({ copyId, exchangeId, organId }).lean();
    if (!copy) throw new AppError('NOT_FOUND', 'no such copy');
    await audit.append({ type: 'exchange.read', organId: caller.organId, keyId: caller.keyId, subject: exchangeId, details: { document: `copy ${copyId}` } });
    return { stream: documents.open(copy.fileId as unknown as mongo.ObjectId), fileName: `${FORMS[copy.form].toLowerCase()}-${copy.number}-${exchange.fileName}`, size: copy.size, sha256: copy.sha256 };
  }

  return { makeCopy, listCopies, openCopy };
}
