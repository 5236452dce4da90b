import { PdfLexer, PdfString } from '../../../src/pdf';

const parse = (text: string) => new PdfLexer(Buffer.from(text, 'latin1'), 0).parseObject();

describe('hex strings (ISO 32000-2 §7.3.4.3)', () => {
  it('when digits are split by white space and mixed case, then they decode to the bytes they spell', () => {
    const s = parse('<48 65\n6C6c\t6F>') as PdfString;
    expect([s.hex, s.bytes.toString('latin1')]).toEqual([true, 'Hello']);
  });

  it('when the count of digits is odd, then the last digit is followed by 0', () => {
    expect((parse('<901FA>') as PdfString).bytes.toString('hex')).toBe('901fa0');
  });

  it('when a string is empty or holds only white space, then it decodes to no bytes', () => {
    expect((parse('<>') as PdfString).bytes.length).toBe(0);
    expect((parse('< \r\n >') as PdfString).bytes.length).toBe(0);
  });

  it('when a signature-sized /Contents is read, then it decodes byte for byte and the lexer stops after it', () => {
    let seed = 5;
    const bytes = Buffer.from(Array.from({ length: 8192 }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff));
    const lexer = new PdfLexer(Buffer.from(`<${bytes.toString('hex').toUpperCase()}> 42`, 'latin1'), 0);
    expect((lexer.parseObject() as PdfString).bytes.equals(bytes)).toBe(true);
    expect(lexer.parseObject()).toBe(42);
  });

  it('when the closing bracket is missing, then it is a malformed PDF', () => {
    expect(() => parse('<4142')).toThrow(/unterminated hex string/);
  });
});

describe('literal strings (ISO 32000-2 §7.3.4.2)', () => {
  const bytesOf = (text: string) => {
    const lexer = new PdfLexer(Buffer.from(text, 'latin1'), 0);
    const value = lexer.parseObject() as PdfString;
    return { bytes: value.bytes.toString('latin1'), next: lexer.pos };
  };

  it('when a string holds no escape or parenthesis, or escapes, octal codes and balanced parentheses, then each decodes to its bytes and the lexer stops after it', () => {
    expect([bytesOf('(D:20261201) /M'), bytesOf('(a\\)b\\\\c\\n\\101) x'), bytesOf('(f(o)o) x'), bytesOf('() x')]).toEqual([
      { bytes: 'D:20261201', next: 12 },
      { bytes: 'a)b\\c\nA', next: 15 },
      { bytes: 'f(o)o', next: 7 },
      { bytes: '', next: 2 },
    ]);
  });

  it('when a plain string is read, then its bytes are a copy: the file\'s bytes changing later does not change it', () => {
    const file = Buffer.from('(Kyso)', 'latin1');
    const value = new PdfLexer(file, 0).parseObject() as PdfString;
    file.fill(0x58);
    expect(value.bytes.toString('latin1')).toBe('Kyso');
  });

  it('when the closing parenthesis is missing, then it is a malformed PDF', () => {
    expect(() => parse('(abc')).toThrow(/unterminated string/);
    expect(() => parse('(a(b)c')).toThrow(/unterminated string/);
  });
});
