/**
 * Collects the facts of every signature and document timestamp of a PDF without judging them: byte
 * ranges, CMS integrity, timestamps, the changes made after each signature, the permissions each sets,
 * certificate paths at the best proven time, and revocation answers (embedded first, then fetched).
 */
import { createHash, Hash } from 'node:crypto';
import { CertificateInfo, nodeDigestFromOid, OID, parseCertificate, readTstInfo } from '../cms';
import {
  asArray, asNumber, ByteSource, describeSignature, feedRange, findSignatures, FoundSignature, isName, listFormFields, parsePdfDate, PdfDict, PdfFile, PdfName, PdfRef, PdfStream,
  PdfString, signatureWidget,
} from '../pdf';
import { analyseModifications } from './analyse-modifications';
import { say } from './messages';
import { buildChain } from './build-chain';
import { checkByteRange } from './check-byte-range';
import { checkPathRevocation, EmbeddedRevocationData } from './check-revocation';
import type { DocumentEvidence, FieldLock, ModificationEvidence, PermissionEvidence, SignatureEvidence, TimestampEvidence } from './evidence';
import { findRevisionEnds, RevisionEnd, unsignedTrailingBytes } from './revisions';
import type { ValidationContext } from './validation-context';
import { ContentDigest, verifyCms } from './verify-cms';
import { timestampProof } from './verdict';

const MAX_REVISIONS_SCANNED = 64;
const MAX_ORPHAN_SCAN = 20_000;
const TIME_STAMPING = '1.3.6.1.5.5.7.3.8';

interface Dss extends EmbeddedRevocationData {
  certificates: CertificateInfo[];
}

export async function collectEvidence(file: PdfFile, context: ValidationContext): Promise<DocumentEvidence> {
  const ends = findRevisionEnds(file.source);
  const trailing = unsignedTrailingBytes(file.source, ends);
  const found = collectSignatures(file);
  const hidden = findHiddenSignatures(file, found);
  const dss = readDss(file);
  const digestsOf = rangeDigests(file.source);
  const collect = async (sig: FoundSignature): Promise<SignatureEvidence> => {
    try {
      return await collectSignatureEvidence(file, sig, ends, trailing, dss, context, digestsOf);
    } catch (error) {
      const evidence = blankEvidence(sig, { coverage: 'UNCLEAR', problems: [] }, null, context);
      evidence.notes.push(say('VALIDATION_ERROR', { detail: error instanceof Error ? error.message : String(error) }));
      return evidence;
    }
  };
  const signatures: SignatureEvidence[] = [];
  for (const sig of found) signatures.push(await collect(sig));
  const hiddenEvidence: SignatureEvidence[] = [];
  for (const sig of hidden) hiddenEvidence.push(await collect(sig));
  return {
    signatures, hidden: hiddenEvidence, unsignedTrailingBytes: trailing, dssHasData: dss.certificates.length > 0 || dss.crls.length > 0 || dss.ocsps.length > 0,
  };
}

/** Signatures from every revision, so a field removed later is still validated (deduplicated). */
function collectSignatures(file: PdfFile): FoundSignature[] {
  const seen = new Map<string, FoundSignature>();
  const views: PdfFile[] = [file];
  for (const section of file.xref.sections.slice(1, MAX_REVISIONS_SCANNED)) {
    try {
      views.push(file.revisionAt(section.offset));
    } catch {
      // an unreadable older revision is skipped; its signatures, if any, are found through later ones
    }
  }
  for (const view of views) {
    let sigs: FoundSignature[] = [];
    try {
      // Older revisions are read without placing widgets: most of their signatures are the current ones.
      sigs = findSignatures(view, { widgets: view === file });
    } catch {
      continue; // no catalog in this revision
    }
    for (const s of sigs) {
      const key = s.unreadable
        ? `unreadable|${s.ref?.num ?? s.fieldName}`
        : `${s.ref?.num ?? s.fieldName}|${JSON.stringify(s.byteRange)}|${s.contents ? createHash('sha1').update(s.contents).digest('hex') : ''}`;
      // A signature readable in an older revision is not reported again as unreadable from a later one.
      if (s.unreadable && [...seen.values()].some((o) => !o.unreadable && o.ref?.num === s.ref?.num)) continue;
      if (!s.unreadable) for (const [k, o] of seen) if (o.unreadable && o.ref?.num === s.ref?.num) seen.delete(k);
      if (!seen.has(key)) {
        if (view !== file) s.widget = signatureWidget(view, s);
        seen.set(key, s);
      }
    }
  }
  return [...seen.values()].sort((a, b) => signedEnd(a) - signedEnd(b));
}

function signedEnd(s: FoundSignature): number {
  const br = s.byteRange;
  return br && br.length === 4 ? br[2] + br[3] : Number.MAX_SAFE_INTEGER;
}

/**
 * Signature dictionaries that no field or /Perms entry refers to in any revision (the objects of the
 * current revision are read; streams are skipped). Files with more objects than the bound are not scanned.
 */
function findHiddenSignatures(file: PdfFile, found: FoundSignature[]): FoundSignature[] {
  if (file.xref.entries.size > MAX_ORPHAN_SCAN) return [];
  const known = new Set(found.map((f) => f.ref?.num));
  const hidden: FoundSignature[] = [];
  for (const [num, entry] of file.xref.entries) {
    if (entry.type === 'free' || known.has(num)) continue;
    const ref = new PdfRef(num, entry.type === 'offset' ? entry.gen : 0);
    // Objects whose bytes cannot hold /ByteRange are not parsed (most of a file's objects).
    if (!file.mayContainName(ref, 'ByteRange')) continue;
    let value;
    try {
      value = file.peekObject(ref);
    } catch {
      continue;
    }
    if (!(value instanceof PdfDict) || !value.has('ByteRange') || !value.has('Contents') || value.has('FT')) continue;
    // Streams were read as their dictionaries only; a signature dictionary is never a stream.
    try {
      if (!(file.getObject(ref) instanceof PdfDict)) continue;
    } catch {
      continue;
    }
    const orphan = describeSignature(file, `(no field: object ${num})`, ref);
    if (orphan) hidden.push(orphan);
  }
  return hidden;
}

function readDss(file: PdfFile): Dss {
  const dss: Dss = { certificates: [], crls: [], ocsps: [] };
  try {
    const dict = file.resolveDict(file.catalog().get('DSS'));
    const streams = (key: string): Buffer[] =>
      (asArray(file.resolve(dict?.get(key))) ?? []).flatMap((r) => {
        const s = file.resolve(r);
        try {
          return s instanceof PdfStream ? [file.decode(s)] : [];
        } catch {
          return [];
        }
      });
    for (const der of streams('Certs')) {
      try {
        dss.certificates.push(parseCertificate(der));
      } catch {
        // an unreadable certificate is skipped; the paths are built from what remains
      }
    }
    dss.crls = streams('CRLs');
    dss.ocsps = streams('OCSPs');
  } catch {
    // no DSS
  }
  return dss;
}

/**
 * The permissions a signature sets: DocMDP /P when it certifies (§12.8.2.2), the PDF 2.0 /P of its
 * FieldMDP transform or of its field's /Lock (ISO 32000-2 §12.8.2.4, §12.7.5.5), the fields it locks, and
 * for a usage-rights signature the rights its UR3 transform grants (§12.8.2.3).
 */
function readPermissions(signed: PdfFile, sig: FoundSignature): PermissionEvidence {
  const out: PermissionEvidence = {};
  const readLock = (dict: PdfDict | undefined): FieldLock | undefined => {
    const action = dict?.get('Action');
    if (!(action instanceof PdfName) || !['All', 'Include', 'Exclude'].includes(action.name)) return undefined;
    const fields = (asArray(signed.resolve(dict?.get('Fields'))) ?? []).flatMap((f) => (f instanceof PdfString ? [f.toText()] : []));
    return { action: action.name as FieldLock['action'], fields };
  };
  const lockP = (dict: PdfDict | undefined): number | undefined => {
    const p = asNumber(dict?.get('P'));
    return p === 1 || p === 2 || p === 3 ? p : undefined;
  };
  try {
    for (const r of asArray(signed.resolve(sig.dict.get('Reference'))) ?? []) {
      const ref = signed.resolveDict(r);
      const params = signed.resolveDict(ref?.get('TransformParams'));
      if (isName(ref?.get('TransformMethod'), 'DocMDP')) out.docMdp = lockP(params) ?? 2;
      if (isName(ref?.get('TransformMethod'), 'FieldMDP')) {
        out.fieldLock ??= readLock(params);
        out.lock ??= lockP(params);
      }
      if (isName(ref?.get('TransformMethod'), 'UR3') || isName(ref?.get('TransformMethod'), 'UR')) {
        out.usageRights = {
          form: (asArray(signed.resolve(params?.get('Form'))) ?? []).length > 0,
          annotations: (asArray(signed.resolve(params?.get('Annots'))) ?? []).length > 0,
          signatures: (asArray(signed.resolve(params?.get('Signature'))) ?? []).length > 0,
        };
      }
    }
    const perms = signed.resolveDict(signed.catalog().get('Perms'));
    const certifier = perms?.get('DocMDP');
    if (out.docMdp === undefined && certifier instanceof PdfRef && certifier.num === sig.ref?.num) out.docMdp = 2;
    if (sig.origin === 'usage-rights') out.usageRights ??= { form: false, annotations: false, signatures: false };
    const field = sig.origin === 'field' ? listFormFields(signed).find((f) => f.fullName === sig.fieldName) : undefined;
    const lock = signed.resolveDict(field?.dict.get('Lock'));
    out.fieldLock ??= readLock(lock);
    out.lock ??= lockP(lock);
  } catch {
    // unreadable permission entries set nothing
  }
  return out;
}

/**
 * The byte-range digests of one document's signatures. Every range starts at byte 0, and a later
 * revision's first range begins with the bytes of an earlier one's, so the hash of [0, a) is carried
 * forward from signature to signature (a copy for each) instead of being computed again: a document with
 * n revisions is hashed about once, not n times.
 */
function rangeDigests(source: ByteSource): (br: number[]) => ContentDigest {
  const running = new Map<string, { hash: Hash; at: number }>();
  return (br) => {
    const cache = new Map<string, Buffer>();
    return (algorithm: string, outputLength?: number) => {
      const key = `${algorithm}:${outputLength ?? ''}`;
      let v = cache.get(key);
      if (!v) {
        const options = outputLength ? { outputLength } : undefined;
        const firstEnd = br[0] + br[1];
        let prefix = running.get(key);
        if (br[0] !== 0 || !prefix || prefix.at > firstEnd) {
          prefix = { hash: createHash(algorithm, options), at: br[0] };
          if (br[0] === 0) running.set(key, prefix);
        }
        const carried = prefix;
        feedRange(source, carried.at, firstEnd, (piece) => carried.hash.update(piece));
        carried.at = firstEnd;
        const h = carried.hash.copy(options);
        feedRange(source, br[2], br[2] + br[3], (piece) => h.update(piece));
        v = h.digest();
        cache.set(key, v);
      }
      return v;
    };
  };
}

/** Reads an RFC 3161 token and checks its imprint against `imprintOf` (the hash of what it must stamp). */
function readTimestamp(token: Buffer, imprintOf: ContentDigest): TimestampEvidence | undefined {
  const cms = verifyCms(token, () => Buffer.alloc(0));
  if (!cms.parsed || !cms.eContent || cms.eContentType !== OID.tstInfo) return undefined;
  const tst = readTstInfo(cms.eContent);
  if (!tst) return undefined;
  const alg = nodeDigestFromOid(tst.hashAlgorithm);
  const imprintMatches = !!alg && tst.hashedMessage.equals(imprintOf(alg.name, alg.outputLength));
  return {
    token, genTime: tst.genTime, tsa: cms.signer?.subject ?? 'unknown TSA', tokenIntact: cms.intact, imprintMatches, tsaCertificate: cms.signer,
    forTimestamping: !!cms.signer?.extendedKeyUsage?.includes(TIME_STAMPING), certificates: cms.certificates,
  };
}

/** The TSA's path at genTime and its revocation, for a token that is sound. */
async function collectTsaPath(ts: TimestampEvidence, dss: Dss, embedded: EmbeddedRevocationData, context: ValidationContext): Promise<void> {
  if (!ts.tokenIntact || !ts.imprintMatches || !ts.tsaCertificate || !ts.forTimestamping) return;
  ts.chain = buildChain(ts.tsaCertificate, [...ts.certificates, ...context.intermediates, ...dss.certificates], context.trust, ts.genTime);
  if (!ts.chain.anchor || ts.chain.problems.length > 0) return;
  // The TSA's certificates must not have been revoked when the token was made (EN 319 102-1 §5.4).
  ts.revocation = await checkPathRevocation(ts.chain.path, (c) => !!context.trust.match(c), embedded, context, ts.genTime);
}

/** A signature's evidence before its CMS is read: only what its dictionary and byte range say. */
function blankEvidence(sig: FoundSignature, range: SignatureEvidence['range'], claimed: Date | null, context: ValidationContext): SignatureEvidence {
  return {
    found: sig,
    claimedSigningTime: claimed,
    range,
    encapsulatedInDetached: false,
    timestampUnreadable: false,
    signedRevision: null,
    permissions: {},
    validationTime: { time: (context.at ?? new Date()).toISOString(), source: context.at ? 'given' : 'now' },
    notes: [],
  };
}

async function collectSignatureEvidence(
  final: PdfFile, sig: FoundSignature, ends: RevisionEnd[], trailing: number, dss: Dss, context: ValidationContext, digestsOf: (br: number[]) => ContentDigest,
): Promise<SignatureEvidence> {
  const m = sig.dict.get('M');
  const claimed = m instanceof PdfString ? parsePdfDate(m.toText()) ?? null : null;
  const evidence = blankEvidence(sig, sig.unreadable ? { coverage: 'UNCLEAR', problems: [] } : checkByteRange(final.source, sig, ends), claimed, context);
  if (sig.unreadable || evidence.range.coverage === 'UNCLEAR' || !sig.contents || !sig.byteRange) return evidence;
  const br = sig.byteRange;
  const digestOf = digestsOf(br);
  const legacySha1 = sig.subFilter === 'adbe.pkcs7.sha1';
  const cms = verifyCms(sig.contents, digestOf, { expectEncapsulated: legacySha1 ? 'sha1' : undefined });
  evidence.cms = cms;
  evidence.encapsulatedInDetached = cms.parsed && !!cms.eContent && sig.type === 'signature' && !legacySha1;
  const embedded = { crls: [...cms.crls, ...dss.crls], ocsps: [...cms.ocsps, ...dss.ocsps] };

  if (sig.type === 'document-timestamp' && cms.parsed) {
    evidence.timestamp = readTimestamp(sig.contents, digestOf);
  } else if (cms.signatureValue) {
    const token = cms.unsignedAttributes.find((a) => a.type === OID.signatureTimeStampToken)?.values[0];
    if (token) {
      const value = cms.signatureValue;
      evidence.timestamp = readTimestamp(token, (alg, length) => createHash(alg, length ? { outputLength: length } : undefined).update(value).digest());
      evidence.timestampUnreadable = !evidence.timestamp;
    }
  }
  if (evidence.timestamp) await collectTsaPath(evidence.timestamp, dss, embedded, context);

  // Changes after signing, compared with the revision this signature covers.
  try {
    const signedFile = final.prefix(br[2] + br[3]);
    evidence.signedRevision = signedFile.xref.sections.length;
    evidence.permissions = readPermissions(signedFile, sig);
    const mods: ModificationEvidence = analyseModifications(signedFile, final);
    if (trailing > 0) {
      mods.level = 'OTHER';
      mods.details.unshift(`OTHER: ${trailing} bytes after the last %%EOF belong to no revision`);
    }
    evidence.modifications = mods;
  } catch {
    evidence.modifications = undefined;
  }

  // The best proven signing time: a usable timestamp's genTime, else the claimed /M time.
  const at = context.at ?? new Date();
  const proof = evidence.timestamp && sig.type === 'signature' ? timestampProof(evidence.timestamp, context.policy) : undefined;
  let signingTime = at;
  if (proof?.usable && evidence.timestamp) {
    signingTime = evidence.timestamp.genTime;
    evidence.validationTime = { time: signingTime.toISOString(), source: 'timestamp' };
  } else if (claimed && claimed <= at) {
    signingTime = claimed;
    evidence.validationTime = { time: signingTime.toISOString(), source: 'claimed' };
  }

  if (cms.intact && cms.signer) {
    const pool = [...cms.certificates, ...dss.certificates, ...context.intermediates];
    evidence.chain = buildChain(cms.signer, pool, context.trust, signingTime);
    if (evidence.chain.anchor && !evidence.chain.expiredAt && evidence.chain.problems.length === 0) {
      evidence.revocation = await checkPathRevocation(evidence.chain.path, (c) => !!context.trust.match(c), embedded, context, signingTime);
    }
  }
  return evidence;
}
