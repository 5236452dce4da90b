/**
 * The edXML package of QCVN 102:2016 as Kyso reads and writes it: a document message (MessageHeader,
 * TraceHeaderList, the manifest and the base64 attachments after the envelope) and a status message. Dates
 * in the header are Vietnamese calendar dates (yyyy/MM/dd) and times in Asia/Ho_Chi_Minh (+07:00).
 */

export const EDXML_NAMESPACE = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';

export interface EdxmlOrgan {
  organId: string;
  organizationInCharge?: string;
  organName: string;
  organAdd?: string;
  email?: string;
  telephone?: string;
  fax?: string;
  website?: string;
}

export interface EdxmlStaff {
  department?: string;
  staff?: string;
  mobile?: string;
  email?: string;
}

/** What a reply (or a status) answers: the original document's issuer, số và ký hiệu, date and DocumentId. */
export interface EdxmlResponseFor {
  organId: string;
  code: string;
  promulgationDate?: Date;
  documentId: string;
}

export interface EdxmlManifestEntry {
  /** `cid:…`, the key that joins the manifest entry and the encoded attachment. */
  contentId: string;
  contentType: string;
  attachmentName: string;
  description?: string;
}

export interface EdxmlMessage {
  from: EdxmlOrgan;
  to: EdxmlOrgan[];
  codeNumber: string;
  codeNotation: string;
  promulgationPlace?: string;
  /** The calendar date of issue (midnight UTC of that date). */
  promulgationDate: Date;
  documentType?: { type?: string; typeName?: string };
  subject: string;
  content?: string;
  signer?: { competence?: string; position?: string; fullName?: string };
  dueDate?: Date | null;
  toPlaces: string[];
  otherInfo: {
    /** 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc. */
    priority: number;
    sphereOfPromulgation?: string;
    typerNotation?: string;
    promulgationAmount?: number;
    pageAmount?: number;
    appendixes: string[];
  };
  steeringType?: number;
  /** `OrganId,yyyy/MM/dd,number/notation`. */
  documentId: string;
  responseFor?: EdxmlResponseFor;
  trace: Array<{ organId: string; timestamp: Date }>;
  business: {
    /** 0 new, 1 recall, 2 update, 3 replace. */
    docType: number;
    reason?: string;
    staffInfo?: EdxmlStaff;
    paper?: number;
  };
  manifest: EdxmlManifestEntry[];
}

export interface EdxmlStatus {
  responseFor: EdxmlResponseFor;
  from: EdxmlOrgan;
  /** 01 received … 06 done, 13 recall requested, 15 recall accepted, 16 recall refused. */
  statusCode: string;
  description?: string;
  timestamp: Date;
  staffInfo?: EdxmlStaff;
}

export const EDXML_STATUS_CODES = ['01', '02', '03', '04', '05', '06', '13', '15', '16'] as const;

const VIETNAM_OFFSET_MS = 7 * 3600_000;
const two = (n: number) => String(n).padStart(2, '0');

/** yyyy/MM/dd of a calendar date held as midnight UTC (or of an instant, read in +07:00 when it has a time). */
export function formatEdxmlDate(date: Date): string {
  const calendar = date.getUTCHours() === 0 && date.getUTCMinutes() === 0 && date.getUTCSeconds() === 0 ? date : new Date(date.getTime() + VIETNAM_OFFSET_MS);
  return `${calendar.getUTCFullYear()}/${two(calendar.getUTCMonth() + 1)}/${two(calendar.getUTCDate())}`;
}

/** yyyy/MM/dd HH:mm:ss in Vietnam time, as the national axis writes trace and status timestamps. */
export function formatEdxmlTimestamp(at: Date): string {
  const local = new Date(at.getTime() + VIETNAM_OFFSET_MS);
  return `${formatEdxmlDate(new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate())))} ${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())}`;
}

/** A yyyy/MM/dd date (dd/MM/yyyy and yyyy-MM-dd are met in the field too) as midnight UTC of that date; null when it is none. */
export function parseEdxmlDate(text: string): Date | null {
  const t = text.trim();
  const ymd = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/.exec(t);
  const dmy = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  const [y, m, d] = ymd ? [+ymd[1], +ymd[2], +ymd[3]] : dmy ? [+dmy[3], +dmy[2], +dmy[1]] : [NaN, NaN, NaN];
  if (!Number.isFinite(y)) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d ? date : null;
}

/** A trace or status timestamp: yyyy/MM/dd HH:mm:ss (Vietnam time), dd/MM/yyyy HH:mm:ss, or ISO 8601 with a zone. */
export function parseEdxmlTimestamp(text: string): Date | null {
  const t = text.trim();
  const local = /^(\d{4})\/(\d{1,2})\/(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(t) ?? null;
  const dmy = local ? null : /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(t);
  if (local || dmy) {
    const [y, mo, d] = local ? [+local[1], +local[2], +local[3]] : [+dmy![3], +dmy![2], +dmy![1]];
    const [h, mi, s] = (local ?? dmy)!.slice(4, 7).map((v) => Number(v ?? 0));
    const day = parseEdxmlDate(`${y}/${mo}/${d}`);
    if (!day || h > 23 || mi > 59 || s > 59) return null;
    return new Date(day.getTime() + ((h * 60 + mi) * 60 + s) * 1000 - VIETNAM_OFFSET_MS);
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(t)) {
    const d = new Date(t);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

/** DocumentId = OrganId,yyyy/MM/dd,number/notation (QCVN 102:2016). */
export function edxmlDocumentId(organId: string, issued: Date, codeNumber: string, codeNotation: string): string {
  return `${organId},${formatEdxmlDate(issued)},${codeNumber}/${codeNotation}`;
}

/** An agency code (mã định danh, QCVN 102:2016 OrganId): digits, capitals and dots, e.g. 000.00.00.G22. */
export const ORGAN_ID_PATTERN = /^[0-9A-Z.]{1,35}$/;
