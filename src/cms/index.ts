export * from './algorithms';
export * from './certificate';
export { buildSignedAttributes, buildSignedData } from './build-signed-data';
export type { SignedAttributesInput, SignedDataInput } from './build-signed-data';
export { ecdsaPlainToDer } from './ecdsa-signature';
export { splitSignedDataCertificates } from './split-signed-data';
