/**
 * The network sources signing and validation depend on, as small interfaces (pyHanko's fetchers and
 * TimeStamper, EU DSS's DataLoader and OnlineTSPSource): OCSP responders, CRL distribution points, AIA
 * certificate URLs and RFC 3161 time-stamping authorities. Signing and validation receive a source, never a
 * URL string; the HTTP implementations live beside in-memory ones for offline tests.
 */
import type { SigningDigestAlgorithm } from '../cms';

/** Where revocation data and issuer certificates come from (RFC 6960 OCSP, RFC 5280 CRL DP and AIA). */
export interface RevocationFetcher {
  /** The DER OCSPResponse for a DER OCSPRequest posted to `url`, or undefined when none came. */
  fetchOcsp(url: string, request: Buffer): Promise<Buffer | undefined>;
  /** The DER CRL at `url`, or undefined. */
  fetchCrl(url: string): Promise<Buffer | undefined>;
  /** The certificate (DER, or a PKCS#7 bundle) at an AIA caIssuers `url`, or undefined. */
  fetchCertificate(url: string): Promise<Buffer | undefined>;
}

/** An RFC 3161 time-stamping authority. */
export interface TimestampAuthority {
  /** How the authority is named in messages and logs (its URL for an HTTP one). */
  readonly name: string;
  /**
   * A time-stamp token (DER ContentInfo) over `imprint`, a digest already computed with `digest`. Throws
   * AppError TSA_UNAVAILABLE when the authority does not answer or answers with a token for something else.
   */
  timestamp(imprint: Buffer, digest: SigningDigestAlgorithm): Promise<Buffer>;
}
