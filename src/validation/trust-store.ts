/**
 * A trust store: certificates from folders (PEM or DER files, subfolders included). Anchors are matched by
 * subject and public key, not by certificate bytes, because issuers re-issue roots with the same key.
 * Anchors found under a folder named `public` belong to licensed public CAs (Decree 23/2025, NEAC); all
 * others are official-duty anchors (Decree 68/2024, VGCA). An agency's policy decides whether public-CA
 * signatures count for official documents.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { CertificateInfo, parseCertificate, readCertificates } from '../cms';

export type AnchorCategory = 'official' | 'public';

export class TrustStore {
  private readonly anchors: Array<{ cert: CertificateInfo; category: AnchorCategory }> = [];

  static fromDirectories(dirs: string[]): TrustStore {
    const store = new TrustStore();
    const visit = (dir: string, category: AnchorCategory, depth: number): void => {
      for (const entry of safeList(dir)) {
        const file = path.join(dir, entry);
        const stat = statSync(file);
        if (stat.isDirectory() && depth < 4) {
          visit(file, entry.toLowerCase() === 'public' ? 'public' : category, depth + 1);
          continue;
        }
        if (!/\.(pem|crt|cer|der)$/i.test(entry) || !stat.isFile()) continue;
        for (const der of readCertificates(readFileSync(file))) {
          try {
            store.add(der, category);
          } catch {
            // an unreadable file in a trust folder is skipped, not fatal
          }
        }
      }
    };
    for (const dir of dirs) visit(dir, 'official', 0);
    return store;
  }

  add(der: Buffer, category: AnchorCategory = 'official'): void {
    const info = parseCertificate(der);
    if (!this.anchors.some((a) => a.cert.sha256 === info.sha256)) this.anchors.push({ cert: info, category });
  }

  /** The anchors as DER with their category (to rebuild the store in another thread). */
  entries(): Array<{ der: Buffer; category: AnchorCategory }> {
    return this.anchors.map((a) => ({ der: a.cert.der, category: a.category }));
  }

  static fromEntries(entries: Array<{ der: Uint8Array; category: AnchorCategory }>): TrustStore {
    const store = new TrustStore();
    for (const e of entries) store.add(Buffer.from(e.der), e.category);
    return store;
  }

  get certificates(): CertificateInfo[] {
    return this.anchors.map((a) => a.cert);
  }

  /** A store with only the official-duty anchors (for agencies that do not accept public-CA signatures). */
  officialOnly(): TrustStore {
    const store = new TrustStore();
    for (const a of this.anchors) if (a.category === 'official') store.anchors.push(a);
    return store;
  }

  /** The anchor with this subject and public key, if trusted. */
  match(cert: CertificateInfo): CertificateInfo | undefined {
    return this.anchors.find((a) => a.cert.subjectDer.equals(cert.subjectDer) && a.cert.spkiSha256 === cert.spkiSha256)?.cert;
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
