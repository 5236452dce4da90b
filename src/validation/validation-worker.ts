/**
 * The worker thread side of the validator pool: it rebuilds the validation context it was given once and
 * validates each document it is sent, answering with the report (or the error message of a bug).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseCertificate } from '../cms';
import { contextFor, PdfInput, validateInput, ValidationRequest } from './document-validator';
import { TrustStore } from './trust-store';
import { createValidationContext, ValidationContext } from './validation-context';
import type { SerializedContext } from './validator-pool';

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

if (parentPort) {
  const port = parentPort;
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
