/**
 * A recall arriving from the sender's system (an edXML message with BussinessDocType 1, QCVN 102:2016), from a
 * peer Kyso or from an agency's own connection to the national axis: every copy of that document held here for
 * the addressed agencies gets status 13 (recall requested) with the sender's reason, as a recall made in this
 * service does; the recipient then accepts (15) or refuses (16) it, and that status travels back. A recall
 * for a document not (yet) here is NOT_FOUND, so the sender's delivery tries again after the document.
 */
import { AppError } from '../errors';
import type { EdxmlMessage } from '../edxml';
import type { ExchangeContext } from './exchange-context';
import { createRecallMarks } from './recall-marks';
import { STATUS } from './status-machine';

export interface RecallArrival { organId: string; exchangeId: string; status: string }

export function createApplyRemoteRecall(ctx: ExchangeContext) {
  const { models, audit } = ctx;
  const marks = createRecallMarks(models);

  /** `peerId`: the package came from that peer; `recipientCodes`: only these agencies' copies (a local agency posted it). */
  async function applyRemoteRecall(message: EdxmlMessage, who: { peerId?: string; recipientCodes?: string[]; keyId: string }): Promise<RecallArrival[]> {
    const reason = (message.business.reason ?? '').trim() || 'Thu hồi văn bản';
    const addressed = message.to.map((t) => t.organId).filter((code) => !who.recipientCodes || who.recipientCodes.includes(code));
    const copies = await models.Exchange.find({
      fromOrganId: message.from.organId, inboundTo: { $in: addressed }, year: message.promulgationDate.getUTCFullYear(),
      codeNumber: message.codeNumber, codeNotation: message.codeNotation, viaPeer: who.peerId ?? null,
    }).lean();
    if (copies.length === 0) {
      throw new AppError('NOT_FOUND', `no copy of ${message.codeNumber}/${message.codeNotation} from ${message.from.organId} is held here for ${addressed.join(', ') || '(none)'}`);
    }
    const at = new Date();
    const results: RecallArrival[] = [];
    for (const copy of copies) {
      const recipient = await models.Recipient.findOne({ exchangeId: copy.exchangeId, organId: copy.inboundTo }).lean();
      if (!recipient) continue;
      // Returned, already recalled or recall answered: nothing more to ask (a retried package changes nothing).
      if ([STATUS.RETURNED, STATUS.RECALL_REQUESTED, STATUS.RECALL_ACCEPTED, STATUS.RECALL_REFUSED].includes(recipient.status as never)) {
        results.push({ organId: recipient.organId, exchangeId: copy.exchangeId, status: recipient.status });
        continue;
      }
      await marks.closeAsRecalled(copy.exchangeId, reason, at);
      await marks.requestRecall(copy.exchangeId, recipient, { organId: message.from.organId, reason, at });
      await ctx.changes.bump([recipient.organId]);
      await audit.append({ type: 'exchange.recall-received', organId: recipient.organId, keyId: who.keyId, subject: copy.exchangeId, details: { from: message.from.organId, reason, viaPeer: who.peerId ?? null } });
      results.push({ organId: recipient.organId, exchangeId: copy.exchangeId, status: STATUS.RECALL_REQUESTED });
    }
    return results;
  }

  return applyRemoteRecall;
}
