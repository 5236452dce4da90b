/**
 * Rule 10: an OCSP response is valid when signed by the issuing CA itself or by a responder that CA
 * delegated (RFC 6960 §4.2.2.2). Each kind of real `openssl ocsp` responder answers for the test PKI;
 * the fetcher sends the certificate's OCSP requests to it, wherever it listens.
 */
import type { ChildProcess } from 'node:child_process';
import { extendSignatures } from '../../src/extension';
import { createHttpFetcher, RevocationFetcher } from '../../src/network';
import { joinParts, signPdf } from '../../src/signing';
import { createValidationContext, TrustStore, validatePdf } from '../../src/validation';
import { PKI, pkiFile } from '../helpers/fixtures';
import { congVan, sealSigner } from '../helpers/hand-made-pdf';
import { freePort, startOcspResponder, stopProcess } from '../helpers/ocsp-responder';

const trust = new TrustStore();
trust.add(pkiFile('root-ca.der'));

describe.each([
  ['the issuing CA itself', 'issuing-ca'],
  ['a delegated responder with id-pkix-ocsp-nocheck', 'ocsp'],
] as const)('OCSP answers signed by %s', (_label, responder) => {
  let ocsp: ChildProcess;
  let fetcher: RevocationFetcher;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    ocsp = await startOcspResponder(PKI, port, responder);
    const http = createHttpFetcher(3000);
    // The root's CRL for the issuing CA comes from memory; the signer's status from the responder.
    fetcher = {
      fetchOcsp: (_url, request) => http.fetchOcsp(url, request),
      fetchCrl: async (crlUrl) => (crlUrl.endsWith('/root-ca.crl') ? pkiFile('root-ca.crl') : undefined),
      fetchCertificate: async () => undefined,
    };
  });
  afterAll(() => stopProcess(ocsp));

  it('when a signature is validated online, then the answer is accepted and the signature passes', async () => {
    const report = await validatePdf(joinParts(await signPdf(congVan(), sealSigner())), createValidationContext({ trust, fetcher }));
    const sig = report.signatures[0];
    expect([sig.indication, sig.revocation.status, sig.revocation.evidence?.kind]).toEqual(['TOTAL_PASSED', 'good', 'ocsp']);
  });

  it('when the document is extended to B-LT, then the answer is stored in the DSS and validates offline', async () => {
    const signed = joinParts(await signPdf(congVan(), sealSigner()));
    const { pdf, added } = await extendSignatures(signed, createValidationContext({ trust, fetcher }), { level: 'B-LT' });
    expect(added.ocsps).toBeGreaterThanOrEqual(1);
    const offline = await validatePdf(pdf, createValidationContext({ trust, offline: true }));
    expect([offline.signatures[0].indication, offline.signatures[0].revocation.source]).toEqual(['TOTAL_PASSED', 'embedded ocsp']);
  });
});
