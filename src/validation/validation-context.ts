/** All validation policy in one object (pyHanko's ValidationContext): trust, moment, revocation mode. */
import { CertificateInfo } from '../cms';
import { TrustStore } from './trust-store';

export interface ValidationContext {
  trust: TrustStore;
  /** Intermediate CA certificates for path building (never anchors): real PDFs often embed only the leaf. */
  intermediates: CertificateInfo[];
  /** Validate as of this moment instead of now (archival re-validation). */
  at?: Date;
  /** No network: only revocation data embedded in the document is used. */
  offline: boolean;
  /**
   * Both modes: the signer certificate's status must be known, else INDETERMINATE/TRY_LATER.
   * soft: a CA certificate whose status cannot be learnt, or an answer that does not speak for the signing
   * time, gives a warning. hard: every certificate below the anchor needs a fresh answer, else TRY_LATER.
   */
  revocationMode: 'soft' | 'hard';
  /**
   * From this signing time on, keys below RSA 2048 / EC 256 bits and SHA-1 fail
   * (CRYPTO_CONSTRAINTS_FAILURE_NO_POE); documents signed before it are legacy and get a warning.
   */
  strictCryptoFrom: Date;
  /** Timeout for each OCSP request and CRL download. */
  fetchTimeoutMs?: number;
}

/** Default cut-over of the key-size and digest minimums; deployments set their own (KYSO_STRICT_CRYPTO_FROM). */
export const DEFAULT_STRICT_CRYPTO_FROM = new Date('2025-07-01T00:00:00+07:00');

export function createValidationContext(options: Partial<ValidationContext> & { trustDirs?: string[]; intermediateDirs?: string[] } = {}): ValidationContext {
  return {
    trust: options.trust ?? TrustStore.fromDirectories(options.trustDirs ?? []),
    intermediates: options.intermediates ?? TrustStore.fromDirectories(options.intermediateDirs ?? []).certificates,
    at: options.at,
    offline: options.offline ?? false,
    revocationMode: options.revocationMode ?? 'soft',
    strictCryptoFrom: options.strictCryptoFrom ?? DEFAULT_STRICT_CRYPTO_FROM,
    fetchTimeoutMs: options.fetchTimeoutMs ?? 5000,
  };
}
