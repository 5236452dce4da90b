export { validatePdf } from './validate-pdf';
export type { ValidatePdfOptions } from './validate-pdf';
export { createValidationContext } from './validation-context';
export type { ValidationContext } from './validation-context';
export { TrustStore } from './trust-store';
export { analyseModifications } from './analyse-modifications';
export { verifyCms } from './verify-cms';
export { buildChain } from './build-chain';
export * from './report';
