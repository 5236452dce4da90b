/**
 * The arrival mark (dấu ĐẾN, Decree 30/2020 Art. 22 and Appendix I): the receiving agency takes số đến from
 * its incoming register and signs its copy with the agency key, the mark at the top of page 1 (ĐẾN, Số,
 * Ngày, Chuyển). The sender's signatures stay valid (an incremental update); the original as received is
 * kept unchanged beside the stamped copy.
 */
import { Readable } from 'node:stream';
import { mongo } from 'mongoose';
import { AppError } from '../errors';
import { formatVietnamTime, joinParts, signAgencyText } from '../signing';
import type { Caller } from './agency.service';
import type { ExchangeContext } from './exchange-context';

export function createStampArrival(ctx: ExchangeContext) {
  const { models, documents, audit, registers } = ctx;
  const { access, readDocument } = ctx.reads;

  async function stampArrival(caller: Caller, exchangeId: string, input: { forwardTo?: unknown }): Promise<Record<string, unknown>> {
    const { exchange, own } = await access(caller, exchangeId);
    if (!own) throw new AppError('FORBIDDEN', 'the arrival mark is stamped by a recipient of the document');
    if (own.documentRemoved) throw new AppError('NOT_FOUND', 'the document was recalled by its sender');
    if (own.arrival) throw new AppError('STATUS_TRANSITION_INVALID', `the document already carries arrival number ${own.arrival.number}/${own.arrival.year}`);
    const forwardTo = typeof input.forwardTo === 'string' ? input.forwardTo.trim().slice(0, 120) : '';
    const original = await readDocument(exchange.fileId);
    const signer = ctx.signerFor(own.organId);
    const issued = await registers.issue(
      { organId: own.organId, book: 'incoming', exchangeId, by: caller.keyId, what: `ĐẾN ${exchange.codeNumber}/${exchange.codeNotation}` },
      async (number, _year, at) => {
        const stamped = joinParts(await signAgencyText(original, signer, {
          corner: 'top-left', fieldName: `Den${number}`, reason: 'Tiếp nhận văn bản đến', signingTime: at,
          lines: [`${own.organName}`, `ĐẾN   Số: ${number}   Ngày: ${formatVietnamTime(at).slice(0, 16)}`, `Chuyển: ${forwardTo}`],
        }));
        return documents.upload(Readable.from([stamped]), `den-${number}-${exchange.fileName}`);
      },
      (stored) => documents.discard([stored.fileId]),
    );
    const arrival = { number: issued.number, year: issued.year, at: issued.at, forwardTo, fileId: issued.made.fileId, sha256: issued.made.sha256, size: issued.made.size };
    await models.Recipient.updateOne({ exchangeId, organId: own.organId }, { $set: { arrival, updatedAt: new Date() } });
    await ctx.changes.bump([own.organId]);
    await audit.append({ type: 'exchange.arrival-stamped', organId: caller.organId, keyId: caller.keyId, subject: exchangeId, details: { number: issued.number, year: issued.year, sha256: arrival.sha256 } });
    return { number: arrival.number, year: arrival.year, at: arrival.at, forwardTo, sha256: arrival.sha256, size: arrival.size };
  }

  /** The stamped copy of the caller's agency. */
  async function openArrival(caller: Caller, exchangeId: string) {
    const { own, exchange } = await access(caller, exchangeId);
    if (!own?.arrival || own.documentRemoved) throw new AppError('NOT_FOUND', 'no arrival mark was stamped on this document');
    await audit.append({ type: 'exchange.read', organId: caller.organId, keyId: caller.keyId, subject: exchangeId, details: { document: 'arrival' } });
    return { stream: documents.open(own.arrival.fileId as unknown as mongo.ObjectId), fileName: `den-${own.arrival.number}-${exchange.fileName}`, size: own.arrival.size, sha256: own.arrival.sha256 };
  }

  return { stampArrival, openArrival };
}
