/** Where the command line's bundles are built (scripts/bundle-cli.mjs), next to the compiled modules. */
import * as path from 'node:path';

export const VERIFY_BUNDLE = path.join(__dirname, '..', 'bundles', 'verify.js');
/** The worker threads' entry that loads VERIFY_BUNDLE. */
export const VERIFY_WORKER = path.join(__dirname, 'verify-worker.js');
