/**
 * `kyso agent`: the signing agent on an official's PC. Opens the token (the PIN from a file, an environment
 * variable or typed here, never in the browser), shows the pairing code, and serves the Kyso pages of the
 * allowed origins on 127.0.0.1 until stopped.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { createAgentServer } from '../agent';
import { AppError, isAppError } from '../errors';
import { IsolatedPkcs11Signer, Pkcs11Module, Pkcs11Signer, readSecret, Signer } from '../signers';
import { isolated } from './isolation';

/** Reads the PIN from the terminal without echoing it. */
function promptPin(label: string): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!process.stdin.isTTY) return reject(new AppError('USAGE', 'no PIN given: use --pin-file or --pin-env, or run the agent in a terminal'));
    process.stdout.write(`PIN của USB ký số '${label}' (token PIN): `);
    let pin = '';
    process.stdin.setRawMode(true);
    process.stdin.resume();
    const onData = (chunk: Buffer): void => {
      for (const c of chunk.toString('utf8')) {
        if (c === '\r' || c === '\n') {
          process.stdin.setRawMode(false);
          process.stdin.pause();
          process.stdin.off('data', onData);
          process.stdout.write('\n');
          return resolve(pin);
        }
        if (c === '\u0003') return reject(new AppError('USAGE', 'cancelled'));
        pin = c === '\u007f' ? pin.slice(0, -1) : pin + c;
      }
    };
    process.stdin.on('data', onData);
  });
}

export async function runAgentCommand(args: string[], out: (line: string) => unknown): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'pkcs11-module': { type: 'string' },
      'token-label': { type: 'string' },
      'key-label': { type: 'string' },
      port: { type: 'string', default: '27400' },
      'allow-origin': { type: 'string', multiple: true },
      server: { type: 'string', multiple: true },
      'pin-file': { type: 'string' },
      'pin-env': { type: 'string' },
      'state-dir': { type: 'string' },
      'protected-auth': { type: 'boolean', default: false },
      isolate: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const modulePath = values['pkcs11-module'];
  const origins = (values['allow-origin'] ?? []).map((o) => o.replace(/\/+$/, ''));
  if (!modulePath || !values['token-label'] || !values['key-label']) throw new AppError('USAGE', 'kyso agent needs --pkcs11-module, --token-label and --key-label');
  if (origins.length === 0 || origins.some((o) => !/^https?:\/\/[^/]+$/.test(o))) throw new AppError('USAGE', 'give each allowed page origin with --allow-origin https://host[:port]');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AppError('USAGE', '--port is a port number');
  const tokenLabel = values['token-label'];
  // The PIN: on the token's own PIN pad (--protected-auth), from a file or variable, or typed here.
  const pin = values['protected-auth'] ? null
    : values['pin-file'] || values['pin-env'] ? readSecret({ file: values['pin-file'], env: values['pin-env'] }, 'token PIN') : await promptPin(tokenLabel);
  let signer: Signer | AppError;
  let module: Pkcs11Module | undefined;
  try {
    if (isolated(values.isolate)) {
      // The vendor module in a child process: a crash in it fails the request at hand, and the next one
      // starts the module again (with the PIN given at start); the agent keeps running.
      signer = await IsolatedPkcs11Signer.open({ modulePath, tokenLabel, keyLabel: values['key-label'], pin });
    } else {
      module = Pkcs11Module.load(modulePath);
      signer = await Pkcs11Signer.open({ module, tokenLabel, keyLabel: values['key-label'], pin });
    }
  } catch (error) {
    // The agent still starts: the page shows the reason (wrong PIN, token missing) instead of "not running".
    if (!isAppError(error) || error.code === 'USAGE') throw error;
    signer = error;
    // Tell how many PIN attempts are left when the token says (a locked PIN is its own error).
    if (error.code === 'TOKEN_PIN_INCORRECT' && module) {
      const slot = module.listTokens().find((t) => t.label === tokenLabel);
      if (slot?.pinFinalTry) signer = new AppError('TOKEN_PIN_INCORRECT', 'the token PIN is wrong; one attempt is left before the PIN locks', { details: { triesLeft: 1 } });
      else if (slot?.pinCountLow) signer = new AppError('TOKEN_PIN_INCORRECT', 'the token PIN is wrong; few attempts are left before the PIN locks', { details: { triesLeft: 'few' } });
    }
    out(`kyso agent: ${error.code}: ${error.message}`);
  }
  const server = createAgentServer({
    signer, tokenLabel, allowOrigins: origins, servers: (values.server ?? origins).map((s) => s.replace(/\/+$/, '')),
    stateDir: values['state-dir'] ?? path.join(os.homedir(), '.kyso-agent'),
    showPairingCode: (code) => out(`Mã ghép nối (pairing code): ${code}`),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new AppError('USAGE', error.code === 'EADDRINUSE' ? `port ${port} on 127.0.0.1 is in use (--port)` : error.message)));
    server.listen(port, '127.0.0.1', () => resolve());
  });
  out(`Kyso agent listening on http://127.0.0.1:${(server.address() as { port: number }).port} for ${origins.join(', ')}`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  if (!(signer instanceof AppError)) await signer.close();
  module?.close();
  return 0;
}
