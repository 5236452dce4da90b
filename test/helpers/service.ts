/** Opens the real service on the test run's database server, with a database of its own per test file. */
import type { TimestampAuthority } from '../../src/network';
import { randomBytes } from 'node:crypto';
import type request from 'supertest';
import { openService, Service } from '../../src/compose';
import { createValidationContext, TrustStore } from '../../src/validation';
import { Pkcs12Signer, Signer } from '../../src/signers';
import { joinParts, signPdf, SignPdfOptions } from '../../src/signing';
import { p12Passphrase, pkiFile, sample } from './fixtures';

export function testDatabaseUri(): string {
  const base = process.env.KYSO_TEST_MONGODB_URI;
  if (!base) throw new Error('KYSO_TEST_MONGODB_URI is not set (jest globalSetup starts the database)');
  return base.replace(/\/[^/?]*(\?|$)/, `/kyso_${randomBytes(6).toString('hex')}$1`);
}

export function testTrust(): TrustStore {
  const trust = new TrustStore();
  trust.add(pkiFile('root-ca.der'));
  return trust;
}

export async function openTestService(options: {
  serverSigner?: Signer; agencySigners?: Map<string, Signer>; sealImages?: Map<string, Buffer>; uploadLimitBytes?: number; uri?: string; ttl?: number;
  tsa?: TimestampAuthority; spoolDir?: string;
} = {}): Promise<Service> {
  return openService({
    mongodbUri: options.uri ?? testDatabaseUri(),
    validation: createValidationContext({ trust: testTrust(), offline: true }),
    serverSigner: options.serverSigner,
    agencySigners: options.agencySigners,
    sealImages: options.sealImages,
    tsa: options.tsa,
    uploadLimitBytes: options.uploadLimitBytes ?? 100 * 1024 * 1024,
    spoolDir: options.spoolDir,
    signingSessionTtlSeconds: options.ttl ?? 600,
  });
}

/** Registers agencies and issues one key per role, straight through the services (bootstrap). */
export async function seedAgencies(service: Service, agencies: Array<{ organId: string; name: string }>) {
  const out: Record<string, Record<string, string>> = {};
  for (const a of agencies) {
    await service.agencies.registerAgency(a);
    out[a.organId] = {};
    for (const role of ['signer', 'clerk', 'receiver', 'archivist', 'admin'] as const) {
      out[a.organId][role] = (await service.agencies.issueApiKey(a.organId, role)).apiKey;
    }
  }
  return out;
}

/** A key of the service operator (registers agencies, changes names and codes; reads no exchange). */
export async function operatorKey(service: Service): Promise<string> {
  return (await service.agencies.issueOperatorKey()).apiKey;
}

/** The Authorization header for an API key. */
export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

/** The sample công văn signed with the test agency seal (PKCS#12), as the exchange tests send it. */
export async function sealedSample(options: SignPdfOptions = {}): Promise<Buffer> {
  return joinParts(await signPdf(sample('cong-van.pdf'), Pkcs12Signer.open({ data: pkiFile('seal-rsa.p12'), passphrase: p12Passphrase() }), options));
}

/** supertest parser that keeps a binary (PDF) response body as a Buffer. */
export function binaryBody(res: request.Response, cb: (err: Error | null, body: Buffer) => void): void {
  // In Node, superagent hands the parser the response stream itself.
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => cb(null, Buffer.concat(chunks)));
}
