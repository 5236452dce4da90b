/**
 * Whether a command loads the vendor PKCS#11 module in a child process (a module that crashes takes down
 * that process only): `--isolate`, or KYSO_PKCS11_ISOLATE=1 as for the service.
 */
export const isolated = (flag: boolean | undefined): boolean => !!flag || process.env.KYSO_PKCS11_ISOLATE === '1';
