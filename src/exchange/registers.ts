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

  /** An issued document sent: its outgoing entry now names the exchange. */
  const linkIssued = (organId: string, sha256: string, exchangeId: string) =>
    models.RegisterEntry.updateOne({ organId, book: 'outgoing', sha256, exchangeId: null }, { $set: { exchangeId } });

  const list = (organId: string, book: RegisterBook, year: number) =>
    models.RegisterEntry.find({ organId, book, year }, { _id: 0, __v: 0 }).sort({ number: 1 }).lean();

  return { issue, list, linkIssued };
}

export type Registers = ReturnType<typeof createRegisters>;
