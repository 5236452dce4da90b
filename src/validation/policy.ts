/**
 * The validation policy as data (EU DSS's constraint file, pyHanko's algorithm and diff policies): which
 * digests and key sizes pass and from when, how strict revocation is, and which class of change each
 * permission level allows. The verdict function reads it and nothing else decides.
 */
import type { ModificationLevel } from './report';

export interface CryptoPolicy {
  /** Digests that fail whatever the date. */
  brokenDigests: string[];
  /** Digests accepted only for documents signed before `strictFrom` (with a warning). */
  legacyDigests: string[];
  /** Key sizes below `broken` always fail; below `minimum` they are legacy like the digests above. */
  keySizes: Record<'rsa' | 'ec', { broken: number; minimum: number }>;
  /** The cut-over: signed on or after it (or with no proven time before it), legacy algorithms fail. */
  strictFrom: Date;
  /** How the minimum reads in messages. */
  minimumText: string;
}

export interface RevocationPolicy {
  /**
   * Both modes: the signer certificate's status must be known, else INDETERMINATE/TRY_LATER. soft: a CA
   * certificate whose status cannot be learnt, or an answer that does not speak for the signing time, gives
   * a warning. hard: every certificate below the anchor needs a fresh answer.
   */
  mode: 'soft' | 'hard';
  /** How long before the signing time an answer without nextUpdate may have been issued and still count. */
  maxAgeBeforeSigningMs: number;
}

/**
 * Permission levels (DocMDP /P, and PDF 2.0 /P of a field lock or FieldMDP, ISO 32000-2 Table 257): the
 * highest class of change each allows after the signature that set it. Document timestamps and DSS
 * updates (LTA_UPDATES) are allowed at every level (ETSI EN 319 142-1 §5.4).
 */
export interface ModificationPolicy {
  allowedByPermission: Record<1 | 2 | 3, ModificationLevel>;
  /** Without any permission set: what an approval signature tolerates after it. */
  unrestricted: ModificationLevel;
}

export interface ValidationPolicy {
  crypto: CryptoPolicy;
  revocation: RevocationPolicy;
  modifications: ModificationPolicy;
}

/** Default cut-over of the key-size and digest minimums; deployments set their own (KYSO_STRICT_CRYPTO_FROM). */
export const DEFAULT_STRICT_CRYPTO_FROM = new Date('2025-07-01T00:00:00+07:00');

/**
 * Circular 15/2025/TT-BKHCN: RSA ≥ 2048, ECDSA ≥ 256, SHA-256 or better; MD5, RSA < 1024 and EC < 160
 * always fail.
 */
export function createValidationPolicy(options: { revocationMode?: 'soft' | 'hard'; strictCryptoFrom?: Date } = {}): ValidationPolicy {
  return {
    crypto: {
      brokenDigests: ['md5'],
      legacyDigests: ['sha1'],
      keySizes: { rsa: { broken: 1024, minimum: 2048 }, ec: { broken: 160, minimum: 256 } },
      strictFrom: options.strictCryptoFrom ?? DEFAULT_STRICT_CRYPTO_FROM,
      minimumText: 'RSA 2048 bit, EC 256 bit, SHA-256',
    },
    revocation: { mode: options.revocationMode ?? 'soft', maxAgeBeforeSigningMs: 24 * 3600 * 1000 },
    modifications: {
      allowedByPermission: { 1: 'LTA_UPDATES', 2: 'FORM_FILLING', 3: 'ANNOTATIONS' },
      unrestricted: 'ANNOTATIONS',
    },
  };
}
