/**
 * A pool of worker threads that validate documents, so the event loop that serves requests never parses,
 * inflates or verifies a document itself: a compression bomb or a 100 MB upload costs one worker, not the
 * service. Jobs wait in a bounded queue (503 SERVICE_BUSY beyond it) and are taken fairly: while other
 * callers wait, one caller (lane) holds at most half the workers, so an agency sending bombs slows only
 * itself. A worker that dies (out of memory) or takes longer than the time limit is replaced, and its job
 * fails with a clear error.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { AppError } from '../errors';
import type { DocumentValidator, PdfInput, ValidationRequest } from './document-validator';
import type { ValidationPolicy } from './policy';
import type { DocumentReport } from './report';
import type { AnchorCategory } from './trust-store';
import type { ValidationContext } from './validation-context';
import type { FileContextOptions } from './validate-files';

export interface SerializedContext {
  anchors: Array<{ der: Uint8Array; category: AnchorCategory }>;
  intermediates: Uint8Array[];
  at?: string;
  /** Workers fetch over HTTP unless offline (a fetcher object cannot cross threads). */
  offline: boolean;
  fetchTimeoutMs?: number;
  /** Plain data (structured clone keeps its dates). */
  policy: ValidationPolicy;
}

/**
 * A worker's share of a batch of files (validate-files.ts), its first message: it takes the next file from
 * a counter shared by every thread, writes in its slot which one it is on (-1 between files), and posts
 * each report.
 */
export interface FileQueue {
  /** Plain-data options each thread builds the same context from. */
  contextOptions: FileContextOptions;
  files: string[];
  request: ValidationRequest;
  /** Int32Array: [0] the next file to take, [1 + slot] the file each thread is on. */
  shared: SharedArrayBuffer;
  slot: number;
}

export interface ValidatorPoolOptions {
  /** Worker threads (default: 2). */
  size?: number;
  /** Jobs waiting beyond the busy workers before new ones are refused. */
  maxQueue?: number;
  /** A job that runs longer than this has its worker replaced. */
  jobTimeoutMs?: number;
  /** Heap limit of each worker; a document that needs more fails alone. */
  workerHeapMb?: number;
  /** Cap of each document's decoded-bytes budget, unless a request gives its own. */
  decodeBudgetCap?: number;
  logger?: Logger;
}

/** The context as plain data a worker thread rebuilds it from. */
export function serializeContext(context: ValidationContext): SerializedContext {
  return {
    anchors: context.trust.entries(),
    intermediates: context.intermediates.map((c) => c.der),
    at: context.at?.toISOString(),
    offline: !context.fetcher,
    fetchTimeoutMs: context.fetchTimeoutMs,
    policy: context.policy,
  };
}

/** Heap limit of a validation worker unless the caller gives one; a document that needs more fails alone. */
export const DEFAULT_WORKER_HEAP_MB = 1024;

/** The worker data of a batch worker: its FileQueue comes as its first message. */
export interface BatchWorkerData {
  batch: true;
}

/**
 * What is known of each batch worker before its batch: why it stopped, when it did, and when it has loaded
 * its code or stopped (loadedOf). Kept once per process, not per copy of this module: the command line
 * starts its workers from the modules and hands them to its bundle, which holds its own copy.
 */
const { earlyFailures, loaded } = ((globalThis as Record<symbol, unknown>)[Symbol.for('kyso.batchWorkers')] ??= {
  earlyFailures: new WeakMap<Worker, string>(),
  loaded: new WeakMap<Worker, Promise<void>>(),
}) as { earlyFailures: WeakMap<Worker, string>; loaded: WeakMap<Worker, Promise<void>> };

/**
 * Batch workers started before the batch is known (a command starts them while it reads its arguments and
 * lists its folders; a worker thread takes tens of milliseconds to start). An error before the batch is
 * kept for the report of the file that worker would have taken (earlyFailureOf).
 */
export function startBatchWorkers(count: number, entry?: string, heapMb = DEFAULT_WORKER_HEAP_MB): Worker[] {
  return Array.from({ length: count }, () => {
    const worker = spawnValidationWorker({ batch: true }, heapMb, entry);
    worker.once('error', (error: Error & { code?: string }) => earlyFailures.set(worker, workerErrorReason(error)));
    loaded.set(worker, new Promise((resolve) => {
      const ready = (message: { ready?: boolean }): void => {
        if (!message.ready) return;
        worker.off('message', ready);
        resolve();
      };
      worker.on('message', ready);
      worker.once('exit', () => resolve());
    }));
    return worker;
  });
}

/** A worker thread's error as the report of the file it was on says it. */
export function workerErrorReason(error: Error & { code?: string }): string {
  return error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'the document needs more memory than a validation worker has' : error.message;
}

/** Settles once a batch worker has loaded its code and waits for its batch, or has stopped. */
export function loadedOf(worker: Worker): Promise<void> {
  return loaded.get(worker) ?? Promise.resolve();
}

export function earlyFailureOf(worker: Worker): string | undefined {
  return earlyFailures.get(worker);
}

/**
 * The worker's entry: `entry` when given (the command line's bundle), the compiled file next to this one,
 * or, when Kyso runs from its TypeScript sources (the tests), a loader that compiles them on the fly with
 * the project's own TypeScript.
 */
export function spawnValidationWorker(data: SerializedContext | BatchWorkerData, heapMb: number, entry?: string): Worker {
  const compiled = entry ?? path.join(__dirname, 'validation-worker.js');
  const resourceLimits = { maxOldGenerationSizeMb: heapMb };
  if (fs.existsSync(compiled)) return new Worker(compiled, { workerData: data, resourceLimits });
  const source = path.join(__dirname, 'validation-worker.ts');
  const loader = `
    const ts = require('typescript');
    const fs = require('fs');
    require.extensions['.ts'] = (module, filename) => {
      const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
        fileName: filename,
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      });
      module._compile(out.outputText, filename);
    };
    require(${JSON.stringify(source)}).serveValidationWorker();
  `;
  return new Worker(loader, { eval: true, workerData: data, resourceLimits });
}

type Job = { id: number; pdf: PdfInput; request: ValidationRequest; resolve: (r: DocumentReport) => void; reject: (e: unknown) => void };
type Slot = { worker: Worker; job?: Job; timer?: NodeJS.Timeout };

export function createValidatorPool(context: ValidationContext, options: ValidatorPoolOptions = {}): DocumentValidator {
  const size = Math.max(1, options.size ?? 2);
  const maxQueue = options.maxQueue ?? 64;
  const jobTimeoutMs = options.jobTimeoutMs ?? 120_000;
  const heapMb = options.workerHeapMb ?? DEFAULT_WORKER_HEAP_MB;
  const data = serializeContext(context);
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;

  const finish = (slot: Slot): Job | undefined => {
    const job = slot.job;
    slot.job = undefined;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    return job;
  };

  const replace = (slot: Slot, reason: AppError): void => {
    const job = finish(slot);
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    const index = slots.indexOf(slot);
    if (index >= 0) slots.splice(index, 1);
    job?.reject(reason);
    options.logger?.warn({ reason: reason.message }, 'validation worker replaced');
    pump();
  };

  const start = (): Slot => {
    const slot: Slot = { worker: spawnValidationWorker(data, heapMb) };
    slot.worker.on('message', (message: { id: number; report?: DocumentReport; error?: string }) => {
      const job = finish(slot);
      slot.worker.unref();
      if (job && job.id === message.id) {
        if (message.report) job.resolve(message.report);
        else job.reject(new Error(`validation failed: ${message.error}`));
      }
      pump();
    });
    slot.worker.on('error', (error: Error & { code?: string }) => {
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      replace(slot, new AppError(outOfMemory ? 'PDF_DECODE_BUDGET_EXCEEDED' : 'PDF_MALFORMED', outOfMemory
        ? 'the document needs more memory to validate than a validation worker has'
        : `the document could not be validated (${error.message})`, { cause: error }));
    });
    slot.worker.on('exit', (code) => {
      if (!closed && slots.includes(slot)) replace(slot, new AppError('PDF_MALFORMED', `the validation worker stopped (exit code ${code})`));
    });
    slot.worker.unref();
    slots.push(slot);
    return slot;
  };

  const laneShare = Math.max(1, Math.floor(size / 2));
  /** The first waiting job whose caller is under its share while others wait; if every caller is at its share, the oldest (no worker idles). */
  const nextJob = (): Job | undefined => {
    const index = queue.findIndex((job) => {
      const others = queue.some((j) => j.request.lane !== job.request.lane);
      const running = slots.filter((s) => s.job && s.job.request.lane === job.request.lane).length;
      return !others || running < laneShare;
    });
    return queue.splice(Math.max(0, index), 1)[0];
  };

  function pump(): void {
    if (closed) return;
    while (queue.length) {
      let slot = slots.find((s) => !s.job);
      if (!slot && slots.length < size) slot = start();
      if (!slot) return;
      const job = nextJob();
      if (!job) return;
      slot.job = job;
      const busy = slot;
      busy.timer = setTimeout(() => replace(busy, new AppError('PDF_MALFORMED', `validating the document took longer than ${Math.round(jobTimeoutMs / 1000)} s`)), jobTimeoutMs);
      busy.timer.unref();
      // A worker with a job keeps the process alive (a command line waiting for its reports); idle, it does not.
      busy.worker.ref();
      // A copy (structured clone) so the caller keeps its buffer; the worker's view is its own. A path is
      // opened by the worker itself.
      busy.worker.postMessage({ id: job.id, pdf: job.pdf, request: job.request });
    }
  }

  return {
    validate(pdf, request = {}) {
      if (closed) return Promise.reject(new AppError('SERVICE_BUSY', 'the validator is shutting down'));
      if (queue.length >= maxQueue) return Promise.reject(new AppError('SERVICE_BUSY', 'too many documents are waiting for validation; try again shortly'));
      return new Promise<DocumentReport>((resolve, reject) => {
        const withCap = options.decodeBudgetCap !== undefined ? { decodeBudgetCap: options.decodeBudgetCap, ...request } : request;
        queue.push({ id: nextId++, pdf, request: withCap, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new AppError('SERVICE_BUSY', 'the validator is shutting down'));
      await Promise.all(slots.splice(0).map(async (slot) => {
        finish(slot)?.reject(new AppError('SERVICE_BUSY', 'the validator is shutting down'));
        slot.worker.removeAllListeners();
        await slot.worker.terminate();
      }));
    },
  };
}
