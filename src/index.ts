/** Kyso's library API: signing (three steps or one call), signers, validation. */
export { AppError, isAppError } from './errors';
export type { ErrorCode } from './errors';
export { PdfFile, findSignatures } from './pdf';
export { Pkcs11Module, Pkcs11Signer, Pkcs12Signer, readSecret } from './signers';
export type { Signer } from './signers';
export { signPdf, signPdfFile, prepareSignature, completeSignature, joinParts } from './signing';
export type { SignPdfOptions, SignatureRequest, PreparedSignature } from './signing';
export { validatePdf, createValidationContext, TrustStore } from './validation';
export type { DocumentReport, SignatureReport, ValidationContext } from './validation';
