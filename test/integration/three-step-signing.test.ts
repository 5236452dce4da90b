import { createHash } from 'node:crypto';
import * as pkijs from 'pkijs';
import { findSignatures, PdfFile } from '../../src/pdf';
import { Pkcs11Module, Pkcs11Signer } from '../../src/signers';
import { completeSignature, joinParts, prepareSignature } from '../../src/signing';
import { AppError } from '../../src/errors';
import { pin, sample, SOFTHSM_MODULE, TOKEN_LABEL } from '../helpers/fixtures';

describe('prepare → sign → complete (the key never meets the PDF)', () => {
  let module: Pkcs11Module;
  beforeAll(() => {
    module = Pkcs11Module.load(SOFTHSM_MODULE);
  });
  afterAll(() => module.close());

  it.each([
    ['official-rsa', 'rsa-pkcs1' as const],
    ['official-ec', 'ecdsa' as const],
  ])('when the token (%s) signs only the prepared bytes, then the completed PDF carries a CMS over the document digest', async (keyLabel, scheme) => {
    const token = await Pkcs11Signer.open({ module, tokenLabel: TOKEN_LABEL, pin: pin(), keyLabel });
    const chain = await token.certificateChain();
    const prepared = prepareSignature(sample('cong-van.pdf'), { certificateChain: chain, scheme, signingTime: new Date() });
    expect(prepared.digestToSign.equals(createHash('sha256').update(prepared.dataToSign).digest())).toBe(true);
    const value = await token.sign(prepared.dataToSign, 'sha256', scheme);
    await token.close();
    const signed = joinParts(completeSignature(prepared, value));
    const [sig] = findSignatures(PdfFile.parse(signed));
    const [a, b, c, d] = sig.byteRange as number[];
    const digest = createHash('sha256').update(signed.subarray(a, a + b)).update(signed.subarray(c, c + d)).digest();
    const cms = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(sig.contents as Buffer).content });
    const md = cms.signerInfos[0].signedAttrs?.attributes.find((x) => x.type === '1.2.840.113549.1.9.4')?.values[0];
    expect(Buffer.from(md.valueBlock.valueHexView).equals(digest)).toBe(true);
  });

  it('when the returned signature value was made by another key, then SIGNATURE_VALUE_INVALID is raised and nothing is embedded', async () => {
    const rsa = await Pkcs11Signer.open({ module, tokenLabel: TOKEN_LABEL, pin: pin(), keyLabel: 'official-rsa' });
    const prepared = prepareSignature(sample('cong-van.pdf'), { certificateChain: await rsa.certificateChain(), scheme: 'rsa-pkcs1' });
    const wrong = await rsa.sign(Buffer.from('something else'), 'sha256', 'rsa-pkcs1');
    await rsa.close();
    let caught: unknown;
    try {
      completeSignature(prepared, wrong);
    } catch (error) {
      caught = error;
    }
    expect((caught as AppError).code).toBe('SIGNATURE_VALUE_INVALID');
  });

  it('when the placeholder is sized, then it fits the real CMS with little waste', async () => {
    const ec = await Pkcs11Signer.open({ module, tokenLabel: TOKEN_LABEL, pin: pin(), keyLabel: 'official-ec' });
    const prepared = prepareSignature(sample('cong-van.pdf'), { certificateChain: await ec.certificateChain(), scheme: 'ecdsa' });
    const value = await ec.sign(prepared.dataToSign, 'sha256', 'ecdsa');
    await ec.close();
    const { cms } = completeSignature(prepared, value);
    const capacity = (prepared.pdf.contentsEnd - prepared.pdf.contentsStart - 2) / 2;
    expect(cms.length).toBeLessThanOrEqual(capacity);
    expect(capacity - cms.length).toBeLessThan(64);
  });
});
