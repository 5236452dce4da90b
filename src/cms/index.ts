export * from './algorithms';
export * from './certificate';
export { buildSignedAttributes, buildSignedData } from './build-signed-data';
export type { SignedAttributesInput, SignedDataInput } from './build-signed-data';
export { ecdsaPlainToDer } from './ecdsa-signature';
export { splitSignedData } from './split-signed-data';
export type { RawAttribute, SplitSignedData } from './split-signed-data';
