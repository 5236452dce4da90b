/**
 * V8's tiering for a `kyso verify` run. A run is short: while documents are validated, V8 optimises a
 * function only after eight times its usual amount of interpreted work (--interrupt-budget), so the run
 * spends its time on the documents rather than on compiling code it then hardly uses (89 documents on two
 * cores: 0.42 → 0.31 s).
 *
 * A thread that starts under other V8 flags than a code cache was made with refuses it: Node.js's own cache
 * of its modules, and the bundle's (load-bundle.ts). So the budget is raised only once every thread has
 * loaded its code, and set back to V8's own value when the documents are done. (A worker thread started
 * after it was raised took 55–75 ms to be ready instead of 25 ms: it compiled Node.js's modules from their
 * sources.) That needs V8's own budget, known here for Node.js 20's V8; under another V8 the budget is
 * raised at the start and kept, as a whole run.
 */
import { setFlagsFromString } from 'node:v8';

const RAISED_BUDGET = 524_288;
/** V8's own --interrupt-budget, by V8 major.minor version. */
const USUAL_BUDGET: Record<string, number> = { '11.3': 67_584 };

const usual = USUAL_BUDGET[process.versions.v8.split('.').slice(0, 2).join('.')];

const setBudget = (bytes: number): void => setFlagsFromString(`--interrupt-budget=${bytes}`);

/** At the command's start: raises the budget for the whole run where V8's usual one is not known. */
export function tieringAtStart(): void {
  if (usual === undefined) setBudget(RAISED_BUDGET);
}

/** Every thread has loaded its code: documents from now on. */
export function documentsBegin(): void {
  if (usual !== undefined) setBudget(RAISED_BUDGET);
}

/** The documents are done: V8's own flags again, under which the code caches are read and written. */
export function documentsEnd(): void {
  if (usual !== undefined) setBudget(usual);
}
