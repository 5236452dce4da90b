/**
 * Child process that holds a vendor PKCS#11 module for an IsolatedPkcs11Signer: a module that crashes
 * (vendor libraries do) takes down this process only. Messages over the IPC channel; Buffers as base64;
 * errors as { code, message } (never the PIN).
 */
import { AppError, isAppError } from '../../errors';
import { Pkcs11Module } from './pkcs11-module';
import { Pkcs11Signer } from './pkcs11-signer';
import type { HostRequest, HostResponse, IsolatedOpenOptions } from './isolated-pkcs11-signer';

let signer: Pkcs11Signer | undefined;
let pkcs11Module: Pkcs11Module | undefined;

async function handle(request: HostRequest): Promise<unknown> {
  switch (request.op) {
    case 'open': {
      const { modulePath, extraCertificates, ...selectorAndPin } = request.options as IsolatedOpenOptions & { pin: string | null };
      pkcs11Module = Pkcs11Module.load(modulePath);
      signer = await Pkcs11Signer.open({
        ...selectorAndPin, module: pkcs11Module, extraCertificates: extraCertificates?.map((c) => Buffer.from(c, 'base64')),
      });
      return null;
    }
    case 'certificateChain':
      return (await required().certificateChain()).map((c) => c.toString('base64'));
    case 'schemes':
      return required().schemes();
    case 'sign':
      return (await required().sign(Buffer.from(request.data as string, 'base64'), request.digest as never, request.scheme as never)).toString('base64');
    case 'close':
      await signer?.close();
      pkcs11Module?.close();
      setImmediate(() => process.exit(0));
      return null;
    default:
      throw new AppError('USAGE', `unknown operation ${String(request.op)}`);
  }
}

function required(): Pkcs11Signer {
  if (!signer) throw new AppError('TOKEN_NOT_PRESENT', 'the token is not open');
  return signer;
}

process.on('message', (request: HostRequest) => {
  handle(request).then(
    (result) => process.send?.({ id: request.id, result } satisfies HostResponse),
    (error: unknown) => process.send?.({
      id: request.id,
      error: isAppError(error) ? { code: error.code, message: error.message } : { code: 'INTERNAL', message: 'the PKCS#11 host failed' },
    } satisfies HostResponse),
  );
});
// The parent going away ends the host (no orphaned process holding a token session).
process.on('disconnect', () => process.exit(0));
