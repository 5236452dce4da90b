/**
 * V8's tiering for a `kyso verify` run. A run is short, and V8 spends a short run compiling code it then
 * hardly uses. While documents are validated:
 * - a small batch (under 32 MiB in all) has the optimising compiler for the lexer's byte loops alone, the
 *   functions whose names start with "scan" (--turbo-filter): everything else runs on baseline code. Its
 *   background compiles of the whole validator took a core from the documents, and a short run never
 *   earned them back: the 89 documents of the shared corpus (15 MB) took 0.28–0.31 s with every function
 *   optimisable and 0.25–0.26 s with none. The byte loops are a tenth of the work, small and called from
 *   everywhere: optimising them alone took 8.6% of the instructions of a run on one thread;
 * - a larger batch keeps the compiler for everything, and V8 optimises a function only after eight times
 *   its usual amount of interpreted work (--interrupt-budget). Eight times the corpus (120 MB): 1.0 s
 *   optimised, 1.2 s without. Turning the compiler on during a run made it slower still (1.5 s), so it is
 *   decided from the batch's size before the first document.
 *
 * A thread that starts under other V8 flags than a code cache was made with refuses it: Node.js's own cache
 * of its modules, and the bundle's (load-bundle.ts). So the flags change only once every thread has loaded
 * its code, and go back to V8's own values when the documents are done. (A worker thread started after the
 * budget was raised took 55–75 ms to be ready instead of 25 ms: it compiled Node.js's modules from their
 * sources.) That needs V8's own values, known here for Node.js 20's V8; under another V8 only the budget is
 * raised, at the start, and kept, as a whole run.
 */
import { setFlagsFromString } from 'node:v8';
import type { BatchSize } from '../validation/validate-files';

const RAISED_BUDGET = 524_288;
/** Below this many bytes in all, a batch has the optimising compiler for its byte loops alone. */
const SHORT_BATCH_BYTES = 32 * 1024 * 1024;
/** V8's own --interrupt-budget, by V8 major.minor version (--turbo-filter is "*" by default). */
const V8_DEFAULTS: Record<string, { budget: number }> = { '11.3': { budget: 67_584 } };

const defaults = V8_DEFAULTS[process.versions.v8.split('.').slice(0, 2).join('.')];

const setBudget = (bytes: number): void => setFlagsFromString(`--interrupt-budget=${bytes}`);

/** At the command's start: raises the budget for the whole run where V8's own values are not known. */
export function tieringAtStart(): void {
  if (defaults === undefined) setBudget(RAISED_BUDGET);
}

/** The functions a small batch lets V8 optimise (a prefix of their names, as --turbo-filter takes it). */
const SHORT_BATCH_OPTIMISED = 'scan*';

/** Every thread has loaded its code: documents from now on. */
export function documentsBegin(batch: BatchSize): void {
  if (defaults === undefined) return;
  if (batch.bytes < SHORT_BATCH_BYTES) setFlagsFromString(`--turbo-filter=${SHORT_BATCH_OPTIMISED}`);
  else setBudget(RAISED_BUDGET);
}

/** The documents are done: V8's own flags again, under which the code caches are read and written. */
export function documentsEnd(): void {
  if (defaults === undefined) return;
  setBudget(defaults.budget);
  setFlagsFromString('--turbo-filter=*');
}
