/**
 * The arguments of `kyso verify`, read the same way by the command and by the command line's entry (which
 * starts the worker threads of a batch before it loads the command).
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';

/** From this many files, a run validates on every core. */
export const PARALLEL_FROM = 8;

/** Threads of a batch, this one included: one per core, at most 8. */
export const batchThreads = (): number => Math.min(availableParallelism(), 8);

export function parseVerifyArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      trust: { type: 'string', multiple: true },
      intermediates: { type: 'string', multiple: true },
      offline: { type: 'boolean', default: false },
      revocation: { type: 'string', default: 'soft' },
      'strict-crypto-from': { type: 'string' },
      at: { type: 'string' },
      json: { type: 'boolean', default: false },
      lang: { type: 'string', default: 'vi' },
      hash: { type: 'boolean', default: false },
      'etsi-report': { type: 'string' },
    },
  });
}

/**
 * Whether the arguments name a batch the worker threads will validate: a folder, or PARALLEL_FROM files.
 * Arguments that do not parse name none (the command itself then says what is wrong with them).
 */
export function namesBatch(argv: string[]): boolean {
  let positionals: string[];
  try {
    positionals = parseVerifyArgs(argv).positionals;
  } catch {
    return false;
  }
  if (positionals.length >= PARALLEL_FROM) return true;
  return positionals.some((p) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return false; // reported as unreadable by the command
    }
  });
}
