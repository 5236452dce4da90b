/**
 * The verdict: a pure function from the collected facts and the policy to ETSI EN 319 102-1 indications
 * and EN 319 142-1 levels. No I/O, no clock: the same facts under the same policy give the same report.
 *
 * Order of the checks for one signature (the first that fails decides): the format (dictionary, byte
 * range, CMS structure); the integrity of the CMS (HASH_FAILURE, SIG_CRYPTO_FAILURE); changes after
 * signing beyond what the permissions in effect allow (TOTAL_FAILED/FORMAT_FAILURE, as EU DSS's format
 * checks for DocMDP, FieldMDP and field locks); a forged or broken signature time-stamp; cryptographic
 * constraints; the certificate path; revocation.
 */
import { OID } from '../cms';
import type { DocumentEvidence, SignatureEvidence, TimestampEvidence } from './evidence';
import { say } from './messages';
import type { ValidationPolicy } from './policy';
import {
  DocumentReport, Indication, LEVEL_ORDER, Message, ModificationLevel, PadesLevel, RevocationSummary, SignatureReport, SubIndication,
} from './report';
import { everyResult, PathRevocation, RevocationResult } from './check-revocation';

interface Outcome {
  indication: Indication;
  subIndication: SubIndication | null;
}
const passed: Outcome = { indication: 'TOTAL_PASSED', subIndication: null };
const failed = (subIndication: SubIndication): Outcome => ({ indication: 'TOTAL_FAILED', subIndication });
const indeterminate = (subIndication: SubIndication): Outcome => ({ indication: 'INDETERMINATE', subIndication });

/**
 * Whether a timestamp proves existence at its genTime: the token is intact, stamps what it must, its TSA
 * certificate is for time-stamping, chains to an anchor and was not revoked when the token was made.
 */
export function timestampProof(ts: TimestampEvidence, policy: ValidationPolicy): { usable: boolean; problem?: Message; warnings: Message[] } {
  if (!ts.tokenIntact || !ts.imprintMatches) return { usable: false, warnings: [] };
  if (!ts.tsaCertificate) return { usable: false, problem: say('TSA_UNKNOWN'), warnings: [] };
  if (!ts.forTimestamping) return { usable: false, problem: say('TSA_NOT_FOR_TIMESTAMPS'), warnings: [] };
  if (!ts.chain?.anchor || ts.chain.problems.length > 0 || !ts.revocation) return { usable: false, problem: say('TSA_UNTRUSTED'), warnings: [] };
  const results = everyResult(ts.revocation);
  if (results.some((r) => r.status === 'revoked' && (!r.revokedAt || r.revokedAt <= ts.genTime))) return { usable: false, problem: say('TSA_REVOKED'), warnings: [] };
  if (results.some((r) => r.status === 'unknown')) {
    const unknown = say('TSA_REVOCATION_UNKNOWN');
    return policy.revocation.mode === 'hard' ? { usable: false, problem: unknown, warnings: [] } : { usable: true, warnings: [unknown] };
  }
  return { usable: true, warnings: [] };
}

/**
 * Cryptographic constraints from the policy: broken digests and keys below the broken size always fail;
 * legacy digests and keys below the minimum pass with a warning for documents proven or claimed to be
 * signed before the cut-over, and are CRYPTO_CONSTRAINTS_FAILURE_NO_POE from it on.
 */
export function judgeCrypto(e: SignatureEvidence, policy: ValidationPolicy): { outcome?: Outcome; messages: Message[] } {
  const cms = e.cms;
  const signer = cms?.signer;
  if (!cms) return { messages: [] };
  const c = policy.crypto;
  if (signer && cms.signatureAlgorithm === OID.ed448 && cms.digestName !== 'shake256') {
    return { outcome: indeterminate('CRYPTO_CONSTRAINTS_FAILURE'), messages: [say('ED448_DIGEST')] };
  }
  const hashes = [cms.digestName, cms.signatureHash].filter((h): h is string => !!h);
  const keyBits = signer && (signer.keyType === 'rsa' || signer.keyType === 'ec') ? { type: signer.keyType, bits: signer.keyBits } : undefined;
  const broken = [
    ...hashes.filter((h) => c.brokenDigests.includes(h)).map((h) => h.toUpperCase()),
    ...(keyBits && keyBits.bits < c.keySizes[keyBits.type].broken ? [`${keyBits.type.toUpperCase()} ${keyBits.bits} bit`] : []),
  ];
  if (broken.length > 0) return { outcome: indeterminate('CRYPTO_CONSTRAINTS_FAILURE'), messages: [say('CRYPTO_BROKEN', { what: [...new Set(broken)].join(', ') })] };
  const weak = [
    ...hashes.filter((h) => c.legacyDigests.includes(h)).map((h) => (h === 'sha1' ? 'SHA-1' : h.toUpperCase())),
    ...(keyBits && keyBits.bits < c.keySizes[keyBits.type].minimum ? [`${keyBits.type.toUpperCase()} ${keyBits.bits} bit`] : []),
  ];
  if (weak.length === 0) return { messages: [] };
  const what = [...new Set(weak)].join(', ');
  const cutOver = c.strictFrom.toISOString().slice(0, 10);
  const time = new Date(e.validationTime.time);
  const legacy = time < c.strictFrom && e.validationTime.source !== 'now' && e.validationTime.source !== 'given';
  if (legacy) return { messages: [say('CRYPTO_LEGACY', { what, cutOver })] };
  return { outcome: indeterminate('CRYPTO_CONSTRAINTS_FAILURE_NO_POE'), messages: [say('CRYPTO_TOO_WEAK', { what, cutOver, minimum: c.minimumText })] };
}

/**
 * The revocation part of the verdict (EN 319 102-1 §5.2.6, §5.6.2.1): a CA revoked before the signing time
 * is REVOKED_CA_NO_POE; a signer revoked before it is REVOKED; revoked after it passes only when a trusted
 * timestamp proves the signature existed before (else REVOKED_NO_POE). The signer's status must be known
 * in both modes; in hard mode every CA's status must be known too.
 */
export function judgeRevocation(revocations: PathRevocation, signingTime: Date, provenByTimestamp: boolean, policy: ValidationPolicy): { outcome?: Outcome; messages: Message[] } {
  const messages: Message[] = [];
  const caRevoked = revocations.authorities.find((a) => a.result.status === 'revoked' && (!a.result.revokedAt || a.result.revokedAt <= signingTime));
  if (caRevoked) return { outcome: indeterminate('REVOKED_CA_NO_POE'), messages: [say('CA_REVOKED', { subject: caRevoked.certificate.subject })] };
  const signer = revocations.signer;
  if (signer.status === 'revoked' && (!signer.revokedAt || signer.revokedAt <= signingTime)) return { outcome: failed('REVOKED'), messages: [say('REVOKED')] };
  if (signer.status === 'revoked') {
    if (provenByTimestamp) return { messages: [say('REVOKED_AFTER_POE')] };
    return { outcome: indeterminate('REVOKED_NO_POE'), messages: [say('REVOKED_AFTER')] };
  }
  if (signer.status === 'unknown') return { outcome: indeterminate('TRY_LATER'), messages: [say('REVOCATION_UNKNOWN')] };
  if (signer.stale) messages.push(say('REVOCATION_STALE'));
  for (const { certificate, result } of revocations.authorities) {
    if (result.status === 'unknown') {
      messages.push(say('CA_REVOCATION_UNKNOWN', { subject: certificate.subject }));
      if (policy.revocation.mode === 'hard') return { outcome: indeterminate('TRY_LATER'), messages };
    } else if (result.stale) {
      messages.push(say('CA_REVOCATION_STALE', { subject: certificate.subject }));
    }
  }
  return { messages };
}

/** What the permission level in effect allows after a signature, and the warnings its own /P gives. */
export interface PermissionInEffect {
  /** The strictest /P of this signature and every one before it (DocMDP, lock and FieldMDP). */
  level?: 1 | 2 | 3;
  warnings: Message[];
}

/**
 * The /P in effect for each signature, in signing order: a signature's own /P (DocMDP, or PDF 2.0 lock
 * and FieldMDP) narrows the level from then on; a wider /P than the one in effect is ignored with a
 * warning and never widens what is allowed (ISO 32000-2 §12.8.2.4).
 */
export function permissionsInEffect(signatures: SignatureEvidence[]): PermissionInEffect[] {
  let level: 1 | 2 | 3 | undefined;
  return signatures.map((e) => {
    const warnings: Message[] = [];
    if (e.found.origin === 'usage-rights') return { level, warnings };
    const own = [e.permissions.docMdp, e.permissions.lock].filter((p): p is number => p === 1 || p === 2 || p === 3);
    for (const p of own) {
      if (level !== undefined && p > level) warnings.push(say('PERMISSION_WIDENING_IGNORED', { asked: p, inEffect: level }));
      else level = p as 1 | 2 | 3;
    }
    return { level, warnings };
  });
}

function allowedLevel(e: SignatureEvidence, inEffect: PermissionInEffect, policy: ValidationPolicy): ModificationLevel {
  const rights = e.permissions.usageRights;
  if (e.found.origin === 'usage-rights' && rights) {
    // A usage-rights signature allows what its UR3 transform grants the reader application.
    return rights.annotations ? 'ANNOTATIONS' : rights.form || rights.signatures ? 'FORM_FILLING' : 'LTA_UPDATES';
  }
  return inEffect.level ? policy.modifications.allowedByPermission[inEffect.level] : policy.modifications.unrestricted;
}

function isLocked(lock: { action: string; fields: string[] }, field: string): boolean {
  const listed = lock.fields.some((f) => field === f || field.startsWith(`${f}.`));
  return lock.action === 'All' || (lock.action === 'Include' ? listed : !listed);
}

function emptyReport(e: SignatureEvidence): SignatureReport {
  const sig = e.found;
  return {
    field: sig.fieldName,
    appearance: sig.widget ?? null,
    type: sig.origin === 'usage-rights' ? 'usage-rights' : sig.type,
    subFilter: sig.subFilter ?? null,
    signer: null,
    claimedSigningTime: e.claimedSigningTime?.toISOString() ?? null,
    timestamp: null,
    validationTime: e.validationTime,
    digestAlgorithm: null,
    signatureAlgorithm: null,
    intact: false,
    coverage: e.range.coverage,
    byteRange: sig.byteRange ?? null,
    revision: e.signedRevision,
    modificationsAfter: 'NONE',
    modificationsAllowed: true,
    level: 'NONE',
    indication: 'TOTAL_FAILED',
    subIndication: 'FORMAT_FAILURE',
    certificatePath: [],
    trustAnchor: null,
    revocation: { status: 'not-checked', source: null },
    messages: [],
  };
}

function summariseRevocation(r: RevocationResult): RevocationSummary {
  return {
    status: r.status, source: r.source, revokedAt: r.revokedAt?.toISOString(), stale: r.stale || undefined,
    evidence: r.evidence ? { kind: r.evidence.kind, base64: r.evidence.der.toString('base64') } : undefined,
    ...(r.olderThanRequired ? {
      olderThanRequired: { source: r.olderThanRequired.source, thisUpdate: r.olderThanRequired.thisUpdate?.toISOString(), nextUpdate: r.olderThanRequired.nextUpdate?.toISOString() },
    } : {}),
  };
}

/** One signature's report. `inEffect` comes from permissionsInEffect over the document's signatures. */
export function judgeSignature(e: SignatureEvidence, inEffect: PermissionInEffect, policy: ValidationPolicy, options: { withCertificates?: boolean } = {}): SignatureReport {
  const report = emptyReport(e);
  const messages = report.messages;
  const sig = e.found;
  const decide = (o: Outcome): SignatureReport => {
    report.indication = o.indication;
    report.subIndication = o.subIndication;
    if (o.indication === 'TOTAL_PASSED') messages.push(say('SIGNATURE_VALID'));
    return report;
  };
  if (sig.origin === 'usage-rights') messages.push(say('USAGE_RIGHTS_SIGNATURE'));
  if (sig.unreadable) {
    messages.push(say('SIGNATURE_DICTIONARY_UNREADABLE', { field: sig.fieldName }));
    return decide(failed('FORMAT_FAILURE'));
  }
  messages.push(...e.range.problems);
  const cms = e.cms;
  if (!cms) {
    messages.push(...e.notes);
    if (!sig.contents) messages.push(say('NO_CONTENTS'));
    return decide(failed('FORMAT_FAILURE'));
  }
  messages.push(...cms.messages, ...e.notes);
  report.digestAlgorithm = cms.digestName ?? cms.digestAlgorithm;
  report.signatureAlgorithm = cms.signatureAlgorithm ? `${cms.signatureHash ? `${cms.signatureHash} ` : ''}(${cms.signatureAlgorithm})` : null;
  if (cms.signatureValue) report.signatureValue = cms.signatureValue.toString('base64');
  if (cms.signer) report.signer = { subject: cms.signer.subject, issuer: cms.signer.issuer, serial: cms.signer.serialHex };
  if (e.encapsulatedInDetached) messages.push(say('ECONTENT_IN_DETACHED'));

  const ts = e.timestamp;
  const isDocTimestamp = sig.type === 'document-timestamp';
  const proof = ts && !isDocTimestamp ? timestampProof(ts, policy) : undefined;
  if (ts) {
    report.timestamp = {
      genTime: ts.genTime.toISOString(), tsa: ts.tsa, intact: ts.tokenIntact && ts.imprintMatches, trusted: !!proof?.usable,
      ...(ts.revocation ? { revocation: tsaRevocationStatus(ts) } : {}),
      ...(options.withCertificates ? { token: ts.token.toString('base64') } : {}),
    };
    if (proof?.problem) messages.push(proof.problem);
    if (proof) messages.push(...proof.warnings);
  }
  if (e.timestampUnreadable) messages.push(say('TST_UNREADABLE'));
  const intact = cms.intact && (!isDocTimestamp || (!!ts && ts.imprintMatches));
  report.intact = intact;

  // Changes after signing, against what the permissions in effect allow.
  const mods = e.modifications;
  messages.push(...inEffect.warnings);
  if (!mods) {
    report.modificationsAfter = 'OTHER';
    report.modificationsAllowed = false;
    messages.push(say('SIGNED_REVISION_UNREADABLE'));
  } else {
    report.modificationsAfter = mods.level;
    const allowed = allowedLevel(e, inEffect, policy);
    report.modificationsAllowed = LEVEL_ORDER.indexOf(mods.level) <= LEVEL_ORDER.indexOf(allowed);
    if (mods.level !== 'NONE') messages.push(say('MODIFIED_AFTER_SIGNING', { level: mods.level, details: mods.details }));
    if (!report.modificationsAllowed) messages.push(say('MODIFICATIONS_NOT_ALLOWED', { level: mods.level, allowed }));
    const lock = e.permissions.fieldLock;
    const locked = lock ? mods.changedFields.filter((f) => f !== sig.fieldName && isLocked(lock, f)) : [];
    if (locked.length > 0) {
      report.modificationsAllowed = false;
      messages.push(say('FIELD_LOCKED', { fields: locked }));
    }
    const removed = lock ? mods.removedFields.filter((f) => isLocked(lock, f)) : [];
    if (removed.length > 0) {
      report.modificationsAllowed = false;
      messages.push(say('LOCKED_FIELD_REMOVED', { fields: removed }));
    }
  }
  report.level = padesLevel(e, intact);

  if (!cms.parsed || cms.trailingData || e.encapsulatedInDetached || (e.range.coverage !== 'ENTIRE_FILE' && e.range.coverage !== 'ENTIRE_REVISION')) return decide(failed('FORMAT_FAILURE'));
  if (!cms.intact) {
    const failure = cms.failure ?? 'SIG_CRYPTO_FAILURE';
    return decide(failure === 'HASH_FAILURE' || failure === 'SIG_CRYPTO_FAILURE' || failure === 'FORMAT_FAILURE' ? failed(failure) : indeterminate(failure));
  }
  if (isDocTimestamp && !ts?.imprintMatches) {
    messages.push(say('TST_IMPRINT'));
    return decide(failed('HASH_FAILURE'));
  }
  if (!report.modificationsAllowed) return decide(failed('FORMAT_FAILURE'));
  if (ts && !isDocTimestamp && !ts.imprintMatches) {
    messages.push(say('TST_FORGED'));
    return decide(failed('HASH_FAILURE'));
  }
  if (ts && !isDocTimestamp && !ts.tokenIntact) {
    messages.push(say('TST_INVALID'));
    return decide(failed('SIG_CRYPTO_FAILURE'));
  }
  const crypto = judgeCrypto(e, policy);
  messages.push(...crypto.messages);
  if (crypto.outcome) return decide(crypto.outcome);

  const chain = e.chain;
  if (!chain) return decide(indeterminate('NO_CERTIFICATE_CHAIN_FOUND'));
  report.certificatePath = chain.path.map((c) => ({
    subject: c.subject, issuer: c.issuer, serial: c.serialHex, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString(), sha256: c.sha256,
    ...(options.withCertificates ? { der: c.der.toString('base64') } : {}),
  }));
  report.trustAnchor = chain.anchor?.subject ?? null;
  messages.push(...chain.problems);
  if (!chain.anchor) return decide(indeterminate('NO_CERTIFICATE_CHAIN_FOUND'));
  if (chain.expiredAt) return decide(indeterminate('OUT_OF_BOUNDS_NO_POE'));
  if (chain.problems.length > 0) return decide(indeterminate('CHAIN_CONSTRAINTS_FAILURE'));
  const revocations = e.revocation;
  if (!revocations) return decide(indeterminate('TRY_LATER'));
  report.revocation = {
    ...summariseRevocation(revocations.signer),
    authorities: revocations.authorities.map(({ certificate, result }) => ({ subject: certificate.subject, ...summariseRevocation(result) })),
  };
  const verdict = judgeRevocation(revocations, new Date(e.validationTime.time), e.validationTime.source === 'timestamp', policy);
  messages.push(...verdict.messages);
  return decide(verdict.outcome ?? passed);
}

function tsaRevocationStatus(ts: TimestampEvidence): 'good' | 'revoked' | 'unknown' {
  const results = ts.revocation ? everyResult(ts.revocation) : [];
  if (results.some((r) => r.status === 'revoked')) return 'revoked';
  if (results.some((r) => r.status === 'unknown')) return 'unknown';
  return 'good';
}

/** The level from the signature alone; document timestamps after it are taken into account later. */
function padesLevel(e: SignatureEvidence, intact: boolean): PadesLevel {
  if (!intact) return 'NONE';
  if (e.found.type === 'document-timestamp') return 'B-LTA';
  // A signature time-stamp counts only when it is sound and stamps this signature's value (rule of EN 319 142-1 §5.3).
  if (!e.timestamp || !e.timestamp.tokenIntact || !e.timestamp.imprintMatches) return 'B-B';
  return 'B-T';
}

/**
 * The document's report: every signature judged with the permissions in effect, hidden signatures
 * failed, levels raised by later document timestamps and DSS data (EN 319 142-1 §5.3–5.4), and the
 * document's indication from its worst signature.
 */
export function judgeDocument(evidence: DocumentEvidence, policy: ValidationPolicy, report: DocumentReport, options: { withCertificates?: boolean } = {}): void {
  const inEffect = permissionsInEffect(evidence.signatures);
  evidence.signatures.forEach((e, i) => report.signatures.push(judgeSignature(e, inEffect[i], policy, options)));
  for (const e of evidence.hidden) {
    // A signature no field shows (ISO 32000-1 §12.7.4.5): a viewer lists nothing, so it is reported as
    // hidden and cannot count as a valid signature of the document.
    const hidden = judgeSignature(e, { warnings: [] }, policy, options);
    hidden.indication = 'TOTAL_FAILED';
    hidden.subIndication = 'FORMAT_FAILURE';
    hidden.messages = [say('SIGNATURE_NOT_IN_A_FIELD'), ...hidden.messages.filter((m) => m.code !== 'SIGNATURE_VALID')];
    report.signatures.push(hidden);
  }
  report.bytesAfterLastRevision = evidence.unsignedTrailingBytes;
  if (evidence.unsignedTrailingBytes > 0) report.messages.push(say('BYTES_AFTER_EOF', { count: evidence.unsignedTrailingBytes }));
  applyLongTermLevels(report, evidence.dssHasData);
  summarise(report);
}

function applyLongTermLevels(report: DocumentReport, dssHasData: boolean): void {
  const end = (s: SignatureReport): number => (s.byteRange && s.byteRange.length === 4 ? s.byteRange[2] + s.byteRange[3] : Number.MAX_SAFE_INTEGER);
  const stamps = report.signatures.filter((s) => s.type === 'document-timestamp' && s.intact && s.byteRange);
  for (const sig of report.signatures) {
    if (sig.type !== 'signature' || sig.level === 'NONE') continue;
    if (sig.level === 'B-T' && dssHasData) sig.level = 'B-LT';
    if (!stamps.some((t) => end(t) > end(sig))) continue;
    if (sig.level === 'B-B') sig.level = 'B-T';
    else if (sig.level === 'B-LT') sig.level = 'B-LTA';
  }
}

function summarise(report: DocumentReport): void {
  const sigs = report.signatures;
  if (sigs.length === 0) {
    report.indication = 'NO_SIGNATURE';
    report.messages.push(say('NO_SIGNATURE'));
    return;
  }
  const failedSig = sigs.find((s) => s.indication === 'TOTAL_FAILED' || !s.modificationsAllowed);
  if (failedSig) {
    report.indication = 'TOTAL_FAILED';
    report.subIndication = failedSig.indication === 'TOTAL_FAILED' ? failedSig.subIndication : 'FORMAT_FAILURE';
  } else if (sigs.some((s) => s.indication === 'INDETERMINATE')) {
    report.indication = 'INDETERMINATE';
    report.subIndication = sigs.find((s) => s.indication === 'INDETERMINATE')?.subIndication ?? null;
  } else report.indication = 'TOTAL_PASSED';
}
