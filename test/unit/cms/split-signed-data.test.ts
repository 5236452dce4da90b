import { createHash, createPrivateKey, sign } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { buildSignedAttributes, buildSignedData, splitSignedData } from '../../../src/cms';
import { pkiFile } from '../../helpers/fixtures';

describe('splitSignedData', () => {
  const chain = [pkiFile('official-rsa.der'), pkiFile('issuing-ca.der'), pkiFile('root-ca.der')];
  const attrs = buildSignedAttributes({ contentDigest: createHash('sha256').update('x').digest(), digestAlgorithm: 'sha256', signerCertificate: chain[0] });
  const cms = buildSignedData({
    signedAttributes: attrs, signatureValue: sign('sha256', attrs, createPrivateKey(pkiFile('official-rsa.key'))),
    digestAlgorithm: 'sha256', scheme: 'rsa-pkcs1', certificates: chain,
  });

  it('when a DER SignedData is split, then the certificates come back byte for byte and the rest still parses', () => {
    const padded = Buffer.concat([cms, Buffer.alloc(100)]); // as found in /Contents
    const split = splitSignedData(padded);
    expect(split?.certificates.map((c) => c.toString('hex'))).toEqual(chain.map((c) => c.toString('hex')));
    const info = new pkijs.ContentInfo({ schema: asn1js.fromBER(new Uint8Array(split?.reduced as Buffer).buffer).result });
    const signed = new pkijs.SignedData({ schema: info.content });
    expect(signed.certificates).toBeUndefined();
    expect(Buffer.from(signed.signerInfos[0].signedAttrs?.encodedValue as ArrayBuffer).subarray(1).equals(attrs.subarray(1))).toBe(true);
  });

  it('when the signer has unsigned attributes, then they come back as found and the SignerInfo parses without them', () => {
    const value = new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.7.2' }), new asn1js.OctetString({ valueHex: new Uint8Array(300).fill(7).buffer })] });
    const attribute = new pkijs.Attribute({ type: '1.2.840.113549.1.9.16.2.14', values: [value] });
    const withToken = buildSignedData({
      signedAttributes: attrs, signatureValue: sign('sha256', attrs, createPrivateKey(pkiFile('official-rsa.key'))),
      digestAlgorithm: 'sha256', scheme: 'rsa-pkcs1', certificates: chain, unsignedAttributes: [attribute],
    });
    const split = splitSignedData(withToken);
    expect(split?.unsignedAttributes).toEqual([{ type: '1.2.840.113549.1.9.16.2.14', values: [Buffer.from(value.toBER())] }]);
    const info = new pkijs.ContentInfo({ schema: asn1js.fromBER(new Uint8Array(split?.reduced as Buffer).buffer).result });
    const signerInfo = new pkijs.SignedData({ schema: info.content }).signerInfos[0];
    expect(signerInfo.unsignedAttrs).toBeUndefined();
    expect(Buffer.from(signerInfo.signature.valueBlock.valueHexView)).toEqual(sign('sha256', attrs, createPrivateKey(pkiFile('official-rsa.key'))));
  });

  it('when the input uses BER indefinite lengths or is not a SignedData, then it declines', () => {
    const indefinite = Buffer.from([0x30, 0x80, 0x06, 0x01, 0x00, 0x00, 0x00]);
    expect(splitSignedData(indefinite)).toBeUndefined();
    expect(splitSignedData(Buffer.from('not der at all'))).toBeUndefined();
    expect(splitSignedData(cms.subarray(0, 40))).toBeUndefined();
  });
});
