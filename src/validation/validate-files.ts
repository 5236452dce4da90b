/**
 * Many files on every core, as `kyso verify DIR/` runs them. This thread and (threads − 1) worker threads
 * take the next file from one counter they share, so no thread waits for a message to get work. The
 * workers are started first and this thread loads the validator while they start (the modules are loaded
 * here only now, so that a command line reaches this point quickly). Files are taken largest first, so no
 * thread is left with a large one at the end. A worker that dies (out of memory) costs the file it was on,
 * which is reported as unreadable; the others go on.
 */
import { statSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import type { ValidationRequest } from './document-validator';
import { DocumentReport, unreadableReport } from './report';
import type { ValidationContextOptions } from './validation-context';
import { earlyFailureOf, FileQueue, loadedOf, startBatchWorkers, workerErrorReason } from './validator-pool';

/** The context's options that are plain data, from which each thread builds the same context. */
export type FileContextOptions = Pick<ValidationContextOptions, 'trustDirs' | 'intermediateDirs' | 'at' | 'offline' | 'fetchTimeoutMs' | 'revocationMode' | 'strictCryptoFrom'>;

export interface ValidateFilesOptions {
  /** Threads in all, this one included (at least 1). */
  threads: number;
  /** Each report as soon as it is known, with the file's index in `files`. */
  onReport?: (index: number, report: DocumentReport) => void;
  /** Heap limit of each worker thread. */
  workerHeapMb?: number;
  /** false: every file is validated in worker threads, keeping this thread free (a service's event loop). */
  useThisThread?: boolean;
  /** The worker threads' script, when not the compiled validation-worker.js (the command line's bundle). */
  workerEntry?: string;
  /** Batch workers started earlier (startBatchWorkers); used first, and those not needed are ended. */
  startedWorkers?: Worker[];
  /** Called once every worker thread has loaded its code or stopped (at once when there is none). */
  onWorkersLoaded?: (batch: BatchSize) => void;
}

/** How much a batch holds: its files' bytes in all (a file that cannot be read counts as empty). */
export interface BatchSize {
  bytes: number;
}

/** The reports of `files`, in the order given. */
export async function validateFiles(files: string[], contextOptions: FileContextOptions, request: ValidationRequest, options: ValidateFilesOptions): Promise<DocumentReport[]> {
  const sizes = fileSizes(files);
  const order = largestFirst(sizes);
  const reports: Array<DocumentReport | undefined> = files.map(() => undefined);
  const deliver = (taken: number, report: DocumentReport): void => {
    const index = order[taken];
    if (reports[index]) return;
    reports[index] = report;
    options.onReport?.(index, report);
  };
  const useThisThread = options.useThisThread ?? true;
  const workers = Math.max(useThisThread ? 0 : 1, Math.min(options.threads, files.length) - (useThisThread ? 1 : 0));
  // [0] the next file to take (an index into `order`), [1 + slot] the file each worker is on (-1: none).
  const shared = new SharedArrayBuffer(4 * (1 + workers));
  const counter = new Int32Array(shared);
  for (let slot = 0; slot < workers; slot++) counter[1 + slot] = -1;
  const inOrder = order.map((i) => files[i]);
  const given = options.startedWorkers ?? [];
  for (const extra of given.slice(workers)) void extra.terminate();
  const started: Worker[] = [
    ...given.slice(0, workers),
    ...startBatchWorkers(Math.max(0, workers - given.length), options.workerEntry, options.workerHeapMb),
  ];
  const onWorkersLoaded = options.onWorkersLoaded;
  if (onWorkersLoaded) {
    const batch = batchSizeOf(sizes);
    void Promise.all(started.map(loadedOf)).then(() => onWorkersLoaded(batch));
  }
  const running = started.map((worker, slot) => new Promise<void>((resolve) => {
    const queue: FileQueue = { contextOptions, files: inOrder, request, shared, slot };
    let drained = false;
    worker.on('message', (message: { index?: number; report?: DocumentReport; error?: string; drained?: boolean }) => {
      if (message.drained) {
        drained = true;
        void worker.terminate().then(() => resolve());
      } else if (message.index !== undefined) {
        deliver(message.index, message.report ?? unreadableReport(inOrder[message.index], message.error ?? 'error'));
      }
    });
    const lost = (reason: string): void => {
      if (drained) return;
      drained = true;
      const current = Atomics.load(counter, 1 + slot);
      if (current >= 0) deliver(current, unreadableReport(inOrder[current], reason));
      resolve();
    };
    worker.on('error', (error: Error & { code?: string }) => lost(workerErrorReason(error)));
    worker.on('exit', (code) => lost(earlyFailureOf(worker) ?? `the validation worker stopped (exit code ${code})`));
    // A worker started earlier may have stopped already (its 'exit' then came before these listeners).
    if (worker.threadId === -1) lost(earlyFailureOf(worker) ?? 'the validation worker stopped before its batch');
    else worker.postMessage(queue);
  }));
  const finished = async (): Promise<DocumentReport[]> => {
    await Promise.all(running);
    return reports.map((report, i) => report ?? unreadableReport(files[i], 'not validated'));
  };
  if (!useThisThread) return finished();
  const thisThread = await loadValidator(contextOptions).catch(async (error: unknown) => {
    await Promise.all(started.map((worker) => worker.terminate()));
    throw error;
  });
  for (let taken = Atomics.add(counter, 0, 1); taken < files.length; taken = Atomics.add(counter, 0, 1)) {
    deliver(taken, await thisThread.validateInput({ path: inOrder[taken] }, thisThread.context, { ...request, fileName: inOrder[taken] }));
    // The workers' reports are taken in between files.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return finished();
}

/** The validator's modules, loaded on first use, and the context built from the options. */
async function loadValidator(contextOptions: FileContextOptions) {
  const { validateInput } = await import('./document-validator');
  const { createValidationContext } = await import('./validation-context');
  return { validateInput, context: createValidationContext(contextOptions) };
}

/** The size of each file; a file that cannot be read counts as empty (it is reported in its turn). */
export function fileSizes(files: string[]): number[] {
  return files.map((file) => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  });
}

/** The size of a batch whose files have these sizes. */
export function batchSizeOf(sizes: number[]): BatchSize {
  return { bytes: sizes.reduce((sum, size) => sum + size, 0) };
}

/** Indices by size, largest first. */
function largestFirst(sizes: number[]): number[] {
  return sizes.map((_, i) => i).sort((a, b) => sizes[b] - sizes[a] || a - b);
}
