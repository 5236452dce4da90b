/**
 * The registers of an agency (sổ văn bản đi, sổ văn bản đến, sổ sao): numbers from 1 each calendar year in
 * Vietnam time, unique per agency, book and year (a unique index), and without gaps: the number is read,
 * the thing it numbers is made with it, and only then the number is written — if another writer took it
 * meanwhile, the thing is made again with the next one.
 */
import { AppError } from '../errors';
import { isDuplicateKey, Models, RegisterBook } from './models';

const ATTEMPTS = 8;

/** The calendar year of a moment in Vietnam (numbering restarts at 00:00 on 1 January, +07:00). */
export const vietnamYear = (at: Date): number => new Date(at.getTime() + 7 * 3600_000).getUTCFullYear();

export function createRegisters(models: Models) {
  async function nextNumber(organId: string, book: RegisterBook, year: number): Promise<number> {
    const last = await models.RegisterEntry.findOne({ organId, book, year }, { number: 1 }).sort({ number: -1 }).lean();
    return (last?.number ?? 0) + 1;
  }

  /**
   * Gives the next number of a book to what `make` produces with it. `make` may run more than once (a race
   * lost to another clerk); `discard` removes what a lost attempt made.
   */
  async function issue<T>(
    entry: {
      organId: string; book: RegisterBook; exchangeId?: string; by: string; what: string | ((number: number) => string); at?: Date;
      /** The SHA-256 (hex) of what was made, recorded with the number (issuing). */
      fingerprint?: (made: T) => string;
    },
    make: (number: number, year: number, at: Date) => Promise<T>, discard: (made: T) => Promise<void>,
  ): Promise<{ number: number; year: number; at: Date; made: T }> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const at = entry.at ?? new Date();
      const year = vietnamYear(at);
      const number = await nextNumber(entry.organId, entry.book, year);
      const made = await make(number, year, at);
      try {
        await models.RegisterEntry.create({
          organId: entry.organId, book: entry.book, year, number, exchangeId: entry.exchangeId, at, by: entry.by,
          what: typeof entry.what === 'function' ? entry.what(number) : entry.what, sha256: entry.fingerprint?.(made),
        });
        return { number, year, at, made };
      } catch (error) {
        await discard(made);
        if (!isDuplicateKey(error)) throw error;
      }
    }
    throw new AppError('SERVICE_BUSY', `the ${entry.book} register is busy; try again`);
  }

  /**
   * A register of a year. An issued number learns its exchange here, when read: the exchange this agency sent
   * with the issued file (same SHA-256) — found on reading, so that sends (a hot path) write nothing more.
   */
  async function list(organId: string, book: RegisterBook, year: number) {
    const entries = await models.RegisterEntry.find({ organId, book, year }, { _id: 0, __v: 0 }).sort({ number: 1 }).lean();
    const unlinked = entries.filter((e) => !e.exchangeId && e.sha256);
    if (unlinked.length === 0) return entries;
    const sent = await models.Exchange.find({ fromOrganId: organId, inboundTo: '', sha256: { $in: unlinked.map((e) => e.sha256 as string) } }, { exchangeId: 1, sha256: 1 }).lean();
    const bySha = new Map(sent.map((e) => [e.sha256, e.exchangeId]));
    for (const entry of unlinked) {
      const exchangeId = bySha.get(entry.sha256 as string);
      if (!exchangeId) continue;
      entry.exchangeId = exchangeId;
      await models.RegisterEntry.updateOne({ organId, book, year, number: entry.number }, { $set: { exchangeId } });
    }
    return entries;
  }

  return { issue, list };
}

export type Registers = ReturnType<typeof createRegisters>;
