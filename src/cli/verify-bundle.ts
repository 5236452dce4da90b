/**
 * What the `kyso verify` bundle holds (built by scripts/bundle-cli.mjs into dist/bundles/verify.js): the
 * command, and the validation worker thread's entry, so both threads run the same compiled code. The
 * validator's modules run only when first used, as from the modules: the command starts its worker
 * threads before this thread loads the validator.
 */
export { runVerifyCommand } from './verify-command';

export async function serveValidationWorker(): Promise<void> {
  (await import('../validation/validation-worker')).serveValidationWorker();
}
