export { signPdf, joinParts } from './sign-pdf';
export type { SignPdfOptions } from './sign-pdf';
export {
  prepareSignature,
  completeSignature,
  checkSignatureValue,
  estimateContentsSize,
  hashPreparedPdf,
} from './prepare-signature';
export type { SignatureRequest, PreparedSignature, CompletedSignature } from './prepare-signature';
export { checkSigningCertificate } from './check-signing-certificate';
export { writeFileAtomically } from './write-file-atomically';
export { openPdfForSigning, signPdfFile } from './sign-pdf-file';
export type { OpenedPdf } from './sign-pdf-file';
export { requestTimestamp, signatureTimestampAttribute, timestampReserve } from './request-timestamp';
export { addDocumentTimestamp } from './add-document-timestamp';
export { buildStackedAppearance, buildStampAppearance, formatVietnamIso, formatVietnamTime, SERIF_FONT } from './build-stamp-appearance';
export { buildSignerStamp, parsePlacement } from './signer-stamp';
export type { Placement, SignerStampInput } from './signer-stamp';
export type { StampOptions } from './build-stamp-appearance';
export { signAgencyText } from './sign-agency-text';
export type { AgencyText } from './sign-agency-text';
export { signIssuing, vietnameseDate } from './sign-issuing';
export type { IssuingSignature, IssuingText } from './sign-issuing';
