export { extendSignatures } from './extend-signatures';
export type { ExtendOptions, ExtendResult } from './extend-signatures';
