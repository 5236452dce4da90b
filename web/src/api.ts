/**
 * The one way the pages reach data: Kyso's HTTP API under /v1, with the session cookie and, on every change,
 * the session's CSRF token. Errors arrive as RFC 9457 problems and are thrown as ApiError, whose message
 * says what happened in the page's language (problems.ts).
 */
import { lang } from './i18n';
import { describeProblem } from './problems';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: Record<string, unknown>) {
    super(message);
  }
}

let csrfToken = '';
export const setCsrfToken = (token: string): void => {
  csrfToken = token;
};

async function call<T>(method: string, url: string, body?: BodyInit | object, headers: Record<string, string> = {}, answer?: (headers: Headers) => void): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers } };
  if (method !== 'GET') (init.headers as Record<string, string>)['X-CSRF-Token'] = csrfToken;
  if (body instanceof FormData || body instanceof Blob || body instanceof ArrayBuffer) init.body = body as BodyInit;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
  }
  const res = await fetch(url, init);
  answer?.(res.headers);
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  if (!res.ok) {
    const problem = type.includes('json') ? await res.json() as { code?: string; detail?: string; title?: string; details?: Record<string, unknown> } : {};
    const code = problem.code ?? 'HTTP_' + res.status;
    throw new ApiError(res.status, code, describeProblem(code, problem.detail ?? problem.title ?? res.statusText, lang.get()), problem.details);
  }
  if (type.includes('application/json')) return await res.json() as T;
  return await res.arrayBuffer() as T;
}

export const api = {
  get: <T>(url: string) => call<T>('GET', url),
  post: <T>(url: string, body?: BodyInit | object, headers?: Record<string, string>) => call<T>('POST', url, body, headers),
  put: <T>(url: string, body?: object) => call<T>('PUT', url, body),
  del: <T>(url: string) => call<T>('DELETE', url),
  bytes: (url: string) => call<ArrayBuffer>('GET', url),
  /** A PDF posted for a PDF back, with the answer's headers (the issued number). */
  pdf: async (url: string, pdf: ArrayBuffer): Promise<{ bytes: ArrayBuffer; headers: Headers }> => {
    let headers = new Headers();
    const bytes = await call<ArrayBuffer>('POST', url, new Blob([pdf], { type: 'application/pdf' }), { 'Content-Type': 'application/pdf' }, (h) => { headers = h; });
    return { bytes, headers };
  },
};

export interface Me {
  user?: { username: string; organId: string; role: string; fullName: string };
  csrfToken?: string;
  caller: { organId: string; organName: string; role: string; organIds: string[] };
}

export interface Message { code: string; vi: string; en: string }
export interface SignatureSummary {
  field: string;
  type: string;
  signer: string | { subject: string } | null;
  claimedSigningTime: string | null;
  timestamp: string | { genTime: string; tsa: string; trusted: boolean } | null;
  intact: boolean;
  modificationsAfter: string;
  level: string;
  indication: string;
  subIndication: string | null;
  trustAnchor: string | null;
  messages: Array<Message | string>;
  appearance?: { page: number | null; rect: number[] } | null;
  certificatePath?: Array<{ subject: string; issuer: string; notAfter?: string }>;
  revocation?: { status: string; source: string | null };
}
export interface Report {
  indication: string;
  subIndication: string | null;
  signatures: SignatureSummary[];
  messages?: Message[];
  sha256?: string | null;
  validatedAt: string;
  pageCount?: number;
}
export interface StatusEntry { status: string; at: string; byOrganId: string; reason?: string; staffName?: string; staffPosition?: string }
export interface Recipient {
  organId: string; organName: string; status: string; history: StatusEntry[]; needsReview: boolean; documentRemoved: boolean; verification?: Report;
  arrival?: { number: number; year: number; at: string; forwardTo: string } | null;
}
export interface Copy { copyId: string; form: string; number: number; year: number; symbol: string; pages: number[]; at: string; size: number }
export interface Exchange {
  exchangeId: string;
  fromOrganId: string;
  fromOrganName: string;
  to: Array<{ organId: string; organName: string }>;
  codeNumber: string;
  codeNotation: string;
  issuedDate: string;
  subject: string;
  documentType?: string;
  signerCompetence?: string;
  signerPosition?: string;
  signerFullName?: string;
  promulgationPlace?: string;
  priority: number;
  dueDate?: string | null;
  fileName: string;
  sha256: string;
  size: number;
  pageAmount: number;
  verification: Report;
  attachments: Array<{ name: string; sha256: string; size: number }>;
  state: string;
  recallReason?: string;
  createdAt: string;
  documentId: string;
  inboundTo?: string;
  recipients: Recipient[];
}
export interface Agency { organId: string; name: string; active: boolean }
