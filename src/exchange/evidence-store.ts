/**
 * The evidence store: the certificates that verdicts rested on, kept once each by content (SHA-256), so a
 * stored report refers to them instead of repeating them, and can be given them back when replayed.
 */
import type { DocumentReport } from '../validation';
import { isDuplicateKey, Models, StoredReport } from './models';

export function createEvidenceStore(models: Models) {
  // Certificates already stored as evidence (in this process): each is written once, on first sight.
  const storedCertificates = new Set<string>();

  /**
   * Moves the certificates of a report's paths into the evidence store (content-addressed, once each) and
   * returns the report without them, as the JSON text an exchange stores (see StoredReport); report() puts
   * them back, so a stored verdict can be replayed.
   */
  async function keepCertificates(report: DocumentReport): Promise<string> {
    const fresh = new Map<string, { sha256: string; der: Buffer; subject: string }>();
    for (const entry of report.signatures.flatMap((s) => s.certificatePath)) {
      if (entry.der && !storedCertificates.has(entry.sha256)) fresh.set(entry.sha256, { sha256: entry.sha256, der: Buffer.from(entry.der, 'base64'), subject: entry.subject });
    }
    // The text without the certificates' bytes (the caller keeps its report whole).
    const text = JSON.stringify(report, (key, value: unknown) => (key === 'der' ? undefined : value));
    if (fresh.size > 0) {
      // Unordered: a certificate another request stored meanwhile is a duplicate key, which is fine.
      await models.EvidenceCertificate.collection.insertMany([...fresh.values()].map((c) => ({ ...c, firstSeen: new Date() })), { ordered: false })
        .catch((error: { code?: number; writeErrors?: Array<{ code?: number }> }) => {
          const errors = error.writeErrors ?? [error];
          if (!errors.every((e) => isDuplicateKey(e))) throw error;
        });
      for (const sha of fresh.keys()) storedCertificates.add(sha);
    }
    return text;
  }

  /** A stored report as an object: JSON text, or (exchanges stored before text was used) the object itself. */
  function readStoredReport(stored: StoredReport | undefined): Partial<DocumentReport> {
    if (typeof stored === 'string') return JSON.parse(stored) as Partial<DocumentReport>;
    return (stored ?? {}) as Partial<DocumentReport>;
  }

  /** Puts the certificates of a stored report's paths back (as base64 DER). */
  async function restoreCertificates(stored: Partial<DocumentReport>): Promise<void> {
    const paths = (stored.signatures ?? []).flatMap((s) => s.certificatePath ?? []);
    const certificates = await models.EvidenceCertificate.find({ sha256: { $in: [...new Set(paths.map((c) => c.sha256))] } }).lean();
    const der = new Map(certificates.map((c) => [c.sha256, Buffer.from((c.der as unknown as { buffer?: Buffer }).buffer ?? c.der).toString('base64')]));
    for (const entry of paths) if (der.has(entry.sha256)) entry.der = der.get(entry.sha256);
  }

  return { keepCertificates, restoreCertificates, readStoredReport };
}

export type EvidenceStore = ReturnType<typeof createEvidenceStore>;
