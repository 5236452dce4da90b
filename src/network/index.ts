export type { RevocationFetcher, TimestampAuthority } from './sources';
export { createHttpFetcher, createHttpTimestampAuthority, readTimestampResponse, positiveInteger, timestampRequest } from './http-sources';
export { createInMemoryFetcher, createInMemoryTimestampAuthority } from './in-memory-sources';
export type { InMemoryFetcher, InMemoryTimestampAuthorityOptions } from './in-memory-sources';
export { fetchOverHttp } from './fetch-over-http';
