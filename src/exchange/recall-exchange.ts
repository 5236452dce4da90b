/** The sender recalls an exchange: each recipient still holding it gets status 13. */
import { AppError } from '../errors';
import { Caller } from './agency.service';
import type { ExchangeContext } from './exchange-context';
import { createRecallMarks } from './recall-marks';
import { STATUS } from './status-machine';

export function createRecallExchange(ctx: ExchangeContext) {
  const { models, audit } = ctx;
  const { access, get } = ctx.reads;
  const marks = createRecallMarks(models);
  async function recall(caller: Caller, exchangeId: string, reason: unknown): Promise<Record<string, unknown>> {
    const { exchange, recipients, isSender } = await access(caller, exchangeId);
    if (!isSender) throw new AppError('FORBIDDEN', 'only the sender can recall an exchange');
    if (typeof reason !== 'string' || !reason.trim()) throw new AppError('INVALID_REQUEST', 'a reason is required to recall');
    if (exchange.state === 'recalled') throw new AppError('STATUS_TRANSITION_INVALID', 'the exchange is already recalled');
    const at = new Date();
    await marks.closeAsRecalled(exchangeId, reason.trim(), at);
    const byPeer = new Map<string, string[]>();
    for (const r of recipients) {
      if (r.status === STATUS.RETURNED || r.status === STATUS.RECALL_ACCEPTED) continue;
      if (r.peerId) byPeer.set(r.peerId, [...(byPeer.get(r.peerId) ?? []), r.organId]);
      await marks.requestRecall(exchangeId, r, { organId: caller.organId, reason: reason.trim(), at });
    }
    // Recipients on peers hear of it through their Kyso (delivered after the document, retried like it).
    await ctx.outbox.enqueueRecall(exchangeId, byPeer);
    await ctx.changes.bump([exchange.fromOrganId, ...recipients.map((r) => r.organId)]);
    await audit.append({ type: 'exchange.recalled', organId: caller.organId, keyId: caller.keyId, subject: exchangeId, details: { reason } });
    return get(caller, exchangeId);
  }

  return recall;
}
