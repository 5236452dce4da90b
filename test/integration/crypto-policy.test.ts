import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { buildSignedAttributes, buildSignedData } from '../../src/cms';
import { addSignatureField, embedSignatureContents, PdfFile, signedRanges } from '../../src/pdf';
import { createValidationContext, TrustStore, validatePdf } from '../../src/validation';
import { OUTPUT, sample } from '../helpers/fixtures';

/**
 * A signature made with an RSA-1024 key (below the 2048-bit minimum of Circular 15/2025). Kyso's signing
 * layer refuses such keys, so the signature is assembled here from the PDF and CMS layers directly, as
 * another producer would have made it.
 */
function signWithWeakKey(): { pdf: Buffer; certificate: Buffer } {
  const dir = mkdtempSync(path.join(OUTPUT, 'weak-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:1024', '-nodes', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem'),
      '-subj', '/C=VN/CN=Khóa Yếu 1024', '-utf8', '-days', '365', '-addext', 'keyUsage=critical,digitalSignature'], { stdio: 'ignore' });
    const certificate = Buffer.from(readFileSync(path.join(dir, 'c.pem'), 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const key = createPrivateKey(readFileSync(path.join(dir, 'k.pem')));
    const prepared = addSignatureField(PdfFile.parse(sample('cong-van.pdf')), { kind: 'signature', subFilter: 'ETSI.CAdES.detached', contentsSize: 4096, signingTime: new Date() });
    const digest = createHash('sha256');
    for (const part of signedRanges(prepared)) digest.update(part);
    const attributes = buildSignedAttributes({ contentDigest: digest.digest(), digestAlgorithm: 'sha256', signerCertificate: certificate });
    const cms = buildSignedData({
      signedAttributes: attributes, signatureValue: sign('sha256', attributes, key), digestAlgorithm: 'sha256', scheme: 'rsa-pkcs1', certificates: [certificate],
    });
    return { pdf: Buffer.concat([prepared.original.read(0, prepared.original.length), embedSignatureContents(prepared, cms)]), certificate };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the national key-size minimum (RSA 2048, EC 256) for new documents', () => {
  const { pdf, certificate } = signWithWeakKey();
  const trust = new TrustStore();
  trust.add(certificate);
  const day = 24 * 3600 * 1000;

  it('when an RSA-1024 signature was made after the cut-over, then INDETERMINATE / CRYPTO_CONSTRAINTS_FAILURE_NO_POE', async () => {
    const report = await validatePdf(pdf, createValidationContext({ trust, offline: true, strictCryptoFrom: new Date(Date.now() - day) }));
    const sig = report.signatures[0];
    expect(sig.intact).toBe(true);
    expect([sig.indication, sig.subIndication]).toEqual(['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE']);
    expect(sig.messages.find((m) => m.code === 'CRYPTO_TOO_WEAK')?.en).toContain('RSA 1024 bit');
  });

  it('when the same signature was made before the cut-over (a legacy document), then it passes with a warning', async () => {
    const report = await validatePdf(pdf, createValidationContext({ trust, offline: true, strictCryptoFrom: new Date(Date.now() + day) }));
    const sig = report.signatures[0];
    expect([sig.indication, sig.subIndication]).toEqual(['TOTAL_PASSED', null]);
    expect(sig.messages.some((m) => m.code === 'CRYPTO_LEGACY' && m.vi.includes('RSA 1024 bit'))).toBe(true);
  });
});
