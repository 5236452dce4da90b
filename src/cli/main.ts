#!/usr/bin/env node
/** The `kyso` command line: thin commands over the library. Errors print one line and exit non-zero. */
import { isAppError } from '../errors';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { AGENT_USAGE, EDXML_USAGE, EXTEND_USAGE, ISSUE_USAGE, SIGN_USAGE, TOKEN_USAGE, VERIFY_USAGE } from './usage';

const USAGE = `kyso — PAdES signing and verification\n\n${SIGN_USAGE}\n${EXTEND_USAGE}\n${VERIFY_USAGE}\n${TOKEN_USAGE}\n${AGENT_USAGE}\n${EDXML_USAGE}\n${ISSUE_USAGE}`;
const DEFAULT_TRUST_DIR = path.join(__dirname, '..', '..', 'certs', 'trust');

/** Runs one command; `out` and `err` take one line each (what they return is not used). */
export async function runCli(argv: string[], out: (line: string) => unknown = (l) => process.stdout.write(`${l}\n`), err: (line: string) => unknown = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'sign':
        // Each command loads only what it uses (verification never loads PKCS#11 or the font engine).
        return await (await import('./sign-command')).runSignCommand(rest, out);
      case 'verify':
        return await runVerify(rest, out, err);
      case 'extend':
        return await (await import('./extend-command')).runExtendCommand(rest, out, DEFAULT_TRUST_DIR);
      case 'token':
        return await (await import('./token-command')).runTokenCommand(rest, out);
      case 'edxml':
        return await (await import('./edxml-command')).runEdxmlCommand(rest, out);
      case 'issue':
        return await (await import('./issue-command')).runIssueCommand(rest, out);
      case 'agent':
        return await (await import('./agent-command')).runAgentCommand(rest, out);
      case undefined:
      case 'help':
      case '--help':
        out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        err(`kyso: unknown command '${command}'\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (isAppError(error)) {
      err(`kyso: ${error.code}: ${error.message}`);
      if (command === 'verify') return 4;
      return error.code === 'USAGE' ? 2 : 1;
    }
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`kyso: USAGE: ${error.message}`);
      return command === 'verify' ? 4 : 2;
    }
    err(`kyso: INTERNAL: ${error instanceof Error ? error.message : String(error)}`);
    return 70;
  }
}

/**
 * `kyso verify` from its bundle with the code cache when Kyso is built (dist/bundles/verify.js), else from
 * the modules (running from the TypeScript sources).
 */
async function runVerify(argv: string[], out: (line: string) => unknown, err: (line: string) => unknown): Promise<number> {
  const { VERIFY_BUNDLE, VERIFY_WORKER } = await import('./bundles');
  if (!existsSync(VERIFY_BUNDLE)) return (await import('./verify-command')).runVerifyCommand(argv, out, DEFAULT_TRUST_DIR);
  const tiering = await import('./tiering');
  tiering.tieringAtStart();
  // A worker thread takes tens of milliseconds to start: for a batch, the workers start now and load the
  // bundle while this thread loads it and lists the files.
  const { batchThreads, namesBatch } = await import('./verify-options');
  const startedWorkers = namesBatch(argv)
    ? (await import('../validation/validator-pool')).startBatchWorkers(batchThreads() - 1, VERIFY_WORKER)
    : [];
  const bundle = (await import('./load-bundle')).loadBundle<typeof import('./verify-bundle')>(VERIFY_BUNDLE);
  try {
    return await bundle.exports.runVerifyCommand(argv, out, DEFAULT_TRUST_DIR, { workerEntry: VERIFY_WORKER, startedWorkers, onDocuments: tiering.documentsBegin });
  } finally {
    // Workers the command did not reach (an argument error) end with it.
    for (const worker of startedWorkers) void worker.terminate();
    tiering.documentsEnd();
    const problem = bundle.saveCache();
    if (problem) err(`kyso: the code cache cannot be written (${problem}); verification is slower until KYSO_CACHE_DIR names a writable folder`);
  }
}

if (require.main === module) {
  // Output piped into a command that stops reading (`kyso verify … | head`) ends quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
