/** A recipient moves its copy along the status machine (accept, assign, in progress, done, return, answer a recall). */
import { AppError } from '../errors';
import { Caller } from './agency.service';
import type { ExchangeContext } from './exchange-context';
import { StatusEntry } from './models';
import { STATUS, TRANSITIONS } from './status-machine';

export function createChangeStatus(ctx: ExchangeContext) {
  const { models, audit } = ctx;
  const { access, get } = ctx.reads;
  async function changeStatus(
    caller: Caller, exchangeId: string, input: { status?: unknown; reason?: unknown; staff?: { name?: unknown; position?: unknown } },
  ): Promise<Record<string, unknown>> {
    const { own, exchange } = await access(caller, exchangeId);
    if (!own) throw new AppError('FORBIDDEN', 'only a recipient changes its status; the sender may recall');
    const status = String(input.status ?? '');
    const reason = typeof input.reason === 'string' ? input.reason.trim() : undefined;
    if (!(TRANSITIONS[own.status] ?? []).includes(status)) {
      throw new AppError('STATUS_TRANSITION_INVALID', `status ${own.status} cannot move to ${status || '(none)'}`, { details: { allowed: TRANSITIONS[own.status] ?? [] } });
    }
    if ((status === STATUS.RETURNED || status === STATUS.RECALL_REFUSED) && !reason) {
      throw new AppError('INVALID_REQUEST', 'a reason is required to return a document or refuse a recall');
    }
    const staffName = typeof input.staff?.name === 'string' ? input.staff.name.slice(0, 200) : undefined;
    const staffPosition = typeof input.staff?.position === 'string' ? input.staff.position.slice(0, 200) : undefined;
    const entry: StatusEntry = {
      status, at: new Date(), byOrganId: caller.organId, ...(reason ? { reason } : {}), ...(staffName ? { staffName } : {}), ...(staffPosition ? { staffPosition } : {}),
    };
    const update: Record<string, unknown> = {
      $set: { status, updatedAt: entry.at, needsReview: false, ...(status === STATUS.RECALL_ACCEPTED ? { documentRemoved: true } : {}) },
      $push: { history: entry },
    };
    // Conditional on the status read above: two concurrent moves cannot both apply.
    const result = await models.Recipient.updateOne({ exchangeId, organId: own.organId, status: own.status }, update);
    if (result.modifiedCount === 0) throw new AppError('STATUS_TRANSITION_INVALID', 'the status changed meanwhile; read it again');
    // A document that came from a peer Kyso: its sender there hears of the move.
    if (exchange.viaPeer) await ctx.outbox.enqueueStatus(exchangeId, exchange.viaPeer, own.organId, entry);
    // The recipient's inbox and the sender's outbox both show the new status.
    await ctx.changes.bump([own.organId, exchange.fromOrganId]);
    await audit.append({ type: 'exchange.status-changed', organId: caller.organId, keyId: caller.keyId, subject: exchangeId, details: { from: own.status, to: status, reason } });
    return get(caller, exchangeId);
  }

  return changeStatus;
}
