/**
 * The facts of a document and its signatures, collected without judging (EU DSS's diagnostic data): what
 * the bytes, the CMS, the timestamps, the certificate paths, the revocation answers and the later
 * revisions say. The verdict function turns them into indications under a policy.
 */
import type { CertificateInfo } from '../cms';
import type { FoundSignature } from '../pdf';
import type { ByteRangeFindings } from './check-byte-range';
import type { ChainResult } from './build-chain';
import type { PathRevocation } from './check-revocation';
import type { Message, ModificationLevel, SignatureReport } from './report';
import type { CmsFindings } from './verify-cms';

export interface TimestampEvidence {
  /** The token (DER ContentInfo). */
  token: Buffer;
  genTime: Date;
  tsa: string;
  /** The token's own CMS signature verifies. */
  tokenIntact: boolean;
  /** Its messageImprint is the hash of what it must time-stamp (the signature value, or the byte ranges). */
  imprintMatches: boolean;
  tsaCertificate?: CertificateInfo;
  /** The certificates the token carries. */
  certificates: CertificateInfo[];
  /** The TSA certificate carries id-kp-timeStamping (RFC 3161 §2.3). */
  forTimestamping: boolean;
  /** The TSA's path at genTime, when the token is sound. */
  chain?: ChainResult;
  revocation?: PathRevocation;
}

/** Which fields a FieldMDP transform or a field's /Lock locks (ISO 32000-1 §12.8.2.4, Table 233). */
export interface FieldLock {
  action: 'All' | 'Include' | 'Exclude';
  fields: string[];
}

export interface PermissionEvidence {
  /** The DocMDP /P when this is the certification signature (ISO 32000-1 §12.8.2.2). */
  docMdp?: number;
  /** PDF 2.0 /P of the field's /Lock or of the FieldMDP transform (ISO 32000-2 §12.7.5.5, Table 236). */
  lock?: number;
  fieldLock?: FieldLock;
  /** A usage-rights signature's grants (its UR3 TransformParams). */
  usageRights?: { form: boolean; annotations: boolean; signatures: boolean };
}

export interface ModificationEvidence {
  level: ModificationLevel;
  details: string[];
  changedFields: string[];
  removedFields: string[];
}

export interface SignatureEvidence {
  found: FoundSignature;
  claimedSigningTime: Date | null;
  range: ByteRangeFindings;
  /** Undefined when the CMS was not reached (no /Contents, or a byte range that cannot be trusted). */
  cms?: CmsFindings;
  /** A detached signature carries encapsulated content (EN 319 142-1 §6.3 b). */
  encapsulatedInDetached: boolean;
  /** The signature time-stamp (an unsigned attribute), or for a document timestamp its own token. */
  timestamp?: TimestampEvidence;
  /** A signature-time-stamp attribute is present but is no readable token. */
  timestampUnreadable: boolean;
  /** Undefined when the signed revision cannot be read. */
  modifications?: ModificationEvidence;
  signedRevision: number | null;
  permissions: PermissionEvidence;
  validationTime: SignatureReport['validationTime'];
  chain?: ChainResult;
  revocation?: PathRevocation;
  /** Facts noticed on the way (TSA problems, CMS remarks), reported as they are. */
  notes: Message[];
}

export interface DocumentEvidence {
  signatures: SignatureEvidence[];
  /** Signature dictionaries no field or /Perms refers to (hidden signatures). */
  hidden: SignatureEvidence[];
  /** Bytes after the last revision that are not end-of-line bytes. */
  unsignedTrailingBytes: number;
  dssHasData: boolean;
}
