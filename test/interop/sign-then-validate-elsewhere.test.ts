import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PdfFile } from '../../src/pdf';
import { Pkcs11Module, Pkcs11Signer, Pkcs12Signer, Signer } from '../../src/signers';
import { joinParts, signPdf, writeFileAtomically } from '../../src/signing';
import { CORPUS, OUTPUT, p12Passphrase, pin, PKI, pkiFile, ROOT, SOFTHSM_MODULE, TOKEN_LABEL } from '../helpers/fixtures';
import { pdfsig, pyhankoValidate } from '../helpers/peers';

mkdirSync(OUTPUT, { recursive: true });
const dir = mkdtempSync(path.join(OUTPUT, 'interop-'));
const rootPem = path.join(PKI, 'root-ca.pem');

describe('signatures made by Kyso are accepted by poppler pdfsig and pyHanko', () => {
  let module: Pkcs11Module;
  let signers: Array<[string, Signer]>;
  beforeAll(async () => {
    module = Pkcs11Module.load(SOFTHSM_MODULE);
    signers = [
      ['RSA token', await Pkcs11Signer.open({ module, tokenLabel: TOKEN_LABEL, pin: pin(), keyLabel: 'official-rsa' })],
      ['ECDSA token', await Pkcs11Signer.open({ module, tokenLabel: TOKEN_LABEL, pin: pin(), keyLabel: 'official-ec' })],
      ['PKCS#12 seal', Pkcs12Signer.open({ data: pkiFile('seal-rsa.p12'), passphrase: p12Passphrase() })],
    ];
  });
  afterAll(async () => {
    for (const [, s] of signers) await s.close();
    module.close();
  });

  const xrefStream = path.join(dir, 'qpdf-object-streams.pdf');
  execFileSync('qpdf', ['--object-streams=generate', path.join(ROOT, 'samples', 'bao-cao-nhieu-trang.pdf'), xrefStream]);

  describe.each([
    ['a công văn with a classic xref table', path.join(ROOT, 'samples', 'cong-van.pdf'), 0, false],
    ['a file saved by qpdf with object streams', xrefStream, 0, false],
    ['node-signpdf signed-twice.pdf from the corpus', path.join(CORPUS, 'node-signpdf', 'signed-twice.pdf'), 2, false],
    ['a hybrid-reference file (xref table with /XRefStm) from the ETSI plugtest', path.join(CORPUS, 'dss', 'plugtest2014', 'Signature-P-AT-1.pdf'), 1, true],
  ])('%s', (label, input, existing, hybrid) => {
    it('when signed 1, 2 and 3 times (RSA token, ECDSA token, PKCS#12), then every signature is valid in both peers', async () => {
      let current = input;
      for (let n = 1; n <= 3; n++) {
        const [kind, signer] = signers[n - 1];
        const out = path.join(dir, `${path.basename(input, '.pdf')}-${n}.pdf`);
        const result = await signPdf(PdfFile.parse(readFileSync(current)), signer, { reason: `Bước ${n}: ${kind}`, location: 'Hà Nội' });
        await writeFileAtomically(out, [joinParts(result)]);
        current = out;

        const poppler = pdfsig(out);
        expect({ label, n, signatures: poppler.signatures, valid: poppler.valid, lastTotal: poppler.lastTotal }).toEqual({
          label, n, signatures: existing + n, valid: existing + n, lastTotal: true,
        });

        const fields = pyhankoValidate(out, rootPem, { hybrid });
        expect(fields).toHaveLength(existing + n);
        expect(fields.filter((f) => f.sound)).toHaveLength(existing + n);
        const ours = fields.slice(existing);
        for (const f of ours) {
          expect({ label, n, field: f.name, trusted: f.trusted, valid: f.judgedValid }).toEqual({ label, n, field: f.name, trusted: true, valid: true });
        }
      }
    });
  });
});
