import { sameName } from '../../../src/cms';
import { encodeOid, sequence, wrap } from '../../../src/cms/der';

const CN = '2.5.4.3';
const O = '2.5.4.10';
const C = '2.5.4.6';
const atv = (oid: string, tag: number, text: Buffer | string) => sequence(encodeOid(oid), wrap(tag, Buffer.isBuffer(text) ? text : Buffer.from(text, tag === 0x0c ? 'utf8' : 'latin1')));
const rdn = (...atvs: Buffer[]) => wrap(0x31, Buffer.concat(atvs));
const name = (...rdns: Buffer[]) => sequence(...rdns);
const bmp = (text: string) => Buffer.from(text, 'utf16le').swap16();

describe('distinguished names compared as RFC 5280 §7.1 asks', () => {
  const issuer = name(rdn(atv(C, 0x13, 'VN')), rdn(atv(O, 0x0c, 'Ban Cơ yếu Chính phủ')), rdn(atv(CN, 0x13, 'Kyso Test CA')));

  it('when the same text is written as PrintableString in one name and UTF8String in the other, then they are the same name', () => {
    expect(sameName(issuer, name(rdn(atv(C, 0x0c, 'VN')), rdn(atv(O, 0x0c, 'Ban Cơ yếu Chính phủ')), rdn(atv(CN, 0x0c, 'Kyso Test CA'))))).toBe(true);
    expect(sameName(issuer, name(rdn(atv(C, 0x13, 'VN')), rdn(atv(O, 0x1e, bmp('Ban Cơ yếu Chính phủ'))), rdn(atv(CN, 0x13, 'Kyso Test CA'))))).toBe(true);
  });

  it('when values differ only in case and runs of white space, then they are the same name', () => {
    expect(sameName(issuer, name(rdn(atv(C, 0x13, 'vn')), rdn(atv(O, 0x0c, ' Ban  Cơ yếu Chính phủ ')), rdn(atv(CN, 0x13, 'KYSO TEST  CA'))))).toBe(true);
  });

  it('when a multi-valued RDN lists its attributes in another order, then it is the same name', () => {
    expect(sameName(name(rdn(atv(CN, 0x13, 'A'), atv(O, 0x13, 'B'))), name(rdn(atv(O, 0x13, 'B'), atv(CN, 0x13, 'A'))))).toBe(true);
  });

  it('when a value, an attribute type or the order of RDNs differs, then they are different names', () => {
    expect(sameName(issuer, name(rdn(atv(C, 0x13, 'VN')), rdn(atv(O, 0x0c, 'Ban Cơ yếu Chính phủ')), rdn(atv(CN, 0x13, 'Kyso Test CA 2'))))).toBe(false);
    expect(sameName(issuer, name(rdn(atv(C, 0x13, 'VN')), rdn(atv(CN, 0x0c, 'Ban Cơ yếu Chính phủ')), rdn(atv(CN, 0x13, 'Kyso Test CA'))))).toBe(false);
    expect(sameName(issuer, name(rdn(atv(O, 0x0c, 'Ban Cơ yếu Chính phủ')), rdn(atv(C, 0x13, 'VN')), rdn(atv(CN, 0x13, 'Kyso Test CA'))))).toBe(false);
    expect(sameName(issuer, name(rdn(atv(C, 0x13, 'VN')), rdn(atv(O, 0x0c, 'Ban Cơ yếu Chính phủ'))))).toBe(false);
  });

  it('when either name cannot be read, then they are not the same name (unless the bytes are identical)', () => {
    expect(sameName(issuer, issuer.subarray(0, issuer.length - 3))).toBe(false);
    expect(sameName(Buffer.from('3003020100', 'hex'), issuer)).toBe(false);
    expect(sameName(Buffer.from('not der'), Buffer.from('not der'))).toBe(true);
  });
});
