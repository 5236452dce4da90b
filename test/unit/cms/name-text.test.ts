import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { encodeOid, wrap } from '../../../src/cms/der';
import { nameText } from '../../../src/cms/name-text';

/**
 * nameText must print a Name exactly as OpenSSL does through Node's X509Certificate (the form Kyso has
 * always shown), or say it cannot. OpenSSL is the oracle: each Name is put in a certificate and both read it.
 */
const seq = (...items: Buffer[]) => wrap(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => wrap(0x31, Buffer.concat(items));
const oid = (dotted: string) => wrap(0x06, encodeOid(dotted).subarray(2));
const spki = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });

function certificateWith(subject: Buffer): Buffer {
  const algorithm = seq(oid('1.2.840.10045.4.3.2'));
  const validity = seq(wrap(0x17, Buffer.from('250101000000Z')), wrap(0x17, Buffer.from('350101000000Z')));
  const tbs = seq(wrap(0xa0, wrap(0x02, Buffer.from([2]))), wrap(0x02, Buffer.from([1])), algorithm, seq(set(seq(oid('2.5.4.3'), wrap(0x0c, Buffer.from('CA'))))), validity, subject, spki);
  return seq(tbs, algorithm, wrap(0x03, Buffer.from([0, 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01])));
}

const attribute = (type: string, tag: number, value: Buffer) => seq(oid(type), wrap(tag, value));
const name = (...rdns: Buffer[][]) => seq(...rdns.map((atvs) => set(...atvs)));

/** What Node's X509Certificate shows, as Kyso formats it. */
function openssl(subject: Buffer): string {
  return new X509Certificate(certificateWith(subject)).subject.split('\n').reverse().join(', ');
}

const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();

describe('nameText (a Name as OpenSSL prints it)', () => {
  it('when a Vietnamese name has the usual attributes, then it reads most significant last, as OpenSSL', () => {
    const subject = name(
      [attribute('2.5.4.6', 0x13, Buffer.from('VN'))],
      [attribute('2.5.4.8', 0x0c, Buffer.from('Hà Nội'))],
      [attribute('2.5.4.10', 0x0c, Buffer.from('Bộ Nội vụ'))],
      [attribute('0.9.2342.19200300.100.1.1', 0x0c, Buffer.from('CMND:012345678'))],
      [attribute('2.5.4.3', 0x1e, utf16be('Nguyễn Văn A'))],
    );
    expect(nameText(subject)).toBe('CN=Nguyễn Văn A, UID=CMND:012345678, O=Bộ Nội vụ, ST=Hà Nội, C=VN');
    expect(nameText(subject)).toBe(openssl(subject));
  });

  it('when a multi-valued RDN is read, then its parts are joined with " + " as OpenSSL does', () => {
    const subject = name([attribute('2.5.4.3', 0x0c, Buffer.from('A')), attribute('2.5.4.5', 0x13, Buffer.from('123'))], [attribute('2.5.4.6', 0x13, Buffer.from('VN'))]);
    expect(nameText(subject)).toBe('C=VN, CN=A + serialNumber=123');
    expect(nameText(subject)).toBe(openssl(subject));
  });

  it('when every attribute type of the table is used, then each short name is the one OpenSSL prints', () => {
    const types = ['2.5.4.3', '2.5.4.4', '2.5.4.5', '2.5.4.6', '2.5.4.7', '2.5.4.8', '2.5.4.9', '2.5.4.10', '2.5.4.11', '2.5.4.12', '2.5.4.13', '2.5.4.15', '2.5.4.17', '2.5.4.20', '2.5.4.41', '2.5.4.42', '2.5.4.43', '2.5.4.44', '2.5.4.46', '2.5.4.65', '2.5.4.97', '1.2.840.113549.1.9.1', '1.2.840.113549.1.9.2', '0.9.2342.19200300.100.1.1', '0.9.2342.19200300.100.1.25', '1.3.6.1.4.1.311.60.2.1.1', '1.3.6.1.4.1.311.60.2.1.2', '1.3.6.1.4.1.311.60.2.1.3'];
    for (const type of types) {
      const subject = name([attribute(type, 0x0c, Buffer.from('x'))]);
      expect(`${type} ${nameText(subject)}`).toBe(`${type} ${openssl(subject)}`);
    }
  });

  it('when any ASCII character stands first, inside or last in each string type, then the escaping is OpenSSL\'s', () => {
    const mismatches: string[] = [];
    for (const tag of [0x0c, 0x12, 0x13, 0x14, 0x16, 0x1e, 0x1c]) {
      for (let c = 0; c < 0x80; c++) {
        for (const text of [`${String.fromCharCode(c)}ab`, `a${String.fromCharCode(c)}b`, `ab${String.fromCharCode(c)}`, String.fromCharCode(c)]) {
          const value = tag === 0x1e ? utf16be(text) : tag === 0x1c ? Buffer.concat([...text].map((ch) => Buffer.from([0, 0, 0, ch.charCodeAt(0)]))) : Buffer.from(text, 'latin1');
          const subject = name([attribute('2.5.4.3', tag, value)]);
          if (nameText(subject) !== openssl(subject)) mismatches.push(`tag ${tag} ${JSON.stringify(text)}: ${nameText(subject)} / ${openssl(subject)}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('when bytes above 0x7f appear (Latin-1 in a TeletexString, UTF-8 or broken UTF-8 in a UTF8String, BMP and UCS-4 characters), then the text is OpenSSL\'s', () => {
    const cases: Array<[number, Buffer]> = [
      [0x14, Buffer.from([0x43, 0xe9, 0xff, 0x80])],
      [0x0c, Buffer.from('Đặng Thị Ánh 😀', 'utf8')],
      [0x1e, utf16be('Trần Ⅻ')],
      [0x1c, Buffer.from([0, 0x01, 0xf6, 0x00, 0, 0, 0, 0x41])],
      [0x16, Buffer.from([0x41, 0xa0, 0x20])],
    ];
    for (const [tag, value] of cases) {
      const subject = name([attribute('2.5.4.10', tag, value)]);
      expect(nameText(subject)).toBe(openssl(subject));
    }
  });

  it('when a name has an attribute type outside the table or a value that is no string, then it answers undefined (OpenSSL is asked)', () => {
    expect(nameText(name([attribute('1.2.3.4.5', 0x0c, Buffer.from('x'))]))).toBeUndefined();
    expect(nameText(name([attribute('2.5.4.3', 0x04, Buffer.from('x'))]))).toBeUndefined();
    expect(nameText(name([attribute('2.5.4.3', 0x1e, Buffer.from([0xd8, 0x00]))]))).toBeUndefined();
    expect(nameText(Buffer.from([0x30, 0x05, 0x31]))).toBeUndefined();
    // OpenSSL refuses a certificate with these in its name: a VisibleString, a UTF8String that is not UTF-8
    for (const [tag, value] of [[0x1a, Buffer.from('x')], [0x0c, Buffer.from([0x41, 0xc3, 0x28])], [0x0c, Buffer.from([0xed, 0xa0, 0x80])]] as Array<[number, Buffer]>) {
      const subject = name([attribute('2.5.4.3', tag, value)]);
      expect(nameText(subject)).toBeUndefined();
      expect(() => openssl(subject)).toThrow();
    }
  });

  it('when the name is empty, then the text is empty (Node gives none)', () => {
    expect(nameText(name())).toBe('');
    expect(new X509Certificate(certificateWith(name())).subject).toBeUndefined(); // Node gives no text at all
  });
});
