/** On-time statistics of an agency's received documents. */
import { Caller, codesOf } from './agency.service';
import type { ExchangeContext } from './exchange-context';
import { RecipientDoc } from './models';
import { STATUS } from './status-machine';

export function createComputeStatistics(ctx: ExchangeContext) {
  const { models } = ctx;
  /** On-time figures for documents an agency received with a due date (Decree 61/2018 style reporting). */
  async function statistics(caller: Caller, range: { from?: Date; to?: Date }): Promise<Record<string, number>> {
    const own = await models.Recipient.find({ organId: { $in: codesOf(caller) } }).lean();
    const exchanges = await models.Exchange.find({ exchangeId: { $in: own.map((r) => r.exchangeId) }, dueDate: { $ne: null } }).lean();
    const now = new Date();
    const stats = { withDueDate: 0, doneOnTime: 0, doneLate: 0, openOverdue: 0, openInTime: 0 };
    for (const e of exchanges) {
      if ((range.from && e.createdAt < range.from) || (range.to && e.createdAt > range.to)) continue;
      const r = own.find((x) => x.exchangeId === e.exchangeId) as RecipientDoc;
      const due = e.dueDate as Date;
      stats.withDueDate++;
      const done = r.history.find((h) => h.status === STATUS.DONE);
      if (done) done.at <= due ? stats.doneOnTime++ : stats.doneLate++;
      else if (now > due) stats.openOverdue++;
      else stats.openInTime++;
    }
    return stats;
  }

  return statistics;
}
