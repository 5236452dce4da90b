/**
 * On-time statistics of the documents an agency received with a due date (hạn xử lý; Decree 30/2020
 * Art. 24 and the Government's on-time reporting): totals, and the same figures per sending agency and per
 * month of arrival (Asia/Ho_Chi_Minh), for the archivist's statistics page.
 */
import { Caller, codesOf } from './agency.service';
import type { ExchangeContext } from './exchange-context';
import { STATUS } from './status-machine';

export interface OnTimeFigures {
  withDueDate: number;
  doneOnTime: number;
  doneLate: number;
  openOverdue: number;
  openInTime: number;
}

const empty = (): OnTimeFigures => ({ withDueDate: 0, doneOnTime: 0, doneLate: 0, openOverdue: 0, openInTime: 0 });
/** yyyy-MM of a time in Vietnam (+07:00, no daylight saving). */
const monthOf = (d: Date): string => new Date(d.getTime() + 7 * 3600_000).toISOString().slice(0, 7);

export function createComputeStatistics(ctx: ExchangeContext) {
  const { models } = ctx;

  async function statistics(caller: Caller, range: { from?: Date; to?: Date }): Promise<OnTimeFigures & { byMonth: Array<OnTimeFigures & { month: string }>; byAgency: Array<OnTimeFigures & { organId: string; organName: string }> }> {
    const own = await models.Recipient.find({ organId: { $in: codesOf(caller) } }, { exchangeId: 1, history: 1 }).lean();
    const byId = new Map(own.map((r) => [r.exchangeId, r]));
    const created: Record<string, Date> = {};
    if (range.from) created.$gte = range.from;
    if (range.to) created.$lte = range.to;
    const exchanges = await models.Exchange.find(
      { exchangeId: { $in: [...byId.keys()] }, dueDate: { $ne: null }, ...(range.from || range.to ? { createdAt: created } : {}) },
      { exchangeId: 1, dueDate: 1, createdAt: 1, fromOrganId: 1, fromOrganName: 1 },
    ).lean();
    const now = new Date();
    const total = empty();
    const months = new Map<string, OnTimeFigures>();
    const agencies = new Map<string, OnTimeFigures & { organName: string }>();
    for (const e of exchanges) {
      const r = byId.get(e.exchangeId);
      if (!r) continue;
      const due = e.dueDate as Date;
      const done = r.history.find((h) => h.status === STATUS.DONE);
      const key: keyof OnTimeFigures = done ? (done.at <= due ? 'doneOnTime' : 'doneLate') : now > due ? 'openOverdue' : 'openInTime';
      const month = months.get(monthOf(e.createdAt)) ?? empty();
      months.set(monthOf(e.createdAt), month);
      const agency = agencies.get(e.fromOrganId) ?? { ...empty(), organName: e.fromOrganName };
      agencies.set(e.fromOrganId, agency);
      for (const figures of [total, month, agency]) {
        figures.withDueDate++;
        figures[key]++;
      }
    }
    return {
      ...total,
      byMonth: [...months].sort(([a], [b]) => a.localeCompare(b)).map(([month, f]) => ({ month, ...f })),
      byAgency: [...agencies].sort(([a], [b]) => a.localeCompare(b)).map(([organId, f]) => ({ organId, ...f })),
    };
  }

  return statistics;
}
