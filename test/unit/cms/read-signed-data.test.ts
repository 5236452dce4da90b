import { createHash, createPrivateKey, sign } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { buildSignedAttributes, buildSignedData, parseCertificate, readSignedData } from '../../../src/cms';
import { children, encodeOid, readTlv, sequence, whole, wrap } from '../../../src/cms/der';
import { pkiFile } from '../../helpers/fixtures';

describe('readSignedData', () => {
  const chain = [pkiFile('official-rsa.der'), pkiFile('issuing-ca.der'), pkiFile('root-ca.der')];
  const key = createPrivateKey(pkiFile('official-rsa.key'));
  const attrs = buildSignedAttributes({ contentDigest: createHash('sha256').update('x').digest(), digestAlgorithm: 'sha256', signerCertificate: chain[0] });
  const tokenValue = new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.7.2' }), new asn1js.OctetString({ valueHex: new Uint8Array(300).fill(7).buffer })] });
  const cms = buildSignedData({
    signedAttributes: attrs, signatureValue: sign('sha256', attrs, key), digestAlgorithm: 'sha256', scheme: 'rsa-pkcs1', certificates: chain,
    unsignedAttributes: [new pkijs.Attribute({ type: '1.2.840.113549.1.9.16.2.14', values: [tokenValue] })],
  });

  it('when a DER SignedData is read (with /Contents padding), then every part comes back as the bytes found', () => {
    const view = readSignedData(Buffer.concat([cms, Buffer.alloc(100)]));
    expect(view.certificates.map((c) => c.toString('hex'))).toEqual(chain.map((c) => c.toString('hex')));
    const si = view.signerInfos[0];
    expect(si.signedAttributesDer?.equals(attrs)).toBe(true);
    expect(si.signature.equals(sign('sha256', attrs, key))).toBe(true);
    expect([si.digestAlgorithm, si.signatureAlgorithm]).toEqual(['2.16.840.1.101.3.4.2.1', '1.2.840.113549.1.1.11']);
    expect(si.signedAttributes.map((a) => a.type)).toEqual(['1.2.840.113549.1.9.3', '1.2.840.113549.1.9.4', '1.2.840.113549.1.9.16.2.47']);
    expect(si.unsignedAttributes).toEqual([{ type: '1.2.840.113549.1.9.16.2.14', values: [Buffer.from(tokenValue.toBER())] }]);
    expect('issuer' in si.sid && [si.sid.serial.toString('hex'), si.sid.issuer.equals(parseCertificate(chain[0]).issuerDer)]).toEqual([parseCertificate(chain[0]).serialHex, true]);
  });

  it('when the same SignedData is BER-encoded (indefinite lengths), then it is read to the same view', () => {
    // Re-encode the outer ContentInfo with indefinite lengths, as some producers do.
    const contentInfo = new pkijs.ContentInfo({ schema: asn1js.fromBER(new Uint8Array(cms).buffer).result }).toSchema();
    contentInfo.lenBlock.isIndefiniteForm = true;
    const ber = Buffer.from(contentInfo.toBER());
    expect(ber[1]).toBe(0x80);
    const a = readSignedData(cms);
    const b = readSignedData(ber);
    expect(b.signerInfos[0].signedAttributesDer?.equals(a.signerInfos[0].signedAttributesDer as Buffer)).toBe(true);
    expect(b.signerInfos[0].signature.equals(a.signerInfos[0].signature)).toBe(true);
    expect(b.certificates).toEqual(a.certificates);
    expect(b.signerInfos[0].unsignedAttributes).toEqual(a.signerInfos[0].unsignedAttributes);
  });

  it('when the encapsulated content is a constructed OCTET STRING in pieces (BER), then eContent is the pieces joined', () => {
    // The SignedData rebuilt with an encapContentInfo whose eContent is [0] { OCTET STRING (constructed,
    // indefinite) { piece, piece } }; every other element as it was.
    const pieces = [Buffer.from('Công văn '), Buffer.from('số 12/UBND-VP')];
    const [, explicit] = children(cms, readTlv(cms, 0)!)!;
    const [signedData] = children(cms, explicit)!;
    const parts = children(cms, signedData)!.map((t) => whole(cms, t));
    const eContent = Buffer.concat([Buffer.from('2480', 'hex'), ...pieces.map((p) => wrap(0x04, p)), Buffer.from('0000', 'hex')]);
    parts[2] = sequence(encodeOid('1.2.840.113549.1.7.1'), wrap(0xa0, eContent));
    const ber = sequence(encodeOid('1.2.840.113549.1.7.2'), wrap(0xa0, sequence(...parts)));
    const view = readSignedData(ber);
    expect(view.eContentType).toBe('1.2.840.113549.1.7.1');
    expect(view.eContent?.toString('utf8')).toBe('Công văn số 12/UBND-VP');
    expect(view.signerInfos[0].signature.equals(readSignedData(cms).signerInfos[0].signature)).toBe(true);
  });

  it('when the input is not a SignedData, then it throws (the validator reports CMS_UNPARSEABLE)', () => {
    expect(() => readSignedData(Buffer.from('not der at all'))).toThrow();
    expect(() => readSignedData(cms.subarray(0, 40))).toThrow();
  });
});

describe('reading hostile DER', () => {
  const chain = [pkiFile('official-rsa.der'), pkiFile('issuing-ca.der')];
  const attrs = buildSignedAttributes({ contentDigest: createHash('sha256').update('x').digest(), digestAlgorithm: 'sha256', signerCertificate: chain[0] });
  const cms = buildSignedData({
    signedAttributes: attrs, signatureValue: sign('sha256', attrs, createPrivateKey(pkiFile('official-rsa.key'))), digestAlgorithm: 'sha256', scheme: 'rsa-pkcs1', certificates: chain,
  });

  it('when CMS and certificate bytes are mutated at random, then each read returns or throws an Error quickly', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 400; i++) {
      for (const original of [cms, chain[0]]) {
        const bytes = Buffer.from(original);
        for (let j = 0; j < 1 + (i % 6); j++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
        const input = i % 5 === 0 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes;
        const started = Date.now();
        for (const read of [() => readSignedData(input), () => parseCertificate(input)]) {
          try {
            read();
          } catch (error) {
            expect(typeof (error as Error).message).toBe('string');
          }
        }
        expect(Date.now() - started).toBeLessThan(500);
      }
    }
  });
});
