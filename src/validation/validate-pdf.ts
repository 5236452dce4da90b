/**
 * Validates every signature and document timestamp of a PDF (ETSI EN 319 102-1 basic validation,
 * EN 319 142-1 PAdES levels): byte ranges, CMS integrity, chain to the trust store, revocation,
 * timestamps and changes after signing. Returns a report; never throws, whatever the input.
 */
import { createHash } from 'node:crypto';
import { CertificateInfo, describeSignatureOid, digestAlgorithmFromOid, OID, parseCertificate, readTstInfo } from '../cms';
import { isAppError } from '../errors';
import {
  asArray, asDict, asNumber, DecodeBudget, describeSignature, findSignatures, FoundSignature, isName, listFormFields, parsePdfDate, PdfDict, PdfFile, PdfName, PdfRef,
  PdfStream, PdfString,
} from '../pdf';
import { analyseModifications } from './analyse-modifications';
import { buildChain } from './build-chain';
import { checkPathRevocation, PathRevocation } from './check-revocation';
import {
  Coverage, DocumentReport, Indication, LEVEL_ORDER, Message, message, ModificationLevel, PadesLevel, SignatureReport, SubIndication,
} from './report';
import { findRevisionEnds, isRevisionEnd } from './revisions';
import { ValidationContext } from './validation-context';
import { ContentDigest, verifyCms } from './verify-cms';

const MAX_REVISIONS_SCANNED = 64;
const ED448_SHAKE = '2.16.840.1.101.3.4.2.12';

export interface ValidatePdfOptions {
  /** The file's SHA-256 when the caller already has it; else computed only with hashFile. */
  fileSha256?: string;
  hashFile?: boolean;
  /** Put each path certificate's DER (base64) in the report, so the verdict can be replayed from it alone. */
  includeCertificates?: boolean;
  /** Count the pages (report.pageCount). */
  countPages?: boolean;
  /**
   * Read only what signing a document touches (catalog, pages, form fields) and stop: a pre-flight that
   * refuses unreadable documents and compression bombs before the service signs.
   */
  structureOnly?: boolean;
  /** Cap of the document's decoded-bytes budget (see DecodeBudget); the default cap when unset. */
  decodeBudgetCap?: number;
}

/** The report's error when a document's compressed streams decode past its budget (a compression bomb). */
function budgetExceeded(detail: string) {
  return message('PDF_DECODE_BUDGET_EXCEEDED', 'Tệp PDF giải nén ra quá nhiều dữ liệu (nghi là "bom nén"); không kiểm tra', `the PDF decompresses to too much data (a compression bomb?): ${detail}`);
}

export async function validatePdf(bytes: Buffer, context: ValidationContext, fileName?: string, options: ValidatePdfOptions = {}): Promise<DocumentReport> {
  const report: DocumentReport = {
    file: fileName,
    sha256: options.fileSha256 ?? (options.hashFile ? createHash('sha256').update(bytes).digest('hex') : null),
    size: bytes.length,
    revisions: 0,
    signatures: [],
    bytesAfterLastRevision: 0,
    indication: 'NO_SIGNATURE',
    subIndication: null,
    messages: [],
    validatedAt: new Date().toISOString(),
  };
  let file: PdfFile;
  try {
    file = PdfFile.parse(bytes, undefined, DecodeBudget.forSize(bytes.length, options.decodeBudgetCap));
  } catch (error) {
    report.error = isAppError(error) && error.code === 'PDF_DECODE_BUDGET_EXCEEDED'
      ? budgetExceeded(error.message)
      : message('PDF_UNREADABLE', 'Không đọc được tệp PDF', isAppError(error) ? `unreadable PDF: ${error.message}` : 'unreadable PDF');
    return report;
  }
  const ends = findRevisionEnds(bytes);
  report.revisions = file.xref.sections.length;
  const lastEnd = ends[ends.length - 1] ?? bytes.length;
  report.bytesAfterLastRevision = bytes.length - lastEnd;
  if (report.bytesAfterLastRevision > 0 && bytes.subarray(lastEnd).toString('latin1').trim() !== '') {
    report.messages.push(message('BYTES_AFTER_EOF', `Có ${report.bytesAfterLastRevision} byte sau %%EOF cuối cùng, ngoài mọi phiên bản`, `${report.bytesAfterLastRevision} bytes after the last %%EOF belong to no revision`));
  } else report.bytesAfterLastRevision = 0;

  if (options.countPages || options.structureOnly) {
    try {
      report.pageCount = file.pageRefs().length;
    } catch {
      report.pageCount = 0;
    }
  }
  if (options.structureOnly) {
    try {
      listFormFields(file);
    } catch (error) {
      report.error = message('PDF_UNREADABLE', 'Không đọc được tệp PDF', `unreadable PDF: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (file.budget.exceeded) report.error = budgetExceeded(file.budget.error().message);
    return report;
  }
  const found = collectSignatures(bytes, file);
  const orphans = findOrphanSignatures(file, found);
  const dss = readDss(file);
  const docMdp = certificationPermissions(file);
  for (const sig of [...found, ...orphans]) {
    try {
      const result = await validateSignature(bytes, file, sig, ends, dss, docMdp, context, options.includeCertificates === true);
      if (orphans.includes(sig)) {
        // A signature no field shows (ISO 32000-1 §12.7.4.5): a viewer lists nothing, so it is reported as
        // hidden and cannot count as a valid signature of the document.
        result.indication = 'TOTAL_FAILED';
        result.subIndication = 'FORMAT_FAILURE';
        result.messages.unshift(message('SIGNATURE_NOT_IN_A_FIELD', 'Chữ ký không gắn với trường chữ ký nào (chữ ký bị ẩn)', 'the signature is not referenced by any signature field (hidden signature)'));
      }
      report.signatures.push(result);
    } catch (error) {
      report.signatures.push(failedReport(sig, message('VALIDATION_ERROR', 'Lỗi khi kiểm tra chữ ký', `validation error: ${error instanceof Error ? error.message : String(error)}`)));
    }
  }
  applyDocumentTimestamps(report, dss);
  summarise(report);
  // Parts of a bomb may have been skipped as unreadable on the way; the document as a whole is refused.
  if (file.budget.exceeded) report.error = budgetExceeded(file.budget.error().message);
  return report;
}

/** Signatures from every revision, so a field removed later is still validated (deduplicated). */
function collectSignatures(bytes: Buffer, file: PdfFile): FoundSignature[] {
  const seen = new Map<string, FoundSignature>();
  const views: PdfFile[] = [file];
  for (const section of file.xref.sections.slice(1, MAX_REVISIONS_SCANNED)) {
    try {
      views.push(PdfFile.parse(bytes, section.offset, file.budget));
    } catch {
      // an unreadable older revision is skipped; its signatures, if any, are found through later ones
    }
  }
  for (const view of views) {
    let sigs: FoundSignature[] = [];
    try {
      sigs = findSignatures(view);
    } catch {
      continue;
    }
    for (const s of sigs) {
      const key = `${s.ref?.num ?? s.fieldName}|${JSON.stringify(s.byteRange)}|${s.contents ? createHash('sha1').update(s.contents).digest('hex') : ''}`;
      if (!seen.has(key)) seen.set(key, s);
    }
  }
  return [...seen.values()].sort((a, b) => signedEnd(a) - signedEnd(b));
}

const MAX_ORPHAN_SCAN = 20_000;

/**
 * Signature dictionaries that no field refers to in any revision (the objects of the current revision are
 * read; streams are skipped without decoding). Files with more objects than the bound are not scanned.
 */
function findOrphanSignatures(file: PdfFile, found: FoundSignature[]): FoundSignature[] {
  if (file.xref.entries.size > MAX_ORPHAN_SCAN) return [];
  const known = new Set(found.map((f) => f.ref?.num));
  const orphans: FoundSignature[] = [];
  for (const [num, entry] of file.xref.entries) {
    if (entry.type === 'free' || known.has(num)) continue;
    const ref = new PdfRef(num, entry.type === 'offset' ? entry.gen : 0);
    let value;
    try {
      value = file.getObject(ref);
    } catch {
      continue;
    }
    if (!(value instanceof PdfDict) || !value.has('ByteRange') || !value.has('Contents') || value.has('FT')) continue;
    const orphan = describeSignature(file, `(no field: object ${num})`, ref);
    if (orphan) orphans.push(orphan);
  }
  return orphans;
}

function signedEnd(s: FoundSignature): number {
  const br = s.byteRange;
  return br && br.length === 4 ? br[2] + br[3] : Number.MAX_SAFE_INTEGER;
}

interface Dss {
  certificates: CertificateInfo[];
  crls: Buffer[];
  ocsps: Buffer[];
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
        // skip unreadable certificates
      }
    }
    dss.crls = streams('CRLs');
    dss.ocsps = streams('OCSPs');
  } catch {
    // no DSS
  }
  return dss;
}

/** DocMDP permission level of a certification signature (ISO 32000-1 §12.8.2.2), or undefined. */
function certificationPermissions(file: PdfFile): { p: number; sigNum?: number } | undefined {
  try {
    const perms = file.resolveDict(file.catalog().get('Perms'));
    const ref = perms?.get('DocMDP');
    const sig = file.resolveDict(ref);
    if (!sig) return undefined;
    let p = 2;
    for (const r of asArray(file.resolve(sig.get('Reference'))) ?? []) {
      const params = file.resolveDict(asDict(file.resolve(r))?.get('TransformParams'));
      const value = asNumber(params?.get('P'));
      if (value !== undefined) p = value;
    }
    return { p, sigNum: ref instanceof PdfRef ? ref.num : undefined };
  } catch {
    return undefined;
  }
}

interface FieldLock {
  action: 'All' | 'Include' | 'Exclude';
  fields: string[];
}

/**
 * The fields a signature locks (ISO 32000-1 §12.8.2.4 FieldMDP): the signature dictionary's FieldMDP
 * reference (what was signed), else the signature field's /Lock dictionary (§12.7.4.5, Table 233).
 */
function fieldLock(signed: PdfFile, sig: FoundSignature): FieldLock | undefined {
  try {
    const read = (dict: PdfDict | undefined): FieldLock | undefined => {
      const action = dict?.get('Action');
      if (!(action instanceof PdfName) || !['All', 'Include', 'Exclude'].includes(action.name)) return undefined;
      const fields = (asArray(signed.resolve(dict?.get('Fields'))) ?? []).flatMap((f) => (f instanceof PdfString ? [f.toText()] : []));
      return { action: action.name as FieldLock['action'], fields };
    };
    for (const r of asArray(signed.resolve(sig.dict.get('Reference'))) ?? []) {
      const ref = signed.resolveDict(r);
      if (ref && isName(ref.get('TransformMethod'), 'FieldMDP')) return read(signed.resolveDict(ref.get('TransformParams')));
    }
    const field = listFormFields(signed).find((f) => f.fullName === sig.fieldName);
    return read(signed.resolveDict(field?.dict.get('Lock')));
  } catch {
    return undefined;
  }
}

function isLocked(lock: FieldLock, field: string): boolean {
  const listed = lock.fields.some((f) => field === f || field.startsWith(`${f}.`));
  return lock.action === 'All' || (lock.action === 'Include' ? listed : !listed);
}

function checkByteRange(bytes: Buffer, sig: FoundSignature, ends: number[]): { coverage: Coverage; problems: Message[] } {
  const problems: Message[] = [];
  const br = sig.byteRange;
  const bad = (code: string, vi: string, en: string): { coverage: Coverage; problems: Message[] } => {
    problems.push(message(code, vi, en));
    return { coverage: 'UNCLEAR', problems };
  };
  if (!br || br.length !== 4 || !br.every((x) => Number.isInteger(x) && x >= 0)) {
    return bad('BYTERANGE_SHAPE', '/ByteRange không gồm đúng hai khoảng', '/ByteRange is not exactly two ranges of non-negative integers');
  }
  const [a, b, c, d] = br;
  if (a !== 0) return bad('BYTERANGE_START', '/ByteRange không bắt đầu từ byte 0', '/ByteRange does not start at byte 0');
  if (c < a + b) return bad('BYTERANGE_OVERLAP', 'Hai khoảng của /ByteRange chồng lên nhau', 'the /ByteRange ranges overlap');
  if (c + d > bytes.length) return bad('BYTERANGE_PAST_EOF', '/ByteRange vượt quá cuối tệp', '/ByteRange runs past the end of the file');
  const gap = bytes.subarray(b, c);
  const span = sig.contentsSpan;
  if (span && (span[0] !== b || span[1] !== c)) {
    return bad('BYTERANGE_GAP', 'Khoảng trống của /ByteRange không đúng là /Contents của chữ ký này', 'the /ByteRange gap is not exactly this signature\'s /Contents');
  }
  if (gap.length < 2 || gap[0] !== 0x3c || gap[gap.length - 1] !== 0x3e || !/^[0-9a-fA-F\s]*$/.test(gap.toString('latin1', 1, gap.length - 1))) {
    return bad('BYTERANGE_GAP', 'Khoảng trống của /ByteRange không phải chuỗi hex /Contents', 'the /ByteRange gap is not a hex /Contents string');
  }
  if (sig.contents && Buffer.from(gap.toString('latin1', 1, gap.length - 1).replace(/\s+/g, ''), 'hex').subarray(0, sig.contents.length).compare(sig.contents) !== 0) {
    return bad('BYTERANGE_GAP', 'Khoảng trống của /ByteRange khác với /Contents', 'the /ByteRange gap differs from /Contents');
  }
  if (!isRevisionEnd(bytes, ends, c + d)) {
    problems.push(message('NOT_REVISION_END', 'Phần được ký không kết thúc tại cuối một phiên bản (%%EOF)', 'the signed data does not end at a revision end (%%EOF)'));
    return { coverage: 'PARTIAL', problems };
  }
  const fileEnd = ends[ends.length - 1] ?? bytes.length;
  return { coverage: c + d >= fileEnd - 2 ? 'ENTIRE_FILE' : 'ENTIRE_REVISION', problems };
}

function rangeDigest(bytes: Buffer, br: number[]): ContentDigest {
  const cache = new Map<string, Buffer>();
  return (algorithm: string, outputLength?: number) => {
    const key = `${algorithm}:${outputLength ?? ''}`;
    let v = cache.get(key);
    if (!v) {
      const h = createHash(algorithm, outputLength ? { outputLength } : undefined);
      h.update(bytes.subarray(br[0], br[0] + br[1]));
      h.update(bytes.subarray(br[2], br[2] + br[3]));
      v = h.digest();
      cache.set(key, v);
    }
    return v;
  };
}

interface TimestampFinding {
  genTime: Date;
  tsa: string;
  intact: boolean;
  imprintOk: boolean;
  tsaCertificate?: CertificateInfo;
  certificates: CertificateInfo[];
}

const TIME_STAMPING = '1.3.6.1.5.5.7.3.8';

/**
 * Whether a timestamp may serve as proof of existence: its TSA certificate is for time-stamping (RFC 3161
 * §2.3) and chains to a trust anchor at genTime. An untrusted timestamp is reported, not used.
 */
async function trustTimestamp(
  ts: TimestampFinding, pool: CertificateInfo[], embedded: { crls: Buffer[]; ocsps: Buffer[] }, context: ValidationContext,
): Promise<{ problem?: Message; warnings: Message[]; revocation?: 'good' | 'revoked' | 'unknown' }> {
  if (!ts.tsaCertificate) return { problem: message('TSA_UNKNOWN', 'Không tìm thấy chứng thư của đơn vị cấp dấu thời gian', 'the TSA certificate is not in the timestamp'), warnings: [] };
  if (!ts.tsaCertificate.extendedKeyUsage?.includes(TIME_STAMPING)) {
    return { problem: message('TSA_NOT_FOR_TIMESTAMPS', 'Chứng thư của đơn vị cấp dấu thời gian không dành cho cấp dấu thời gian', 'the TSA certificate is not for time-stamping'), warnings: [] };
  }
  const chain = buildChain(ts.tsaCertificate, [...ts.certificates, ...pool], context.trust, ts.genTime);
  if (!chain.anchor || chain.problems.length > 0) {
    return { problem: message('TSA_UNTRUSTED', 'Dấu thời gian không được cấp bởi đơn vị tin cậy; thời gian ký tự khai được dùng', 'the timestamp is not from a trusted TSA; the claimed signing time is used instead'), warnings: [] };
  }
  // The TSA's certificates must not have been revoked when the token was made (EN 319 102-1 §5.4).
  const revocation = await checkPathRevocation(chain.path, (c) => !!context.trust.match(c), embedded, context, ts.genTime);
  const results = [revocation.signer, ...revocation.authorities.map((a) => a.result)];
  if (results.some((r) => r.status === 'revoked' && (!r.revokedAt || r.revokedAt <= ts.genTime))) {
    return { problem: message('TSA_REVOKED', 'Chứng thư của đơn vị cấp dấu thời gian đã bị thu hồi trước khi cấp dấu; thời gian ký tự khai được dùng', 'the TSA certificate was revoked before the timestamp was made; the claimed signing time is used instead'), warnings: [], revocation: 'revoked' };
  }
  if (results.some((r) => r.status === 'unknown')) {
    const unknown = message('TSA_REVOCATION_UNKNOWN', 'Không xác định được tình trạng thu hồi của chứng thư đơn vị cấp dấu thời gian', 'the revocation status of the TSA certificate is unknown');
    return context.revocationMode === 'hard' ? { problem: unknown, warnings: [], revocation: 'unknown' } : { warnings: [unknown], revocation: 'unknown' };
  }
  return { warnings: [], revocation: 'good' };
}

function readTimestamp(token: Buffer, imprintOf: ContentDigest): TimestampFinding | undefined {
  const cms = verifyCms(token, () => Buffer.alloc(0));
  if (!cms.parsed || !cms.eContent || cms.eContentType !== OID.tstInfo) return undefined;
  const tst = readTstInfo(cms.eContent);
  if (!tst) return undefined;
  const alg = digestAlgorithmFromOid(tst.hashAlgorithm);
  const imprintOk = !!alg && tst.hashedMessage.equals(imprintOf(alg));
  return { genTime: tst.genTime, tsa: cms.signer?.subject ?? 'unknown TSA', intact: cms.intact, imprintOk, tsaCertificate: cms.signer, certificates: cms.certificates };
}

async function validateSignature(
  bytes: Buffer, final: PdfFile, sig: FoundSignature, ends: number[], dss: Dss, docMdp: { p: number; sigNum?: number } | undefined, context: ValidationContext,
  withCertificates: boolean,
): Promise<SignatureReport> {
  const messages: Message[] = [];
  const m = sig.dict.get('M');
  const claimed = m instanceof PdfString ? parsePdfDate(m.toText()) : undefined;
  const report: SignatureReport = {
    field: sig.fieldName,
    appearance: sig.widget ?? null,
    type: sig.type,
    subFilter: sig.subFilter ?? null,
    signer: null,
    claimedSigningTime: claimed?.toISOString() ?? null,
    timestamp: null,
    validationTime: { time: (context.at ?? new Date()).toISOString(), source: context.at ? 'given' : 'now' },
    digestAlgorithm: null,
    signatureAlgorithm: null,
    intact: false,
    coverage: 'UNCLEAR',
    byteRange: sig.byteRange ?? null,
    revision: null,
    modificationsAfter: 'NONE',
    modificationsAllowed: true,
    level: 'NONE',
    indication: 'TOTAL_FAILED',
    subIndication: 'FORMAT_FAILURE',
    certificatePath: [],
    trustAnchor: null,
    revocation: { status: 'not-checked', source: null },
    messages,
  };
  const range = checkByteRange(bytes, sig, ends);
  report.coverage = range.coverage;
  messages.push(...range.problems);
  if (range.coverage === 'UNCLEAR' || !sig.contents || !sig.byteRange) {
    if (!sig.contents) messages.push(message('NO_CONTENTS', 'Chữ ký không có /Contents', 'the signature has no /Contents'));
    return report;
  }
  const br = sig.byteRange;
  const digestOf = rangeDigest(bytes, br);
  const legacySha1 = sig.subFilter === 'adbe.pkcs7.sha1';
  const cms = verifyCms(sig.contents, digestOf, { expectEncapsulated: legacySha1 ? 'sha1' : undefined });
  messages.push(...cms.messages);
  report.digestAlgorithm = cms.digestName ?? cms.digestAlgorithm;
  report.signatureAlgorithm = cms.signatureAlgorithm ? `${describeSignatureOid(cms.signatureAlgorithm).scheme} (${cms.signatureAlgorithm})` : null;
  if (cms.signer) report.signer = { subject: cms.signer.subject, issuer: cms.signer.issuer, serial: cms.signer.serialHex };

  // ETSI.CAdES.detached / adbe.pkcs7.detached carry no encapsulated content (EN 319 142-1 §6.3 b).
  let formatProblem = false;
  if (cms.parsed && cms.eContent && sig.type === 'signature' && !legacySha1) {
    formatProblem = true;
    messages.push(message('ECONTENT_IN_DETACHED', 'Chữ ký tách rời nhưng CMS lại chứa nội dung đóng gói', 'a detached signature carries encapsulated content'));
  }
  let timestamp: TimestampFinding | undefined;
  if (sig.type === 'document-timestamp' && cms.parsed) {
    timestamp = readTimestamp(sig.contents, digestOf);
    if (!timestamp?.imprintOk) {
      cms.intact = false;
      cms.failure = 'HASH_FAILURE';
      messages.push(message('TST_IMPRINT', 'Dấu thời gian không khớp với tài liệu', 'the document timestamp imprint does not match the document'));
    }
  } else if (cms.signatureValue) {
    const token = cms.unsignedAttributes.find((a) => a.type === OID.signatureTimeStampToken)?.values[0];
    if (token) {
      const sv = cms.signatureValue;
      timestamp = readTimestamp(token, (alg) => createHash(alg).update(sv).digest());
      if (timestamp && (!timestamp.intact || !timestamp.imprintOk)) {
        messages.push(message('TST_INVALID', 'Dấu thời gian của chữ ký không hợp lệ', 'the signature timestamp does not verify'));
      }
    }
  }
  if (timestamp) report.timestamp = { genTime: timestamp.genTime.toISOString(), tsa: timestamp.tsa, intact: timestamp.intact && timestamp.imprintOk, trusted: false };
  report.intact = cms.intact;

  // Changes after signing, compared with the revision this signature covers.
  try {
    const signedFile = PdfFile.parse(bytes.subarray(0, br[2] + br[3]), undefined, final.budget);
    report.revision = signedFile.xref.sections.length;
    const mods = analyseModifications(signedFile, final);
    report.modificationsAfter = mods.level;
    const isCertifier = docMdp?.sigNum !== undefined && docMdp.sigNum === sig.ref?.num;
    const p = docMdp && (isCertifier || (docMdp.sigNum !== undefined && (sig.ref?.num ?? 0) !== docMdp.sigNum)) ? docMdp.p : undefined;
    const allowed: ModificationLevel = p === 1 ? 'LTA_UPDATES' : p === 2 ? 'FORM_FILLING' : 'ANNOTATIONS';
    report.modificationsAllowed = LEVEL_ORDER.indexOf(mods.level) <= LEVEL_ORDER.indexOf(allowed);
    const lock = fieldLock(signedFile, sig);
    const locked = lock ? mods.changedFields.filter((f) => f !== sig.fieldName && isLocked(lock, f)) : [];
    if (locked.length > 0) {
      report.modificationsAllowed = false;
      messages.push(message('FIELD_LOCKED', `Trường bị khóa bởi chữ ký này đã bị thay đổi: ${locked.slice(0, 5).join(', ')}`, `fields locked by this signature were changed: ${locked.slice(0, 5).join(', ')}`));
    }
    if (mods.level !== 'NONE') {
      messages.push(message('MODIFIED_AFTER_SIGNING', `Tài liệu được sửa sau khi ký (${mods.level}): ${mods.details.slice(0, 3).join('; ')}`, `changed after signing (${mods.level}): ${mods.details.slice(0, 3).join('; ')}`));
    }
  } catch {
    report.modificationsAfter = 'OTHER';
    report.modificationsAllowed = false;
    messages.push(message('SIGNED_REVISION_UNREADABLE', 'Không đọc được phiên bản đã ký', 'the signed revision cannot be read'));
  }

  // Best known signing time: a timestamp's genTime, else the claimed /M time.
  const at = context.at ?? new Date();
  let signingTime = at;
  const tsaCheck = timestamp && timestamp.intact && timestamp.imprintOk
    ? await trustTimestamp(timestamp, [...context.intermediates, ...dss.certificates], { crls: [...cms.crls, ...dss.crls], ocsps: [...cms.ocsps, ...dss.ocsps] }, context)
    : undefined;
  const tsaProblem = tsaCheck?.problem;
  if (tsaProblem) messages.push(tsaProblem);
  if (tsaCheck) messages.push(...tsaCheck.warnings);
  if (report.timestamp && tsaCheck?.revocation) report.timestamp.revocation = tsaCheck.revocation;
  if (report.timestamp) report.timestamp.trusted = !!timestamp?.intact && !!timestamp.imprintOk && !tsaProblem;
  if (timestamp && timestamp.intact && timestamp.imprintOk && !tsaProblem) {
    signingTime = timestamp.genTime;
    report.validationTime = { time: signingTime.toISOString(), source: 'timestamp' };
  } else if (claimed && claimed <= at) {
    signingTime = claimed;
    report.validationTime = { time: signingTime.toISOString(), source: 'claimed' };
  }

  const crypto = cryptoConstraints(cms, signingTime, report.validationTime.source, context.strictCryptoFrom);
  messages.push(...crypto.messages);

  let sub: SubIndication | null = null;
  let indication: Indication = 'TOTAL_PASSED';
  if (!cms.parsed || formatProblem || range.coverage !== 'ENTIRE_FILE' && range.coverage !== 'ENTIRE_REVISION') {
    indication = 'TOTAL_FAILED';
    sub = 'FORMAT_FAILURE';
  } else if (!cms.intact) {
    const failure = cms.failure ?? 'SIG_CRYPTO_FAILURE';
    indication = failure === 'HASH_FAILURE' || failure === 'SIG_CRYPTO_FAILURE' || failure === 'FORMAT_FAILURE' ? 'TOTAL_FAILED' : 'INDETERMINATE';
    sub = failure;
  } else if (crypto.failure) {
    indication = 'INDETERMINATE';
    sub = crypto.failure;
  } else if (cms.signer) {
    const pool = [...cms.certificates, ...dss.certificates, ...context.intermediates];
    const chain = buildChain(cms.signer, pool, context.trust, signingTime);
    report.certificatePath = chain.path.map((c) => ({
      subject: c.subject, issuer: c.issuer, serial: c.serialHex, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString(), sha256: c.sha256,
      ...(withCertificates ? { der: c.der.toString('base64') } : {}),
    }));
    report.trustAnchor = chain.anchor?.subject ?? null;
    messages.push(...chain.problems);
    if (!chain.anchor) {
      indication = 'INDETERMINATE';
      sub = 'NO_CERTIFICATE_CHAIN_FOUND';
    } else if (chain.expiredAt) {
      indication = 'INDETERMINATE';
      sub = 'OUT_OF_BOUNDS_NO_POE';
    } else if (chain.problems.length > 0) {
      indication = 'INDETERMINATE';
      sub = 'CHAIN_CONSTRAINTS_FAILURE';
    } else {
      const embedded = { crls: [...cms.crls, ...dss.crls], ocsps: [...cms.ocsps, ...dss.ocsps] };
      const revocations = await checkPathRevocation(chain.path, (c) => !!context.trust.match(c), embedded, context, signingTime);
      const revocation = revocations.signer;
      report.revocation = {
        status: revocation.status,
        source: revocation.source,
        revokedAt: revocation.revokedAt?.toISOString(),
        stale: revocation.stale || undefined,
        evidence: revocation.evidence ? { kind: revocation.evidence.kind, base64: revocation.evidence.der.toString('base64') } : undefined,
        authorities: revocations.authorities.map(({ certificate, result }) => ({
          subject: certificate.subject, status: result.status, source: result.source, revokedAt: result.revokedAt?.toISOString(), stale: result.stale || undefined,
          evidence: result.evidence ? { kind: result.evidence.kind, base64: result.evidence.der.toString('base64') } : undefined,
        })),
      };
      const verdict = revocationVerdict(revocations, signingTime, report.validationTime.source === 'timestamp', context.revocationMode);
      messages.push(...verdict.messages);
      if (verdict.indication) {
        indication = verdict.indication;
        sub = verdict.subIndication;
      }
    }
  }
  report.indication = indication;
  report.subIndication = sub;
  report.level = padesLevel(report, dss);
  if (indication === 'TOTAL_PASSED') messages.push(message('SIGNATURE_VALID', 'Chữ ký số hợp lệ', 'the signature is valid'));
  return report;
}

/**
 * Cryptographic constraints (Circular 15/2025/TT-BKHCN: RSA ≥ 2048, ECDSA ≥ 256; RFC 8419 for EdDSA). MD5,
 * RSA < 1024, EC < 160 and Ed448 without SHAKE256 always fail. Keys below the national minimum and SHA-1
 * are accepted with a warning for documents signed before the policy's cut-over (legacy documents); signed
 * on or after it, or with no known signing time before it, they are CRYPTO_CONSTRAINTS_FAILURE_NO_POE.
 */
function cryptoConstraints(
  cms: ReturnType<typeof verifyCms>, signingTime: Date, source: SignatureReport['validationTime']['source'], strictFrom: Date,
): { failure?: SubIndication; messages: Message[] } {
  const messages: Message[] = [];
  const signer = cms.signer;
  if (signer && cms.signatureAlgorithm === OID.ed448 && cms.digestAlgorithm !== ED448_SHAKE) {
    messages.push(message('ED448_DIGEST', 'Ed448 phải dùng SHAKE256 (RFC 8419)', 'Ed448 signatures must use SHAKE256 (RFC 8419)'));
    return { failure: 'CRYPTO_CONSTRAINTS_FAILURE', messages };
  }
  if (cms.digestName === 'md5' || (signer && ((signer.keyType === 'rsa' && signer.keyBits < 1024) || (signer.keyType === 'ec' && signer.keyBits < 160)))) {
    messages.push(message('CRYPTO_BROKEN', 'Thuật toán hoặc độ dài khóa không còn an toàn', 'the algorithm or key size is broken'));
    return { failure: 'CRYPTO_CONSTRAINTS_FAILURE', messages };
  }
  const weak: string[] = [];
  if (cms.digestName === 'sha1') weak.push('SHA-1');
  if (signer?.keyType === 'rsa' && signer.keyBits < 2048) weak.push(`RSA ${signer.keyBits} bit`);
  if (signer?.keyType === 'ec' && signer.keyBits < 256) weak.push(`EC ${signer.keyBits} bit`);
  if (weak.length === 0) return { messages };
  const what = weak.join(', ');
  const legacy = signingTime < strictFrom && source !== 'now' && source !== 'given';
  const cutOver = strictFrom.toISOString().slice(0, 10);
  if (legacy) {
    messages.push(message('CRYPTO_LEGACY', `${what} dưới mức tối thiểu hiện hành; chấp nhận vì tài liệu được ký trước ${cutOver}`, `${what} is below the current minimum; accepted because the document was signed before ${cutOver}`));
    return { messages };
  }
  messages.push(message('CRYPTO_TOO_WEAK', `${what} dưới mức tối thiểu (RSA 2048 bit, EC 256 bit, SHA-256) cho tài liệu ký từ ${cutOver}`, `${what} is below the minimum (RSA 2048 bits, EC 256 bits, SHA-256) for documents signed from ${cutOver}`));
  return { failure: 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE', messages };
}

/**
 * The revocation part of the verdict (EN 319 102-1 §5.2.6, §5.6.2.1): a CA revoked before the signing time
 * is REVOKED_CA_NO_POE; a signer revoked before it is REVOKED; revoked after it passes only when a trusted
 * timestamp proves the signature existed before (else REVOKED_NO_POE). The signer's status must be known
 * in both modes; in hard mode every CA's status must be known too and answers must speak for the signing time.
 */
function revocationVerdict(
  revocations: PathRevocation, signingTime: Date, provenByTimestamp: boolean, mode: 'soft' | 'hard',
): { indication?: Indication; subIndication: SubIndication | null; messages: Message[] } {
  const messages: Message[] = [];
  const caRevoked = revocations.authorities.find((a) => a.result.status === 'revoked' && (!a.result.revokedAt || a.result.revokedAt <= signingTime));
  if (caRevoked) {
    messages.push(message('CA_REVOKED', `Chứng thư CA "${caRevoked.certificate.subject}" đã bị thu hồi trước thời điểm ký`, `the CA certificate "${caRevoked.certificate.subject}" was revoked before the signing time`));
    return { indication: 'INDETERMINATE', subIndication: 'REVOKED_CA_NO_POE', messages };
  }
  const signer = revocations.signer;
  if (signer.status === 'revoked' && (!signer.revokedAt || signer.revokedAt <= signingTime)) {
    messages.push(message('REVOKED', 'Chứng thư số của người ký đã bị thu hồi trước thời điểm ký', 'the signer certificate was revoked before the signing time'));
    return { indication: 'TOTAL_FAILED', subIndication: 'REVOKED', messages };
  }
  if (signer.status === 'revoked') {
    if (provenByTimestamp) {
      messages.push(message('REVOKED_AFTER_POE', 'Chứng thư số bị thu hồi sau thời điểm ký đã được dấu thời gian chứng minh', 'the signer certificate was revoked after the signing time proven by the timestamp'));
      return { subIndication: null, messages };
    }
    messages.push(message('REVOKED_AFTER', 'Chứng thư số bị thu hồi sau thời điểm ký tự khai, không có dấu thời gian chứng minh', 'the signer certificate was revoked after the claimed signing time, with no timestamp to prove it'));
    return { indication: 'INDETERMINATE', subIndication: 'REVOKED_NO_POE', messages };
  }
  if (signer.status === 'unknown') {
    messages.push(message('REVOCATION_UNKNOWN', 'Không xác định được tình trạng thu hồi của chứng thư số', 'the revocation status of the signer certificate is unknown'));
    return { indication: 'INDETERMINATE', subIndication: 'TRY_LATER', messages };
  }
  if (signer.stale) {
    messages.push(message('REVOCATION_STALE', 'Thông tin thu hồi của chứng thư người ký không bao trùm thời điểm ký', 'the signer\'s revocation data does not cover the signing time'));
  }
  for (const { certificate, result } of revocations.authorities) {
    if (result.status === 'unknown') {
      messages.push(message('CA_REVOCATION_UNKNOWN', `Không xác định được tình trạng thu hồi của chứng thư CA "${certificate.subject}"`, `the revocation status of the CA certificate "${certificate.subject}" is unknown`));
      if (mode === 'hard') return { indication: 'INDETERMINATE', subIndication: 'TRY_LATER', messages };
    } else if (result.stale) {
      messages.push(message('CA_REVOCATION_STALE', `Thông tin thu hồi của "${certificate.subject}" không bao trùm thời điểm ký`, `the revocation data of "${certificate.subject}" does not cover the signing time`));
    }
  }
  return { subIndication: null, messages };
}

/** The level from the signature alone; document timestamps after it are taken into account later. */
function padesLevel(report: SignatureReport, dss: Dss): PadesLevel {
  if (!report.intact) return 'NONE';
  if (report.type === 'document-timestamp') return 'B-LTA';
  if (!report.timestamp) return 'B-B';
  return dss.certificates.length === 0 && dss.crls.length === 0 && dss.ocsps.length === 0 ? 'B-T' : 'B-LT';
}

/**
 * EN 319 142-1 §5.3–5.4: a document timestamp after a signature time-stamps it too (B-T without a
 * signature timestamp of its own), and a B-LT signature (validation data in the DSS) followed by a
 * document timestamp is B-LTA.
 */
function applyDocumentTimestamps(report: DocumentReport, dss: Dss): void {
  const stamps = report.signatures.filter((s) => s.type === 'document-timestamp' && s.intact && s.byteRange);
  const end = (s: SignatureReport): number => (s.byteRange && s.byteRange.length === 4 ? s.byteRange[2] + s.byteRange[3] : Number.MAX_SAFE_INTEGER);
  const hasDss = dss.certificates.length > 0 || dss.crls.length > 0 || dss.ocsps.length > 0;
  for (const sig of report.signatures) {
    if (sig.type !== 'signature' || sig.level === 'NONE' || !stamps.some((t) => end(t) > end(sig))) continue;
    if (sig.level === 'B-B') sig.level = 'B-T';
    else if (sig.level === 'B-LT' && hasDss) sig.level = 'B-LTA';
  }
}

function failedReport(sig: FoundSignature, msg: Message): SignatureReport {
  return {
    field: sig.fieldName, type: sig.type, subFilter: sig.subFilter ?? null, signer: null, claimedSigningTime: null, timestamp: null,
    validationTime: { time: new Date().toISOString(), source: 'now' }, digestAlgorithm: null, signatureAlgorithm: null, intact: false,
    coverage: 'UNCLEAR', byteRange: sig.byteRange ?? null, revision: null, modificationsAfter: 'NONE', modificationsAllowed: true, level: 'NONE',
    indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE', certificatePath: [], trustAnchor: null,
    revocation: { status: 'not-checked', source: null }, messages: [msg],
  };
}

function summarise(report: DocumentReport): void {
  const sigs = report.signatures;
  if (sigs.length === 0) {
    report.indication = 'NO_SIGNATURE';
    report.messages.push(message('NO_SIGNATURE', 'Tài liệu không có chữ ký số', 'the document has no signature'));
    return;
  }
  const failed = sigs.find((s) => s.indication === 'TOTAL_FAILED' || !s.modificationsAllowed);
  if (failed) {
    report.indication = 'TOTAL_FAILED';
    report.subIndication = failed.indication === 'TOTAL_FAILED' ? failed.subIndication : null;
  } else if (sigs.some((s) => s.indication === 'INDETERMINATE')) {
    report.indication = 'INDETERMINATE';
    report.subIndication = sigs.find((s) => s.indication === 'INDETERMINATE')?.subIndication ?? null;
  } else report.indication = 'TOTAL_PASSED';
  if (report.bytesAfterLastRevision > 0 && report.indication === 'TOTAL_PASSED') report.indication = 'INDETERMINATE';
}
