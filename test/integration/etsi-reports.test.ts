/**
 * ETSI TS 119 102-2 reports: every report Kyso writes for the shared corpus validates against the schema
 * (offline, with the catalog beside it), and the CLI writes one with --etsi-report.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { joinParts, signPdf } from '../../src/signing';
import { createValidationContext, TrustStore, validatePdf, writeEtsiReport } from '../../src/validation';
import { CORPUS, OUTPUT, pkiFile, ROOT } from '../helpers/fixtures';
import { congVan, sealSigner } from '../helpers/hand-made-pdf';

const SPECS = path.join(CORPUS, '..', 'specs', 'etsi-ts-119102-2');
const dir = path.join(OUTPUT, 'etsi-reports');
mkdirSync(dir, { recursive: true });

/** xmllint over the files, offline through the catalog: the list of files that did not validate. */
async function schemaFailures(files: string[]): Promise<string[]> {
  const result = await promisify(execFile)('xmllint', ['--nonet', '--noout', '--schema', path.join(SPECS, '1910202xmlSchema.xsd'), ...files], {
    env: { ...process.env, XML_CATALOG_FILES: path.join(SPECS, 'catalog.xml') }, maxBuffer: 64 * 1024 * 1024,
  }).then(({ stderr }) => stderr, (error: { stderr?: string }) => error.stderr ?? String(error));
  return files.filter((f) => !result.includes(`${f} validates`));
}

describe('ETSI TS 119 102-2 validation reports', () => {
  it('when every corpus file is validated, then each report written validates against the schema', async () => {
    const rows = readFileSync(path.join(CORPUS, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t')[0]);
    const context = createValidationContext({ trustDirs: [], offline: true });
    const written: string[] = [];
    for (const [i, file] of rows.entries()) {
      const report = await validatePdf(readFileSync(path.join(CORPUS, file)), context, file, { includeCertificates: true });
      if (report.error) continue;
      const out = path.join(dir, `corpus-${i}.xml`);
      writeFileSync(out, writeEtsiReport(report));
      written.push(out);
    }
    expect(written.length).toBeGreaterThan(80);
    expect(await schemaFailures(written)).toEqual([]);
  });

  it('when a trusted signature is reported, then the report names its indication, path and objects', async () => {
    const trust = new TrustStore();
    trust.add(pkiFile('root-ca.der'));
    const fetcher = { fetchOcsp: async () => undefined, fetchCrl: async (url: string) => (url.endsWith('issuing-ca.crl') ? pkiFile('issuing-ca.crl') : pkiFile('root-ca.crl')), fetchCertificate: async () => undefined };
    const report = await validatePdf(joinParts(await signPdf(congVan(), sealSigner())), createValidationContext({ trust, fetcher }), 'cv.pdf', { includeCertificates: true });
    const xml = writeEtsiReport(report);
    const out = path.join(dir, 'trusted.xml');
    writeFileSync(out, xml);
    expect(await schemaFailures([out])).toEqual([]);
    expect(xml).toContain('<vr:MainIndication>urn:etsi:019102:mainindication:total-passed</vr:MainIndication>');
    expect(xml.match(/<vr:ObjectType>urn:etsi:019102:validationObject:certificate<\/vr:ObjectType>/g)).toHaveLength(3);
    expect(xml.match(/<vr:ObjectType>urn:etsi:019102:validationObject:CRL<\/vr:ObjectType>/g)).toHaveLength(2);
    expect(xml).toMatch(/<vr:CertificateChain><vr:SigningCertificate VOReference="C-[0-9A-F]{64}"\/><vr:IntermediateCertificate VOReference="C-[0-9A-F]{64}"\/><vr:TrustAnchor VOReference="C-[0-9A-F]{64}"\/><\/vr:CertificateChain>/);
  });

  it('when `kyso verify --etsi-report` runs, then it writes a report that validates', async () => {
    const signed = path.join(dir, 'cli-signed.pdf');
    writeFileSync(signed, joinParts(await signPdf(congVan(), sealSigner())));
    const out = path.join(dir, 'cli.xml');
    let code = 0;
    try {
      execFileSync('node', [path.join(ROOT, 'dist', 'cli', 'main.js'), 'verify', signed, '--offline', '--etsi-report', out], { stdio: 'pipe' });
    } catch (error) {
      code = (error as { status: number }).status;
    }
    expect(code).toBe(2); // offline, no trust anchor given: INDETERMINATE
    expect(readFileSync(out, 'utf8')).toContain('urn:etsi:019102:subindication:NO_CERTIFICATE_CHAIN_FOUND');
    expect(await schemaFailures([out])).toEqual([]);
  });
});
