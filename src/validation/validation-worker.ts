/**
 * The worker thread side of the validator pool: it rebuilds the validation context it was given once and
 * validates each document it is sent, answering with the report (or the error message of a bug).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseCertificate } from '../cms';
import { contextFor, PdfInput, validateInput, ValidationRequest } from './document-validator';
import { TrustStore } from './trust-store';
import { createValidationContext, ValidationContext } from './validation-context';
import type { FileQueue, SerializedContext } from './validator-pool';

function rebuild(data: SerializedContext): ValidationContext {
  return createValidationContext({
    trust: TrustStore.fromEntries(data.anchors),
    intermediates: data.intermediates.map((der) => parseCertificate(Buffer.from(der))),
    at: data.at ? new Date(data.at) : undefined,
    offline: data.offline,
    fetchTimeoutMs: data.fetchTimeoutMs,
    policy: data.policy,
  });
}

/** Validates files from a shared queue until it is empty, posting each report with its index. */
async function drain(port: NonNullable<typeof parentPort>, queue: FileQueue, context: ValidationContext): Promise<void> {
  const shared = new Int32Array(queue.shared);
  for (let i = Atomics.add(shared, 0, 1); i < queue.files.length; i = Atomics.add(shared, 0, 1)) {
    Atomics.store(shared, 1 + queue.slot, i);
    const file = queue.files[i];
    try {
      port.postMessage({ index: i, report: await validateInput({ path: file }, context, { ...queue.request, fileName: file }) });
    } catch (error) {
      port.postMessage({ index: i, error: error instanceof Error ? error.message : String(error) });
    }
    Atomics.store(shared, 1 + queue.slot, -1);
  }
  port.postMessage({ drained: true });
}

/** Serves this worker thread: a batch of files from a shared queue, or the service's documents one by one. */
export function serveValidationWorker(): void {
  if (!parentPort) throw new Error('serveValidationWorker runs in a worker thread');
  const port = parentPort;
  if ((workerData as { batch?: boolean }).batch) {
    // Started before its batch was known: the queue is the first message. Its code is loaded now.
    port.once('message', (queue: FileQueue) => void drain(port, queue, createValidationContext(queue.contextOptions)));
    port.postMessage({ ready: true });
    return;
  }
  const context = rebuild(workerData as SerializedContext);
  let official: TrustStore | undefined;
  const officialOnly = () => (official ??= context.trust.officialOnly());
  port.on('message', (job: { id: number; pdf: Uint8Array | { path: string }; request: ValidationRequest }) => {
    const pdf: PdfInput = job.pdf instanceof Uint8Array ? Buffer.from(job.pdf.buffer, job.pdf.byteOffset, job.pdf.byteLength) : job.pdf;
    validateInput(pdf, contextFor(context, job.request, officialOnly), job.request).then(
      (report) => port.postMessage({ id: job.id, report }),
      (error: unknown) => port.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

// The worker's entry when started from this file (a bundle or the source loader call it themselves).
if (parentPort && require.main === module) serveValidationWorker();
