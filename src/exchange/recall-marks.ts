/**
 * The two writes a recall makes, wherever it comes from (the sender here, or the sender's system through a
 * peer or the national axis): the exchange is closed as recalled, and each recipient still holding it moves
 * to status 13 (recall requested) with the sender's reason in its history.
 */
import type { Models } from './models';
import { STATUS } from './status-machine';

export function createRecallMarks(models: Models) {
  /** The exchange recalled, once: a second recall of the same exchange changes nothing. */
  async function closeAsRecalled(exchangeId: string, reason: string, at: Date): Promise<void> {
    await models.Exchange.updateOne({ exchangeId, state: 'sent' }, { $set: { state: 'recalled', recallReason: reason, recalledAt: at } });
  }

  /** Status 13 for one recipient, only if it is still in the status it was read in (no lost update). */
  async function requestRecall(exchangeId: string, recipient: { organId: string; status: string }, by: { organId: string; reason: string; at: Date }): Promise<void> {
    await models.Recipient.updateOne(
      { exchangeId, organId: recipient.organId, status: recipient.status },
      { $set: { status: STATUS.RECALL_REQUESTED, updatedAt: by.at }, $push: { history: { status: STATUS.RECALL_REQUESTED, at: by.at, byOrganId: by.organId, reason: by.reason } } },
    );
  }

  return { closeAsRecalled, requestRecall };
}
