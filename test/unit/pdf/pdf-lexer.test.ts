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
