/**
 * The status machine of a recipient's copy (edXML QCVN 102:2016 status codes; Decree 30/2020 Art. 21): the
 * codes, the moves a recipient may make, and the history a document starts with on arrival.
 */
import type { DocumentReport } from '../validation';
import type { StatusEntry } from './models';

export const STATUS = {
  /** Kyso's own code before 01: on its way to a recipient served by another Kyso ("đang chuyển"). */
  IN_TRANSIT: '00',
  ARRIVED: '01', RETURNED: '02', ACCEPTED: '03', ASSIGNED: '04', IN_PROGRESS: '05', DONE: '06',
  RECALL_REQUESTED: '13', RECALL_ACCEPTED: '15', RECALL_REFUSED: '16',
} as const;

/** Moves a recipient may make (edXML status codes). Recall answers follow a recall request only. */
export const TRANSITIONS: Record<string, string[]> = {
  '01': ['02', '03'],
  '03': ['04', '05', '06'],
  '04': ['05', '06'],
  '05': ['06'],
  '13': ['15', '16'],
  '16': ['03', '04', '05', '06'],
};


/** The history on arrival: 01, and 02 at once when the document is unreadable, unsigned or fails. */
export function arrivalHistory(report: DocumentReport, at: Date, byOrganId: string): StatusEntry[] {
  const history: StatusEntry[] = [{ status: STATUS.ARRIVED, at, byOrganId }];
  const failing = report.error ? 'PDF_MALFORMED' : report.indication === 'NO_SIGNATURE' ? 'NO_SIGNATURE'
    : report.indication === 'TOTAL_FAILED' ? (report.subIndication ?? 'MODIFIED_AFTER_SIGNING') : undefined;
  if (failing) {
    history.push({ status: STATUS.RETURNED, at, byOrganId, reason: `Tự động trả lại: chữ ký số không hợp lệ (${failing}) / returned automatically: signature check failed (${failing})` });
  }
  return history;
}
