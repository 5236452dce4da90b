/**
 * A validation worker thread of `kyso verify`, running the command's bundle with its code cache. A failure
 * to load ends the thread with the error, which the command reports against the file it would have taken.
 */
import { loadBundle } from './load-bundle';
import { VERIFY_BUNDLE } from './bundles';

void loadBundle<typeof import('./verify-bundle')>(VERIFY_BUNDLE).exports.serveValidationWorker();
