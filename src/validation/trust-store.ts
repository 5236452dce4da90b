/**
 * A trust store: certificates from folders (PEM or DER files). Anchors are matched by subject and public
 * key, not by certificate bytes, because issuers re-issue roots with the same key.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { CertificateInfo, parseCertificate, readCertificates } from '../cms';

export class TrustStore {
  private readonly anchors: CertificateInfo[] = [];

  static fromDirectories(dirs: string[]): TrustStore {
    const store = new TrustStore();
    for (const dir of dirs) {
      for (const entry of safeList(dir)) {
        const file = path.join(dir, entry);
        if (!/\.(pem|crt|cer|der)$/i.test(entry) || !statSync(file).isFile()) continue;
        for (const der of readCertificates(readFileSync(file))) {
          try {
            store.add(der);
          } catch {
            // an unreadable file in a trust folder is skipped, not fatal
          }
        }
      }
    }
    return store;
  }

  add(der: Buffer): void {
    const info = parseCertificate(der);
    if (!this.anchors.some((a) => a.sha256 === info.sha256)) this.anchors.push(info);
  }

  get certificates(): CertificateInfo[] {
    return this.anchors;
  }

  /** The anchor with this subject and public key, if trusted. */
  match(cert: CertificateInfo): CertificateInfo | undefined {
    return this.anchors.find((a) => a.subjectDer.equals(cert.subjectDer) && a.spkiSha256 === cert.spkiSha256);
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
