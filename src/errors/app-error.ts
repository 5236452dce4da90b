/**
 * One error type for every operational failure Kyso reports, with a stable string code. Driver errors
 * (pkcs11js, node-forge, zlib) are translated at the boundary and kept as `cause`.
 */
export type ErrorCode =
  | 'USAGE'
  | 'INPUT_NOT_FOUND'
  | 'OUTPUT_WRITE_FAILED'
  | 'PDF_MALFORMED'
  | 'PDF_ENCRYPTED'
  | 'PDF_FIELD_NOT_FOUND'
  | 'PDF_FIELD_ALREADY_SIGNED'
  | 'PDF_FIELD_EXISTS'
  | 'PDF_FIELD_FILLED'
  | 'PDF_SIGNATURE_TOO_LARGE'
  | 'PDF_SIGNING_NOT_PERMITTED'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_KEY_USAGE'
  | 'CERT_UNSUPPORTED_KEY'
  | 'CERT_MALFORMED'
  | 'CMS_MALFORMED'
  | 'SIGNATURE_VALUE_INVALID'
  | 'SIGNING_SESSION_MISMATCH'
  | 'P12_PASSPHRASE_INCORRECT'
  | 'P12_MALFORMED'
  | 'SECRET_UNREADABLE'
  | 'PKCS11_MODULE_LOAD_FAILED'
  | 'TOKEN_NOT_PRESENT'
  | 'TOKEN_PIN_INCORRECT'
  | 'TOKEN_LOCKED'
  | 'TOKEN_PIN_EXPIRED'
  | 'KEY_NOT_FOUND'
  | 'CERT_NOT_FOUND'
  | 'MECHANISM_NOT_SUPPORTED'
  | 'TOKEN_ERROR'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'INVALID_REQUEST'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'AGENCY_UNKNOWN'
  | 'AGENCY_EXISTS'
  | 'DUPLICATE_DOCUMENT_NUMBER'
  | 'DOCUMENT_NOT_SIGNED'
  | 'DOCUMENT_SIGNATURE_INVALID'
  | 'STATUS_TRANSITION_INVALID'
  | 'SESSION_NOT_FOUND'
  | 'SESSION_EXPIRED'
  | 'SESSION_USED'
  | 'SIGNER_NOT_CONFIGURED'
  | 'DATABASE_UNAVAILABLE'
  | 'TSA_UNAVAILABLE'
  | 'REVOCATION_UNAVAILABLE'
  | 'REVOCATION_NOT_YET_FRESH'
  | 'PKCS11_MODULE_CRASHED'
  | 'TSA_NOT_CONFIGURED'
  | 'TOO_MANY_REQUESTS'
  | 'REQUEST_TIMEOUT'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'INBOUND_SENDER_IS_LOCAL'
  | 'PDF_DECODE_BUDGET_EXCEEDED'
  | 'SERVICE_BUSY'
  | 'USER_EXISTS'
  | 'LOGIN_FAILED'
  | 'ACCOUNT_LOCKED'
  | 'CSRF_TOKEN_INVALID'
  | 'SESSION_ENDED'
  | 'EDXML_INVALID'
  | 'PEER_UNKNOWN'
  | 'PEER_UNAVAILABLE';

export interface AppErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

/**
 * Marks an AppError across copies of this module: the command line's bundle carries its own copy, and an
 * error it throws must still be recognised by the command that reports it.
 */
const BRAND = Symbol.for('kyso.AppError');

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  readonly [BRAND] = true;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError || (value instanceof Error && (value as { [BRAND]?: unknown })[BRAND] === true);
}
