/**
 * `kyso verify`: one report per file (JSON lines with --json, else a table in Vietnamese or English).
 * Exit codes: 0 all TOTAL_PASSED, 1 any TOTAL_FAILED or disallowed change, 2 otherwise INDETERMINATE,
 * 3 no signature, 4 unreadable input or usage error.
 */
import { readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { AppError } from '../errors';
// The validator is loaded once the files are known (for many files, after the worker threads are
// started, so they start while it loads); the ETSI report writer only when it is used.
import type { DocumentReport } from '../validation/report';
import type { BatchSize } from '../validation/validate-files';
import { VERIFY_USAGE } from './usage';
import { batchThreads, PARALLEL_FROM, parseVerifyArgs } from './verify-options';


/**
 * dd/MM/yyyy HH:mm:ss +07:00. Viet Nam keeps +07:00 all year, so the time is shifted by hand: loading the
 * locale data for Intl costs more than a whole verification.
 */
const showTime = (iso: string | null): string => {
  if (!iso) return '-';
  const t = new Date(Date.parse(iso) + 7 * 3600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(t.getUTCDate())}/${two(t.getUTCMonth() + 1)}/${t.getUTCFullYear()} ${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())} +07:00`;
};

export function exitCodeFor(reports: DocumentReport[]): number {
  if (reports.some((r) => r.error)) return 4;
  if (reports.some((r) => r.indication === 'TOTAL_FAILED')) return 1;
  if (reports.some((r) => r.indication === 'INDETERMINATE')) return 2;
  if (reports.some((r) => r.indication === 'NO_SIGNATURE')) return 3;
  return 0;
}

export interface VerifyCommandOptions {
  /** The validation worker threads' script (the bundle's own, when the command runs from it). */
  workerEntry?: string;
  /** Worker threads already started for a batch (startBatchWorkers); the command ends those it does not use. */
  startedWorkers?: Worker[];
  /** Called once every thread that validates has loaded its code, with the batch's size (see tiering.ts). */
  onDocuments?: (batch: BatchSize) => void;
}

export async function runVerifyCommand(argv: string[], out: (line: string) => void, defaultTrustDir: string, options: VerifyCommandOptions = {}): Promise<number> {
  const { values, positionals } = parseVerifyArgs(argv);
  if (positionals.length === 0) throw new AppError('USAGE', VERIFY_USAGE);
  const etsiReport = values['etsi-report'];
  if (etsiReport && positionals.length !== 1) throw new AppError('USAGE', '--etsi-report writes the report of one file: give exactly one PDF');
  const at = values.at ? new Date(values.at) : undefined;
  if (at && Number.isNaN(at.getTime())) throw new AppError('USAGE', `--at is not an ISO-8601 time: ${values.at}`);
  const strictCryptoFrom = values['strict-crypto-from'] ? new Date(values['strict-crypto-from']) : undefined;
  if (strictCryptoFrom && Number.isNaN(strictCryptoFrom.getTime())) throw new AppError('USAGE', `--strict-crypto-from is not a date: ${values['strict-crypto-from']}`);
  if (values.revocation !== 'soft' && values.revocation !== 'hard') throw new AppError('USAGE', `--revocation must be soft or hard, not ${values.revocation}`);
  const revocationMode: 'soft' | 'hard' = values.revocation === 'hard' ? 'hard' : 'soft';
  const contextOptions = {
    trustDirs: values.trust ?? [defaultTrustDir], intermediateDirs: values.intermediates ?? [], offline: values.offline, at, revocationMode, strictCryptoFrom,
  };
  const en = values.lang === 'en';
  const files = positionals.flatMap((p) => pdfFilesUnder(p));
  if (files.length === 0) throw new AppError('USAGE', `no PDF file found in ${positionals.join(', ')}`);
  const reports: DocumentReport[] = [];
  const started = Date.now();
  const progress = process.stderr.isTTY && files.length > 1 ? (done: number) => {
    const width = 30;
    const filled = Math.round((done / files.length) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${files.length}${done === files.length ? '\n' : ''}`);
  } : undefined;
  const writeEtsiReport = etsiReport ? (await import('../validation/etsi-report')).writeEtsiReport : undefined;
  const request = { hashFile: values.hash, includeCertificates: !!etsiReport };
  const show = (report: DocumentReport): void => {
    reports.push(report);
    if (etsiReport && writeEtsiReport && !report.error) {
      // Written beside and renamed, so a reader never sees half a report.
      writeFileSync(`${etsiReport}.${process.pid}.tmp`, writeEtsiReport(report), { mode: 0o644 });
      renameSync(`${etsiReport}.${process.pid}.tmp`, etsiReport);
    }
    if (progress) process.stderr.write('\r\x1b[2K');
    if (values.json) out(JSON.stringify(report));
    else printTable(report, en, out);
    progress?.(reports.length);
  };
  if (files.length >= PARALLEL_FROM) {
    // Many files: validated on every core, and reported in the order given as soon as each is known.
    // Workers open the files themselves; a large file is read where the validation needs it, not whole.
    const { validateFiles } = await import('../validation/validate-files');
    const known: DocumentReport[] = [];
    await validateFiles(files, contextOptions, request, {
      threads: batchThreads(),
      workerEntry: options.workerEntry,
      startedWorkers: options.startedWorkers,
      onWorkersLoaded: options.onDocuments,
      onReport: (index, report) => {
        known[index] = report;
        while (known[reports.length]) show(known[reports.length]);
      },
    });
  } else {
    for (const worker of options.startedWorkers ?? []) void worker.terminate(); // a few files: this thread alone
    const { validateInput } = await import('../validation/document-validator');
    const context = (await import('../validation/validation-context')).createValidationContext(contextOptions);
    if (options.onDocuments) {
      const { batchSizeOf, fileSizes } = await import('../validation/validate-files');
      options.onDocuments(batchSizeOf(fileSizes(files)));
    }
    for (const file of files) show(await validateInput({ path: file }, context, { ...request, fileName: file }));
  }
  if (files.length > 1) printSummary(reports, Date.now() - started, en, values.json ? (line) => process.stderr.write(`${line}\n`) : out);
  return exitCodeFor(reports);
}

/**
 * A file, or every *.pdf under a folder (recursively, in name order: by character code, ignoring case).
 * Not localeCompare: its first call loads the collation data, which costs more than a dozen verifications.
 */
function pdfFilesUnder(target: string): string[] {
  let stat;
  try {
    stat = statSync(target);
  } catch {
    return [target]; // reported as unreadable in its turn
  }
  if (!stat.isDirectory()) return [target];
  return readdirSync(target, { withFileTypes: true })
    .sort((a, b) => byName(a.name, b.name))
    .flatMap((entry) => {
      const full = path.join(target, entry.name);
      if (entry.isDirectory()) return pdfFilesUnder(full);
      return entry.isFile() && /\.pdf$/i.test(entry.name) ? [full] : [];
    });
}

function byName(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The totals of a batch: files per verdict, and the rate. */
function printSummary(reports: DocumentReport[], ms: number, en: boolean, out: (line: string) => void): void {
  const rows: Array<[string, number]> = [
    ['TOTAL_PASSED', reports.filter((r) => !r.error && r.indication === 'TOTAL_PASSED').length],
    ['TOTAL_FAILED', reports.filter((r) => !r.error && r.indication === 'TOTAL_FAILED').length],
    ['INDETERMINATE', reports.filter((r) => !r.error && r.indication === 'INDETERMINATE').length],
    ['NO_SIGNATURE', reports.filter((r) => !r.error && r.indication === 'NO_SIGNATURE').length],
    [en ? 'unreadable' : 'không đọc được', reports.filter((r) => r.error).length],
  ];
  out('');
  out(`${en ? 'result' : 'kết quả'}`.padEnd(18) + (en ? 'files' : 'số tệp'));
  for (const [label, n] of rows) out(`${label.padEnd(18)}${n}`);
  out(`${(en ? 'total' : 'tổng').padEnd(18)}${reports.length} (${(reports.length / Math.max(ms / 1000, 0.001)).toFixed(1)} ${en ? 'files/s' : 'tệp/giây'})`);
}

function printTable(report: DocumentReport, en: boolean, out: (line: string) => void): void {
  out(`${path.basename(report.file ?? '')}: ${report.error ? (en ? report.error.en : report.error.vi) : report.indication}${report.subIndication ? ` / ${report.subIndication}` : ''}`);
  for (const s of report.signatures) {
    out(`  [${s.field}] ${s.indication}${s.subIndication ? ` / ${s.subIndication}` : ''}`);
    out(`    ${en ? 'signer' : 'người ký'}: ${s.signer?.subject ?? '-'}`);
    out(`    ${en ? 'signing time' : 'thời gian ký'}: ${showTime(s.timestamp?.genTime ?? s.claimedSigningTime)}${s.timestamp ? (en ? ' (timestamp)' : ' (dấu thời gian)') : ''}`);
    const revocation = s.revocation.status === 'not-checked' ? '-' : `${s.revocation.status}${s.revocation.source ? ` (${s.revocation.source})` : ''}`;
    out(`    ${en ? 'trust anchor' : 'chứng thư gốc'}: ${s.trustAnchor ?? '-'}; ${en ? 'revocation' : 'thu hồi'}: ${revocation}`);
    out(`    ${en ? 'intact' : 'toàn vẹn'}: ${s.intact ? (en ? 'yes' : 'có') : en ? 'NO' : 'KHÔNG'}; ${en ? 'coverage' : 'phạm vi'}: ${s.coverage}; ${en ? 'changes after signing' : 'sửa đổi sau khi ký'}: ${s.modificationsAfter}${s.modificationsAllowed ? '' : en ? ' (not allowed)' : ' (không được phép)'}; ${en ? 'level' : 'mức'}: ${s.level}`);
    for (const m of s.messages) out(`    - ${en ? m.en : m.vi}`);
  }
  for (const m of report.messages) out(`  - ${en ? m.en : m.vi}`);
}
