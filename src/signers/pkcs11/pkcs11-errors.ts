/**
 * Translates PKCS#11 return values (PKCS#11 v2.40 §5.1) into Kyso error codes with clear messages.
 * The PIN itself never appears in a message.
 */
import * as pkcs11js from 'pkcs11js';
import { AppError, ErrorCode } from '../../errors';

const TABLE: Array<[number, ErrorCode, string]> = [
  [pkcs11js.CKR_PIN_INCORRECT, 'TOKEN_PIN_INCORRECT', 'the token PIN is incorrect (not retried, so the token is not locked)'],
  [pkcs11js.CKR_PIN_LEN_RANGE, 'TOKEN_PIN_INCORRECT', 'the token PIN has the wrong length'],
  [pkcs11js.CKR_PIN_INVALID, 'TOKEN_PIN_INCORRECT', 'the token PIN contains invalid characters'],
  [pkcs11js.CKR_PIN_LOCKED, 'TOKEN_LOCKED', 'the token PIN is locked after too many wrong attempts; unlock it with the SO PIN'],
  [pkcs11js.CKR_PIN_EXPIRED, 'TOKEN_PIN_EXPIRED', 'the token PIN has expired and must be changed'],
  [pkcs11js.CKR_TOKEN_NOT_PRESENT, 'TOKEN_NOT_PRESENT', 'no token is present in the slot'],
  [pkcs11js.CKR_DEVICE_REMOVED, 'TOKEN_NOT_PRESENT', 'the token was removed'],
  [pkcs11js.CKR_SLOT_ID_INVALID, 'TOKEN_NOT_PRESENT', 'the slot does not exist'],
  [pkcs11js.CKR_TOKEN_NOT_RECOGNIZED, 'TOKEN_NOT_PRESENT', 'the token is not recognised by the module'],
  [pkcs11js.CKR_MECHANISM_INVALID, 'MECHANISM_NOT_SUPPORTED', 'the token does not support this signature mechanism'],
  [pkcs11js.CKR_MECHANISM_PARAM_INVALID, 'MECHANISM_NOT_SUPPORTED', 'the token rejected the mechanism parameters'],
  [pkcs11js.CKR_KEY_TYPE_INCONSISTENT, 'MECHANISM_NOT_SUPPORTED', 'the key type does not fit the mechanism'],
  [pkcs11js.CKR_KEY_FUNCTION_NOT_PERMITTED, 'MECHANISM_NOT_SUPPORTED', 'the key is not allowed to sign'],
];

export function pkcs11Code(error: unknown): number | undefined {
  return typeof (error as { code?: unknown })?.code === 'number' ? (error as { code: number }).code : undefined;
}

export function translatePkcs11Error(error: unknown, during: string): AppError {
  if (error instanceof AppError) return error;
  const code = pkcs11Code(error);
  const hit = TABLE.find(([c]) => c === code);
  if (hit) return new AppError(hit[1], hit[2], { cause: error, details: { during, ckr: `0x${code?.toString(16)}` } });
  const name = error instanceof Error ? error.message.split(':')[0] : 'unknown error';
  return new AppError('TOKEN_ERROR', `the PKCS#11 module failed while ${during} (${name})`, {
    cause: error,
    details: code === undefined ? { during } : { during, ckr: `0x${code.toString(16)}` },
  });
}

/** Return values after which a fresh session (and login) may succeed (PKCS#11 v2.40 §5.1.3, §5.1.5). */
export function isSessionLost(error: unknown): boolean {
  const code = pkcs11Code(error);
  return (
    code === pkcs11js.CKR_SESSION_HANDLE_INVALID ||
    code === pkcs11js.CKR_SESSION_CLOSED ||
    code === pkcs11js.CKR_USER_NOT_LOGGED_IN ||
    code === pkcs11js.CKR_DEVICE_ERROR ||
    // Handles of a token that went away and came back (or was replaced) are stale: find the key again.
    code === pkcs11js.CKR_OBJECT_HANDLE_INVALID ||
    code === pkcs11js.CKR_KEY_HANDLE_INVALID
  );
}
