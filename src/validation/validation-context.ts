/**
 * What a validation runs with (pyHanko's ValidationContext): the trust store and extra certificates, the
 * moment, where revocation data may be fetched from, and the policy that judges the facts.
 */
import { CertificateInfo } from '../cms';
import type { RevocationFetcher } from '../network';
import { createValidationPolicy, DEFAULT_STRICT_CRYPTO_FROM, ValidationPolicy } from './policy';
import { TrustStore } from './trust-store';

export { DEFAULT_STRICT_CRYPTO_FROM };

export interface ValidationContext {
  trust: TrustStore;
  /** Intermediate CA certificates for path building (never anchors): real PDFs often embed only the leaf. */
  intermediates: CertificateInfo[];
  /** Validate as of this moment instead of now (archival re-validation). */
  at?: Date;
  /** Where OCSP answers and CRLs are fetched from; none means offline (only what the document embeds). */
  fetcher?: RevocationFetcher;
  /**
   * Only revocation answers issued strictly after this moment count (thisUpdate > it): what extension
   * to B-LT/B-LTA asks for, so the stored data is later than every timestamp it must speak after.
   */
  revocationFreshAfter?: Date;
  /** The HTTP fetcher's timeout, so worker threads can rebuild the same fetcher. */
  fetchTimeoutMs?: number;
  policy: ValidationPolicy;
}

export interface ValidationContextOptions {
  trust?: TrustStore;
  trustDirs?: string[];
  intermediates?: CertificateInfo[];
  intermediateDirs?: string[];
  at?: Date;
  /** No network: only revocation data embedded in the document is used. */
  offline?: boolean;
  /** A fetcher of its own (an in-memory one in tests); the HTTP fetcher when unset and not offline. */
  fetcher?: RevocationFetcher;
  fetchTimeoutMs?: number;
  revocationMode?: 'soft' | 'hard';
  /** From this signing time on, legacy key sizes and SHA-1 fail (see CryptoPolicy). */
  strictCryptoFrom?: Date;
  policy?: ValidationPolicy;
}

export function createValidationContext(options: ValidationContextOptions = {}): ValidationContext {
  const fetchTimeoutMs = options.fetchTimeoutMs ?? 5000;
  return {
    trust: options.trust ?? TrustStore.fromDirectories(options.trustDirs ?? []),
    intermediates: options.intermediates ?? TrustStore.fromDirectories(options.intermediateDirs ?? []).certificates,
    at: options.at,
    fetcher: options.offline ? undefined : options.fetcher ?? httpFetcherOnFirstUse(fetchTimeoutMs),
    fetchTimeoutMs,
    policy: options.policy ?? createValidationPolicy({ revocationMode: options.revocationMode, strictCryptoFrom: options.strictCryptoFrom }),
  };
}

/**
 * The HTTP fetcher, its modules loaded when it is first asked for something: most validations find what
 * they need in the document, and a command line that never fetches does not pay for loading HTTP.
 */
function httpFetcherOnFirstUse(timeoutMs: number): RevocationFetcher {
  let loaded: Promise<RevocationFetcher> | undefined;
  const fetcher = () => (loaded ??= import('../network/http-sources').then((m) => m.createHttpFetcher(timeoutMs)));
  return {
    fetchOcsp: async (url, request) => (await fetcher()).fetchOcsp(url, request),
    fetchCrl: async (url) => (await fetcher()).fetchCrl(url),
    fetchCertificate: async (url) => (await fetcher()).fetchCertificate(url),
  };
}
