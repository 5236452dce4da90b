/**
 * Sending, receiving and following documents between agencies (edXML QCVN 102:2016 statuses; Decree
 * 30/2020 Art. 21 and Appendix VI). One module per use case (send-exchange.ts, receive-exchange.ts,
 * change-status.ts, recall-exchange.ts, archive-exchange.ts, reverify-exchange.ts, exchange-evidence.ts,
 * compute-statistics.ts, read-exchange.ts); this file wires them over one context.
 */
import type { Connection } from 'mongoose';
import type { AuditLog } from '../audit';
import type { TimestampAuthority } from '../network';
import type { DocumentValidator, ValidationContext } from '../validation';
import { createApplyRemoteRecall } from './apply-remote-recall';
import { createApplyRemoteStatus } from './apply-remote-status';
import { createArchiveExchange } from './archive-exchange';
import { createExportEdxml } from './export-edxml';
import { createReceiveEdxml } from './receive-edxml';
import { createRegisters } from './registers';
import { createRenewArchives } from './renew-archives';
import { createStampArrival } from './stamp-arrival';
import { createMakeCopy } from './make-copy';
import { createIssueDocument } from './issue-document';
import type { Signer } from '../signers';
import { createChangeCounters } from './change-counters';
import { createChangeStatus } from './change-status';
import { createComputeStatistics } from './compute-statistics';
import type { DocumentStore } from './document-store';
import { createEvidenceStore } from './evidence-store';
import type { ExchangeContext } from './exchange-context';
import { createExchangeEvidence } from './exchange-evidence';
import type { Models } from './models';
import type { PeerOutbox } from './peer-outbox';
import type { PeersService } from './peers.service';
import { createExchangeReads } from './read-exchange';
import { createReceiveExchange } from './receive-exchange';
import { createRecallExchange } from './recall-exchange';
import { createReverifyExchange } from './reverify-exchange';
import { createSendExchange } from './send-exchange';

export { STATUS } from './status-machine';
export { sendMetadataSchema, summariseReport } from './exchange-request';
export type { IncomingFile, SendMetadata } from './exchange-request';

export function createExchangeService(
  connection: Connection, documents: DocumentStore, models: Models, audit: AuditLog, validation: ValidationContext, validator: DocumentValidator,
  parts: { peers: PeersService; outbox: PeerOutbox; signerFor: (organId: string) => Signer | undefined; sealImageFor?: (organId: string) => Buffer | undefined; metrics?: { sent(): void; sendPhase(phase: string, seconds: number): void } }, tsa?: TimestampAuthority,
) {
  const base = {
    models, documents, audit, validator, validation, tsa, evidence: createEvidenceStore(models), changes: createChangeCounters(connection), registers: createRegisters(models), ...parts,
  };
  const reads = createExchangeReads(base as ExchangeContext);
  const ctx: ExchangeContext = { ...base, reads };
  const { report, evidence } = createExchangeEvidence(ctx);
  const { archive, archivesDue, openArchive, keepLongTermCopy } = createArchiveExchange(ctx);
  const receive = createReceiveExchange(ctx);
  const applyRemoteStatus = createApplyRemoteStatus(ctx);
  const { exportEdxml, exportStatus } = createExportEdxml(ctx);
  const { stampArrival, openArrival } = createStampArrival(ctx);
  const { makeCopy, listCopies, openCopy } = createMakeCopy(ctx);
  const { issueDocument, prepareIssuing } = createIssueDocument(ctx);
  return {
    send: createSendExchange(ctx),
    receive,
    receiveEdxml: createReceiveEdxml(ctx, receive, applyRemoteStatus, createApplyRemoteRecall(ctx)),
    exportEdxml,
    exportStatus,
    stampArrival,
    openArrival,
    issueDocument,
    prepareIssuing,
    makeCopy,
    listCopies,
    openCopy,
    registers: ctx.registers,
    get: reads.get,
    list: reads.list,
    openDocument: reads.openDocument,
    report,
    evidence,
    reverify: createReverifyExchange(ctx),
    archive,
    archivesDue,
    openArchive,
    renewDueArchives: createRenewArchives(ctx, keepLongTermCopy),
    changeStatus: createChangeStatus(ctx),
    recall: createRecallExchange(ctx),
    statistics: createComputeStatistics(ctx),
    changes: ctx.changes,
    context: ctx,
  };
}

export type ExchangeService = ReturnType<typeof createExchangeService>;
