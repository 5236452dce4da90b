/** `kyso sign`: signs a PDF with a PKCS#12 file or a PKCS#11 token, writing the result atomically. */
import { promises as fs } from 'node:fs';
import { parseArgs } from 'node:util';
import { readCertificates, SigningDigestAlgorithm } from '../cms';
import { AppError } from '../errors';
import type { SignatureAppearance } from '../pdf';
import type { Pkcs11Module, Signer } from '../signers';
// Only the signer a run uses is loaded (the PKCS#11 binding is a native module; start-up time counts).
import { Pkcs12Signer } from '../signers/pkcs12/pkcs12-signer';
import { readSecret } from '../signers/secret';
import * as path from 'node:path';
import { buildSignerStamp, OpenedPdf, openPdfForSigning, parsePlacement, signPdfFile, writeFileAtomically } from '../signing';
import { isolated } from './isolation';
import { signRemotely } from './remote-sign';
import { SIGN_USAGE } from './usage';


function parseSignArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      p12: { type: 'string' },
      'passphrase-file': { type: 'string' },
      'passphrase-env': { type: 'string' },
      'pkcs11-module': { type: 'string' },
      'token-label': { type: 'string' },
      'token-serial': { type: 'string' },
      slot: { type: 'string' },
      'key-label': { type: 'string' },
      'key-id': { type: 'string' },
      'cert-label': { type: 'string' },
      'cert-id': { type: 'string' },
      'pin-file': { type: 'string' },
      'pin-env': { type: 'string' },
      chain: { type: 'string' },
      field: { type: 'string' },
      reason: { type: 'string' },
      location: { type: 'string' },
      contact: { type: 'string' },
      digest: { type: 'string', default: 'sha256' },
      pss: { type: 'boolean', default: false },
      remote: { type: 'string' },
      tsa: { type: 'string' },
      visible: { type: 'string' },
      'signature-image': { type: 'string' },
      'seal-image': { type: 'string' },
      title: { type: 'string' },
      'api-key-file': { type: 'string' },
      isolate: { type: 'boolean', default: false },
    },
  });
}

type SignValues = ReturnType<typeof parseSignArgs>['values'];

export async function runSignCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseSignArgs(argv);
  if (positionals.length !== 1 || !values.output) throw new AppError('USAGE', SIGN_USAGE);
  if (!['sha256', 'sha384', 'sha512'].includes(values.digest as string)) throw new AppError('USAGE', `unsupported digest ${values.digest}`);
  if (!!values.p12 === !!values['pkcs11-module']) throw new AppError('USAGE', 'give exactly one of --p12 or --pkcs11-module');
  if (values.remote && values.tsa) throw new AppError('USAGE', '--tsa is not used with --remote: the service time-stamps when it has a TSA (KYSO_TSA_URL)');
  // Check the input before anyone is asked for a PIN (reading only its trailer and cross-reference); the
  // structure read here is the one signed.
  const input = await openPdfForSigning(positionals[0]);
  try {
    return await signOpened(input, values.output, values, out);
  } finally {
    input.close();
  }
}

async function signOpened(input: OpenedPdf, output: string, values: SignValues, out: (line: string) => void): Promise<number> {
  if (input.file.isEncrypted()) throw new AppError('PDF_ENCRYPTED', 'encrypted PDFs cannot be signed');
  const extra = values.chain ? readCertificates(await readInput(values.chain)) : [];

  let signer: Signer;
  let module: Pkcs11Module | undefined;
  if (values.p12) {
    const passphrase = readSecret({ file: values['passphrase-file'], env: values['passphrase-env'] }, 'PKCS#12 passphrase');
    signer = Pkcs12Signer.open({ data: await readInput(values.p12), passphrase });
  } else {
    const pin = readSecret({ file: values['pin-file'], env: values['pin-env'] }, 'token PIN');
    const selector = {
      tokenLabel: values['token-label'],
      tokenSerial: values['token-serial'],
      slot: values.slot === undefined ? undefined : Number(values.slot),
      keyLabel: values['key-label'],
      keyId: values['key-id'],
      certLabel: values['cert-label'],
      certId: values['cert-id'],
    };
    if (isolated(values.isolate)) {
      // The vendor module in a child process: if it crashes, this command fails with a clear error.
      const { IsolatedPkcs11Signer } = await import('../signers');
      signer = await IsolatedPkcs11Signer.open({ ...selector, modulePath: values['pkcs11-module'] as string, pin, extraCertificates: extra.map((c) => c.toString('base64')) });
    } else {
      const { Pkcs11Module, Pkcs11Signer } = await import('../signers');
      module = Pkcs11Module.load(values['pkcs11-module'] as string);
      signer = await Pkcs11Signer.open({ module, ...selector, pin, extraCertificates: extra }).catch((error) => {
        module?.close();
        throw error;
      });
    }
  }
  try {
    const schemes = await signer.schemes();
    const scheme = values.pss ? 'rsa-pss' : schemes[0];
    if (!schemes.includes(scheme)) throw new AppError('MECHANISM_NOT_SUPPORTED', `this key cannot sign with ${scheme}`);
    const signingTime = new Date();
    let appearance: SignatureAppearance | undefined;
    if ((values['signature-image'] || values['seal-image'] || values.title) && !values.visible) throw new AppError('USAGE', '--signature-image, --seal-image and --title need --visible');
    if (values.visible) {
      appearance = await buildSignerStamp({
        certificate: (await signer.certificateChain())[0],
        placement: parsePlacement(values.visible),
        signingTime,
        signatureImage: values['signature-image'] ? await readInput(values['signature-image']) : undefined,
        sealImage: values['seal-image'] ? await readInput(values['seal-image']) : undefined,
        title: values.title?.replace(/\\n/g, '\n'),
      });
    }
    if (values.remote) {
      const apiKey = readSecret({ file: values['api-key-file'] }, 'API key');
      const signed = await signRemotely({
        baseUrl: values.remote, apiKey, pdf: await readInput(input.path), fileName: path.basename(input.path), signer, scheme,
        digestAlgorithm: values.digest as SigningDigestAlgorithm, fieldName: values.field, reason: values.reason, location: values.location,
      });
      await writeFileAtomically(output, [signed]);
      out(`signed ${input.path} → ${output} (via ${values.remote})`);
      return 0;
    }
    await signPdfFile(input, output, signer, {
      // The HTTP client is loaded only when a time-stamp is asked for.
      tsa: values.tsa ? (await import('../network')).createHttpTimestampAuthority(values.tsa) : undefined,
      appearance,
      signingTime,
      scheme,
      digestAlgorithm: values.digest as SigningDigestAlgorithm,
      fieldName: values.field,
      reason: values.reason,
      location: values.location,
      contactInfo: values.contact,
    });
    out(`signed ${input.path} → ${output}`);
    return 0;
  } finally {
    await signer.close();
    module?.close();
  }
}

export async function readInput(path: string): Promise<Buffer> {
  try {
    return await fs.readFile(path);
  } catch (error) {
    throw new AppError('INPUT_NOT_FOUND', `cannot read ${path}`, { cause: (error as NodeJS.ErrnoException).code });
  }
}
