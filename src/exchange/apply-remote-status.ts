/**
 * A status reported by a recipient on another system (an edXML Status package, from a peer Kyso or from the
 * sender agency's own connection to the national axis): added to that recipient's history of a document
 * sent from here. Applying the same status twice changes nothing.
 */
import { AppError } from '../errors';
import type { EdxmlStatus } from '../edxml';
import type { Caller } from './agency.service';
import { statusTarget } from './edxml-package';
import type { ExchangeContext } from './exchange-context';
import type { StatusEntry } from './models';

export function createApplyRemoteStatus(ctx: ExchangeContext) {
  const { models, audit } = ctx;

  /** `peerId`: the status came from that peer; `senderCodes`: an agency of this service posted it for its own document. */
  async function applyRemoteStatus(status: EdxmlStatus, who: { peerId?: string; senderCodes?: string[]; caller?: Caller }): Promise<Record<string, unknown>> {
    const target = statusTarget(status);
    const exchange = await models.Exchange.findOne({
      fromOrganId: target.organId, inboundTo: '', year: target.issuedDate.getUTCFullYear(), codeNumber: target.codeNumber, codeNotation: target.codeNotation,
    }).lean();
    if (!exchange || (who.senderCodes && !who.senderCodes.includes(exchange.fromOrganId))) {
      throw new AppError('NOT_FOUND', `no document sent from here matches Status/ResponseFor/DocumentId ${status.responseFor.documentId.slice(0, 80)}`);
    }
    const recipient = await models.Recipient.findOne({ exchangeId: exchange.exchangeId, organId: status.from.organId }).lean();
    if (!recipient) throw new AppError('NOT_FOUND', `the document was not sent to ${status.from.organId} (Status/From/OrganId)`);
    // A local agency moves its own status; a peer speaks only for its own recipients.
    if (who.peerId ? recipient.peerId !== who.peerId : !!(await models.Agency.exists({ organId: recipient.organId }))) {
      throw new AppError('FORBIDDEN', `the status of ${recipient.organId} is not reported from there`);
    }
    const view = () => ctx.reads.view(exchange, [recipient]);
    if (recipient.history.some((h) => h.status === status.statusCode && Math.abs(h.at.getTime() - status.timestamp.getTime()) < 1000)) return view();
    const entry: StatusEntry = {
      status: status.statusCode, at: status.timestamp, byOrganId: status.from.organId,
      ...(status.description ? { reason: status.description } : {}),
      ...(status.staffInfo?.staff ? { staffName: status.staffInfo.staff } : {}),
      ...(status.staffInfo?.department ? { staffPosition: status.staffInfo.department } : {}),
    };
    await models.Recipient.updateOne({ exchangeId: exchange.exchangeId, organId: recipient.organId }, {
      $set: { status: entry.status, updatedAt: new Date() }, $push: { history: entry },
    });
    await ctx.changes.bump([exchange.fromOrganId, recipient.organId]);
    await audit.append({
      type: 'exchange.status-received', organId: who.caller?.organId ?? exchange.fromOrganId, keyId: who.caller?.keyId ?? (who.peerId ? `peer:${who.peerId}` : null),
      subject: exchange.exchangeId, details: { recipient: recipient.organId, from: recipient.status, to: entry.status, reason: entry.reason ?? null },
    });
    return ctx.reads.view(exchange, [{ ...recipient, status: entry.status, history: [...recipient.history, entry] }]);
  }

  return applyRemoteStatus;
}
