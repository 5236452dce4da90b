/**
 * A loaded PKCS#11 module (a vendor .so). One instance per module path per process: C_Initialize may
 * only run once (CKR_CRYPTOKI_ALREADY_INITIALIZED), so the caller owns and shares this object.
 */
import * as pkcs11js from 'pkcs11js';
import { AppError } from '../../errors';
import { translatePkcs11Error } from './pkcs11-errors';

export interface TokenSlot {
  slot: pkcs11js.Handle;
  slotIndex: number;
  label: string;
  serial: string;
  manufacturer: string;
  model: string;
  loginRequired: boolean;
  pinLocked: boolean;
  /** The token reports that few PIN attempts are left, or only one (PKCS#11 v2.40 §5.6, CK_TOKEN_INFO flags). */
  pinCountLow: boolean;
  pinFinalTry: boolean;
  /** The token has its own PIN pad: log in without giving the PIN. */
  protectedAuthenticationPath: boolean;
  initialized: boolean;
}

export class Pkcs11Module {
  private closed = false;

  private constructor(
    readonly path: string,
    readonly lib: pkcs11js.PKCS11,
  ) {}

  static load(path: string): Pkcs11Module {
    const lib = new pkcs11js.PKCS11();
    try {
      lib.load(path);
    } catch (error) {
      throw new AppError('PKCS11_MODULE_LOAD_FAILED', `cannot load the PKCS#11 module ${path}`, { cause: error });
    }
    try {
      lib.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
    } catch (error) {
      if ((error as { code?: number }).code !== pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        throw translatePkcs11Error(error, 'initialising the module');
      }
    }
    return new Pkcs11Module(path, lib);
  }

  listTokens(): TokenSlot[] {
    try {
      const slots = this.lib.C_GetSlotList(true);
      return slots.flatMap((slot, slotIndex) => {
        let info: pkcs11js.TokenInfo;
        try {
          info = this.lib.C_GetTokenInfo(slot);
        } catch {
          // A slot whose token cannot be read (removed or deleted meanwhile) holds no usable token.
          return [];
        }
        return [{
          slot,
          slotIndex,
          label: info.label.trim(),
          serial: info.serialNumber.trim(),
          manufacturer: info.manufacturerID.trim(),
          model: info.model.trim(),
          loginRequired: (info.flags & pkcs11js.CKF_LOGIN_REQUIRED) !== 0,
          pinLocked: (info.flags & pkcs11js.CKF_USER_PIN_LOCKED) !== 0,
          pinCountLow: (info.flags & pkcs11js.CKF_USER_PIN_COUNT_LOW) !== 0,
          pinFinalTry: (info.flags & pkcs11js.CKF_USER_PIN_FINAL_TRY) !== 0,
          protectedAuthenticationPath: (info.flags & pkcs11js.CKF_PROTECTED_AUTHENTICATION_PATH) !== 0,
          initialized: (info.flags & pkcs11js.CKF_TOKEN_INITIALIZED) !== 0,
        }];
      });
    } catch (error) {
      throw translatePkcs11Error(error, 'listing tokens');
    }
  }

  /** Finds a token by label, serial or slot index (the position in the list of present tokens). */
  findToken(selector: { tokenLabel?: string; tokenSerial?: string; slot?: number }): TokenSlot {
    const tokens = this.listTokens();
    const found = tokens.find(
      (t) =>
        (selector.tokenLabel === undefined || t.label === selector.tokenLabel) &&
        (selector.tokenSerial === undefined || t.serial === selector.tokenSerial) &&
        (selector.slot === undefined || t.slotIndex === selector.slot),
    );
    if (!found) {
      const wanted = selector.tokenLabel ?? selector.tokenSerial ?? (selector.slot !== undefined ? `slot ${selector.slot}` : 'any');
      throw new AppError('TOKEN_NOT_PRESENT', `no token '${wanted}' is present (found: ${tokens.map((t) => t.label).join(', ') || 'none'})`);
    }
    return found;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.lib.C_Finalize();
    } catch {
      // already finalised
    }
    this.lib.close();
  }
}
