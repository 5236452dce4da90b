/** The stored receipt report and the evidence package of an exchange, for auditors. */
import { Caller, codesOf } from './agency.service';
import type { ExchangeContext } from './exchange-context';

export function createExchangeEvidence(ctx: ExchangeContext) {
  const { audit } = ctx;
  const { access, view } = ctx.reads;
  /** The full report stored at receipt, for archivists replaying a verdict. */
  async function report(caller: Caller, exchangeId: string): Promise<Record<string, unknown>> {
    const { exchange } = await access(caller, exchangeId);
    await audit.append({ type: 'exchange.read', organId: caller.organId, keyId: caller.keyId, subject: exchangeId, details: { report: true } });
    const stored = ctx.evidence.readStoredReport(exchange.report);
    await ctx.evidence.restoreCertificates(stored);
    return stored as Record<string, unknown>;
  }

  /**
   * Everything an auditor needs to replay how an exchange went, in one JSON document: the header and each
   * recipient's history, the report made at acceptance with its certificates and revocation evidence, the
   * audit events about the exchange, and whether the whole audit chain is intact.
   */
  async function evidence(caller: Caller, exchangeId: string) {
    const { exchange, recipients, own, isSender } = await access(caller, exchangeId);
    const receiptReport = await report(caller, exchangeId);
    const events = await audit.list({ subject: exchangeId }, 10_000);
    const chain = await audit.verify();
    // A recipient sees what GET /exchanges/:id shows it: its own history, and of the audit events only its
    // own and the sender's, with the key ids of its own agency alone. The sender sees every recipient.
    const codes = codesOf(caller);
    const visible = isSender ? events : events.filter((e) => e.organId && (codes.includes(e.organId) || (!exchange.inboundTo && e.organId === exchange.fromOrganId)));
    return {
      generatedAt: new Date().toISOString(),
      exchange: view(exchange, isSender ? recipients : own ? [own] : []),
      document: { fileName: exchange.fileName, size: exchange.size, sha256: exchange.sha256 },
      receiptReport,
      auditEvents: visible.map(({ seq, at, type, organId, keyId, details, hash, prevHash }) => ({
        seq, at, type, organId, keyId: organId && codes.includes(organId) ? keyId : null, details, hash, prevHash,
      })),
      auditChain: chain,
    };
  }

  return { report, evidence };
}
