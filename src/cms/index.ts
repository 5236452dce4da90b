export * from './algorithms';
export * from './certificate';
export { buildSignedAttributes, buildSignedData } from './build-signed-data';
export type { SignedAttributesInput, SignedDataInput } from './build-signed-data';
export { ecdsaPlainToDer } from './ecdsa-signature';
export { readSignedData } from './read-signed-data';
export type { RawAttribute, SignedDataView, SignerInfoView } from './read-signed-data';
export { readTlv } from './der';
