/** What every exchange use case works with: storage, audit, validation, and the shared reads. */
import type { AuditLog } from '../audit';
import type { TimestampAuthority } from '../network';
import type { DocumentValidator, ValidationContext } from '../validation';
import type { ChangeCounters } from './change-counters';
import type { DocumentStore } from './document-store';
import type { EvidenceStore } from './evidence-store';
import type { Models } from './models';
import type { PeerOutbox } from './peer-outbox';
import type { PeersService } from './peers.service';
import type { ExchangeReads } from './read-exchange';
import type { Registers } from './registers';
import type { Signer } from '../signers';

export interface ExchangeContext {
  models: Models;
  documents: DocumentStore;
  audit: AuditLog;
  /** Validation off the event loop (the worker pool in the service). */
  validator: DocumentValidator;
  /** The validation policy itself, for extension to B-LTA (which validates online first). */
  validation: ValidationContext;
  tsa?: TimestampAuthority;
  evidence: EvidenceStore;
  /** Moved on every write that changes an agency's boxes (see change-counters.ts). */
  changes: ChangeCounters;
  reads: ExchangeReads;
  /** Other Kyso instances and the packages waiting for them. */
  peers: PeersService;
  outbox: PeerOutbox;
  /** The agencies' registers (outgoing, incoming, copies). */
  registers: Registers;
  /** The key an agency signs with in this service (its own, or the service default), if any. */
  signerFor: (organId: string) => Signer | undefined;
  /** Counts what operators watch (sends), when the service exports metrics. */
  metrics?: { sent(): void; sendPhase(phase: string, seconds: number): void };
  /** The agency's seal image (PNG), if one is configured. */
  sealImageFor?: (organId: string) => Buffer | undefined;
}
