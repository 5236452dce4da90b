/**
 * `kyso verify`: one report per file (JSON lines with --json, else a table in Vietnamese or English).
 * Exit codes: 0 all TOTAL_PASSED, 1 any TOTAL_FAILED or disallowed change, 2 otherwise INDETERMINATE,
 * 3 no signature, 4 unreadable input or usage error.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { AppError } from '../errors';
import { createValidationContext, DocumentReport, validatePdf, writeEtsiReport } from '../validation';
import { VERIFY_USAGE } from './usage';


const VN_TIME = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', dateStyle: 'short', timeStyle: 'medium' });
const showTime = (iso: string | null): string => (iso ? `${VN_TIME.format(new Date(iso))} +07:00` : '-');

export function exitCodeFor(reports: DocumentReport[]): number {
  if (reports.some((r) => r.error)) return 4;
  if (reports.some((r) => r.indication === 'TOTAL_FAILED')) return 1;
  if (reports.some((r) => r.indication === 'INDETERMINATE')) return 2;
  if (reports.some((r) => r.indication === 'NO_SIGNATURE')) return 3;
  return 0;
}

export async function runVerifyCommand(argv: string[], out: (line: string) => void, defaultTrustDir: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      trust: { type: 'string', multiple: true },
      intermediates: { type: 'string', multiple: true },
      offline: { type: 'boolean', default: false },
      revocation: { type: 'string', default: 'soft' },
      'strict-crypto-from': { type: 'string' },
      at: { type: 'string' },
      json: { type: 'boolean', default: false },
      lang: { type: 'string', default: 'vi' },
      hash: { type: 'boolean', default: false },
      'etsi-report': { type: 'string' },
    },
  });
  if (positionals.length === 0) throw new AppError('USAGE', VERIFY_USAGE);
  const etsiReport = values['etsi-report'];
  if (etsiReport && positionals.length !== 1) throw new AppError('USAGE', '--etsi-report writes the report of one file: give exactly one PDF');
  const at = values.at ? new Date(values.at) : undefined;
  if (at && Number.isNaN(at.getTime())) throw new AppError('USAGE', `--at is not an ISO-8601 time: ${values.at}`);
  const strictCryptoFrom = values['strict-crypto-from'] ? new Date(values['strict-crypto-from']) : undefined;
  if (strictCryptoFrom && Number.isNaN(strictCryptoFrom.getTime())) throw new AppError('USAGE', `--strict-crypto-from is not a date: ${values['strict-crypto-from']}`);
  if (values.revocation !== 'soft' && values.revocation !== 'hard') throw new AppError('USAGE', `--revocation must be soft or hard, not ${values.revocation}`);
  const context = createValidationContext({
    trustDirs: values.trust ?? [defaultTrustDir], intermediateDirs: values.intermediates ?? [], offline: values.offline, at, revocationMode: values.revocation, strictCryptoFrom,
  });
  const en = values.lang === 'en';
  const reports: DocumentReport[] = [];
  for (const file of positionals) {
    let report: DocumentReport;
    try {
      // Read synchronously: one file at a time anyway, and a batch spends less time waiting.
      report = await validatePdf(readFileSync(file), context, file, { hashFile: values.hash, includeCertificates: !!etsiReport });
    } catch (error) {
      report = {
        file, sha256: null, size: 0, revisions: 0, signatures: [], bytesAfterLastRevision: 0, indication: 'NO_SIGNATURE', subIndication: null,
        messages: [], validatedAt: new Date().toISOString(),
        error: { code: 'INPUT_UNREADABLE', vi: `Không đọc được tệp ${file}`, en: `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})` },
      };
    }
    reports.push(report);
    if (etsiReport && !report.error) {
      // Written beside and renamed, so a reader never sees half a report.
      writeFileSync(`${etsiReport}.${process.pid}.tmp`, writeEtsiReport(report), { mode: 0o644 });
      renameSync(`${etsiReport}.${process.pid}.tmp`, etsiReport);
    }
    if (values.json) out(JSON.stringify(report));
    else printTable(report, en, out);
  }
  return exitCodeFor(reports);
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
