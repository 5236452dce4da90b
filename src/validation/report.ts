/**
 * The validation report (ETSI EN 319 102-1 §5.1.3 indications, EN 319 142-1 levels). Data only: the
 * validator returns this and never throws for an invalid signature.
 */
export type Indication = 'TOTAL_PASSED' | 'TOTAL_FAILED' | 'INDETERMINATE';
export type SubIndication =
  | 'FORMAT_FAILURE'
  | 'HASH_FAILURE'
  | 'SIG_CRYPTO_FAILURE'
  | 'REVOKED'
  | 'REVOKED_NO_POE'
  | 'REVOKED_CA_NO_POE'
  | 'NO_CERTIFICATE_CHAIN_FOUND'
  | 'NO_SIGNING_CERTIFICATE_FOUND'
  | 'OUT_OF_BOUNDS_NO_POE'
  | 'OUT_OF_BOUNDS_NOT_REVOKED'
  | 'REVOCATION_OUT_OF_BOUNDS_NO_POE'
  | 'TRY_LATER'
  | 'CRYPTO_CONSTRAINTS_FAILURE'
  | 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE'
  | 'CHAIN_CONSTRAINTS_FAILURE'
  | 'SIGNED_DATA_NOT_FOUND';
export type Coverage = 'ENTIRE_FILE' | 'ENTIRE_REVISION' | 'PARTIAL' | 'UNCLEAR';
export type ModificationLevel = 'NONE' | 'LTA_UPDATES' | 'FORM_FILLING' | 'ANNOTATIONS' | 'OTHER';
export type PadesLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA' | 'NONE';

export interface Message {
  code: string;
  vi: string;
  en: string;
}

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  sha256: string;
  /** The certificate itself (base64 DER), when asked for (reports kept as evidence). */
  der?: string;
}

export interface RevocationSummary {
  status: 'good' | 'revoked' | 'unknown' | 'not-checked';
  source: string | null;
  revokedAt?: string;
  /** The answer does not speak for the signing time (accepted with a warning in soft mode only). */
  stale?: boolean;
  evidence?: { kind: 'ocsp' | 'crl'; base64: string };
  /** Fresh data was required and only older answers came: the newest of them (ISO times). */
  olderThanRequired?: { source: string; thisUpdate?: string; nextUpdate?: string };
}

export interface SignatureReport {
  field: string;
  /** usage-rights: reached from the catalog's /Perms /UR3, made by the authoring application (ISO 32000-1 §12.8.2.3). */
  type: 'signature' | 'document-timestamp' | 'usage-rights';
  subFilter: string | null;
  signer: { subject: string; issuer: string; serial: string } | null;
  claimedSigningTime: string | null;
  /** trusted: the TSA chains to a trust anchor, so genTime is proof of existence. */
  timestamp: {
    genTime: string; tsa: string; intact: boolean; trusted: boolean; revocation?: 'good' | 'revoked' | 'unknown';
    /** The token itself (base64 DER), when certificates are asked for (evidence, ETSI reports). */
    token?: string;
  } | null;
  /** Which time the certificate checks used, and where it came from. */
  validationTime: { time: string; source: 'timestamp' | 'claimed' | 'now' | 'given' };
  digestAlgorithm: string | null;
  signatureAlgorithm: string | null;
  /** The SignerInfo's signature value (base64): the signature's identifier in ETSI reports. */
  signatureValue?: string;
  intact: boolean;
  coverage: Coverage;
  byteRange: number[] | null;
  revision: number | null;
  modificationsAfter: ModificationLevel;
  modificationsAllowed: boolean;
  level: PadesLevel;
  indication: Indication;
  subIndication: SubIndication | null;
  certificatePath: CertificateSummary[];
  trustAnchor: string | null;
  /** Where the signature shows on the page (its widget's /Rect, PDF user space), when it is visible. */
  appearance?: { page: number | null; rect: number[] } | null;
  /** evidence: the OCSP response or CRL used, base64 DER, so an auditor can replay the verdict. */
  revocation: RevocationSummary & {
    /** The CA certificates between the signer and the anchor, top-down. */
    authorities?: Array<RevocationSummary & { subject: string }>;
  };
  messages: Message[];
}

export interface DocumentReport {
  file?: string;
  /** SHA-256 of the whole file, when asked for (it costs a second pass over large files). */
  sha256: string | null;
  size: number;
  revisions: number;
  signatures: SignatureReport[];
  bytesAfterLastRevision: number;
  indication: Indication | 'NO_SIGNATURE';
  subIndication: SubIndication | null;
  messages: Message[];
  /** When set, the input could not be read as a PDF at all. */
  error?: Message;
  validatedAt: string;
  /** Number of pages, when asked for (exchanges record it as edXML PageAmount). */
  pageCount?: number;
}

export const LEVEL_ORDER: ModificationLevel[] = ['NONE', 'LTA_UPDATES', 'FORM_FILLING', 'ANNOTATIONS', 'OTHER'];

export function maxLevel(a: ModificationLevel, b: ModificationLevel): ModificationLevel {
  return LEVEL_ORDER.indexOf(a) >= LEVEL_ORDER.indexOf(b) ? a : b;
}

export function message(code: string, vi: string, en: string): Message {
  return { code, vi, en };
}

/** The report of a file that could not be read at all. */
export function unreadableReport(file: string, reason: unknown): DocumentReport {
  return {
    file, sha256: null, size: 0, revisions: 0, signatures: [], bytesAfterLastRevision: 0, indication: 'NO_SIGNATURE', subIndication: null,
    messages: [], validatedAt: new Date().toISOString(),
    error: { code: 'INPUT_UNREADABLE', vi: `Không đọc được tệp ${file}`, en: `cannot read ${file} (${typeof reason === 'string' ? reason : 'error'})` },
  };
}
