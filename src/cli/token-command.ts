/** `kyso token list`: slots, tokens and the objects on each (private keys only with a PIN). */
import { parseArgs } from 'node:util';
import { AppError } from '../errors';
import { listTokenObjects, Pkcs11Module, readSecret } from '../signers';
import { TOKEN_USAGE } from './usage';


export async function runTokenCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'pkcs11-module': { type: 'string' },
      'pin-file': { type: 'string' },
      'pin-env': { type: 'string' },
    },
  });
  if (positionals[0] !== 'list' || !values['pkcs11-module']) throw new AppError('USAGE', TOKEN_USAGE);
  const pin = values['pin-file'] || values['pin-env']
    ? readSecret({ file: values['pin-file'], env: values['pin-env'] }, 'token PIN')
    : undefined;
  const module = Pkcs11Module.load(values['pkcs11-module']);
  try {
    const tokens = module.listTokens();
    if (tokens.length === 0) out('no tokens present');
    for (const token of tokens) {
      if (!token.initialized) {
        out(`slot ${token.slotIndex}: empty token (not initialised)`);
        continue;
      }
      out(`slot ${token.slotIndex}: token '${token.label}' serial ${token.serial} (${token.manufacturer} ${token.model})${token.pinLocked ? ' PIN LOCKED' : ''}`);
      for (const o of listTokenObjects(module, token, pin)) {
        out(`  ${o.kind.padEnd(12)} label '${o.label}' id ${o.id || '-'}${o.subject ? `  ${o.subject}` : ''}`);
      }
    }
    return 0;
  } finally {
    module.close();
  }
}
