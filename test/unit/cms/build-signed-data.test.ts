import { createHash, createPrivateKey, sign, verify, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { buildSignedAttributes, buildSignedData, ecdsaPlainToDer, OID } from '../../../src/cms';
import { pkiFile } from '../../helpers/fixtures';

describe('buildSignedAttributes / buildSignedData', () => {
  const cert = pkiFile('official-rsa.der');
  const key = createPrivateKey(pkiFile('official-rsa.key'));
  const digest = createHash('sha256').update('document bytes').digest();
  const der = buildSignedAttributes({ contentDigest: digest, digestAlgorithm: 'sha256', signerCertificate: cert });
  const signature = sign('sha256', der, key);
  const cms = buildSignedData({ signedAttributes: der, signatureValue: signature, digestAlgorithm: 'sha256', scheme: 'rsa-pkcs1', certificates: [cert, pkiFile('issuing-ca.der')] });
  const parsed = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(cms).content });
  const signer = parsed.signerInfos[0];

  it('when built, then the signed attributes are contentType, messageDigest and signingCertificateV2 only (no signingTime)', () => {
    const types = signer.signedAttrs?.attributes.map((a) => a.type).sort();
    expect(types).toEqual([OID.contentType, OID.messageDigest, OID.signingCertificateV2].sort());
    expect(types).not.toContain(OID.signingTime);
  });

  it('when built, then the signed attributes are in DER SET order and are exactly the bytes that were signed', () => {
    const encoded = Buffer.from(signer.signedAttrs?.encodedValue as ArrayBuffer);
    const asSet = Buffer.concat([Buffer.from([0x31]), encoded.subarray(1)]);
    expect(asSet.equals(der)).toBe(true);
    expect(verify('sha256', asSet, new X509Certificate(cert).publicKey, Buffer.from(signer.signature.valueBlock.valueHexView))).toBe(true);
  });

  it('when built, then messageDigest holds the document digest and signingCertificateV2 the certificate hash', () => {
    const md = signer.signedAttrs?.attributes.find((a) => a.type === OID.messageDigest)?.values[0] as asn1js.OctetString;
    expect(Buffer.from(md.valueBlock.valueHexView).equals(digest)).toBe(true);
    const scv2 = signer.signedAttrs?.attributes.find((a) => a.type === OID.signingCertificateV2)?.values[0] as asn1js.Sequence;
    const essCertId = ((scv2.valueBlock.value[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence).valueBlock.value;
    const hash = essCertId[0] as asn1js.OctetString; // SHA-256 is the DEFAULT, so no AlgorithmIdentifier first
    expect(Buffer.from(hash.valueBlock.valueHexView).toString('hex')).toBe(createHash('sha256').update(cert).digest('hex'));
  });

  it('when built, then the content is detached and every chain certificate is embedded', () => {
    expect(parsed.encapContentInfo.eContent).toBeUndefined();
    expect(parsed.certificates).toHaveLength(2);
  });

  it('when a token returns r||s, then it is converted to a DER ECDSA-Sig-Value that verifies', () => {
    const ecKey = createPrivateKey(pkiFile('official-ec.key'));
    const plain = sign('sha256', Buffer.from('data'), { key: ecKey, dsaEncoding: 'ieee-p1363' });
    const derSig = ecdsaPlainToDer(plain);
    expect(derSig[0]).toBe(0x30);
    expect(verify('sha256', Buffer.from('data'), new X509Certificate(pkiFile('official-ec.der')).publicKey, derSig)).toBe(true);
  });
});
