/**
 * The scheduled renewal of long-term copies (PAdES B-LTA, ETSI EN 319 142-1 §5.4): every exchange whose newest
 * copy must be renewed within the horizon (its document timestamp's TSA certificate expires) gets a new
 * copy with fresh validation data and a new document timestamp, one at a time, soonest first; each renewal
 * is logged and audited. A renewal that fails (the TSA or a responder does not answer) is tried again with
 * exponential back-off; one that gained no time (the TSA's certificate is the one about to expire) waits a day
 * and says so, instead of renewing again on every run. The periodic job (src/jobs) runs it in one instance.
 */
import type { Logger } from 'pino';
import type { ExchangeContext } from './exchange-context';
import type { ExchangeDoc } from './models';

export interface RenewalOptions {
  /** Renew copies whose renewal date falls within this many days. */
  withinDays: number;
  /** At most this many renewals per run. */
  limit: number;
  /** The first retry after a failure; doubled per failure, up to a day. */
  retryMs: number;
  logger: Logger;
}

const DAY_MS = 86_400_000;

export function createRenewArchives(ctx: ExchangeContext, keepLongTermCopy: (exchange: ExchangeDoc, by: { organId: string }) => Promise<{ sha256: string; renewBy: Date | null; added: unknown }>) {
  const { models, audit } = ctx;

  async function renewDue(options: RenewalOptions, now = new Date()): Promise<{ renewed: number; failed: number; noGain: number }> {
    const due = await models.Exchange.find({
      renewBy: { $ne: null, $lte: new Date(now.getTime() + options.withinDays * DAY_MS) },
      $or: [{ renewalRetryAt: null }, { renewalRetryAt: { $lte: now } }],
    }).sort({ renewBy: 1 }).limit(options.limit).lean();
    const counts = { renewed: 0, failed: 0, noGain: 0 };
    for (const exchange of due) {
      // The agency that holds this record: the sender for a sent document, the recipient for a received one.
      const organId = exchange.inboundTo || exchange.fromOrganId;
      const before = exchange.renewBy ?? null;
      try {
        const made = await keepLongTermCopy(exchange, { organId });
        const gained = !!made.renewBy && (!before || made.renewBy.getTime() > before.getTime());
        if (!gained) {
          await models.Exchange.updateOne({ exchangeId: exchange.exchangeId }, { $set: { renewalRetryAt: new Date(now.getTime() + DAY_MS) } });
          counts.noGain++;
        }
        counts.renewed++;
        await audit.append({
          type: 'exchange.archive-renewed', organId, keyId: 'job:archive-renewal', subject: exchange.exchangeId,
          details: { sha256: made.sha256, renewBy: made.renewBy, previousRenewBy: before, gainedTime: gained },
        });
        options.logger.info({ job: 'archive-renewal', exchangeId: exchange.exchangeId, renewBy: made.renewBy, gainedTime: gained }, gained
          ? 'long-term copy renewed'
          : 'long-term copy renewed, but its new timestamp expires no later (the TSA certificate is the one expiring); trying again in a day');
      } catch (error) {
        const failures = (exchange.renewalFailures ?? 0) + 1;
        const wait = Math.min(DAY_MS, options.retryMs * 2 ** (failures - 1));
        await models.Exchange.updateOne({ exchangeId: exchange.exchangeId }, { $set: { renewalFailures: failures, renewalRetryAt: new Date(now.getTime() + wait) } });
        counts.failed++;
        options.logger.warn({ job: 'archive-renewal', exchangeId: exchange.exchangeId, failures, retryInMs: wait, err: error }, 'renewing a long-term copy failed; it will be tried again');
      }
    }
    return counts;
  }

  return renewDue;
}
