import { PdfDict, PdfName, PdfObject, PdfRaw, PdfRef, PdfStream, PdfString, serializeObject, writtenAlike } from '../../../src/pdf';

/**
 * writtenAlike compares two objects as serializeObject writes them, dictionaries in any key order, without
 * writing them (the modification analysis compares the objects of two revisions with it).
 */
describe('writtenAlike', () => {
  const dict = (entries: Array<[string, PdfObject]>): PdfDict => new PdfDict(entries);

  it('when two dictionaries hold the same entries in another order, nested, then they are alike', () => {
    const a = dict([['Type', new PdfName('Annot')], ['Rect', [0, 0, 10.5, 20]], ['P', new PdfRef(3, 0)], ['AP', dict([['N', new PdfRef(9, 0)]])]]);
    const b = dict([['AP', dict([['N', new PdfRef(9, 0)]])], ['P', new PdfRef(3, 0)], ['Rect', [0, 0, 10.5, 20]], ['Type', new PdfName('Annot')]]);
    expect([writtenAlike(a, b), writtenAlike(b, a), serializeObject(a) === serializeObject(b)]).toEqual([true, true, false]);
  });

  it('when one entry, element, generation, byte or string form differs, then they are not alike', () => {
    const base = dict([['V', new PdfString(Buffer.from('ab'))], ['K', [1, new PdfRef(4, 0)]]]);
    const variants: PdfObject[] = [
      dict([['V', new PdfString(Buffer.from('ab'), true)], ['K', [1, new PdfRef(4, 0)]]]), // <6162> is not (ab)
      dict([['V', new PdfString(Buffer.from('ac'))], ['K', [1, new PdfRef(4, 0)]]]),
      dict([['V', new PdfString(Buffer.from('ab'))], ['K', [1, new PdfRef(4, 1)]]]),
      dict([['V', new PdfString(Buffer.from('ab'))], ['K', [1, new PdfRef(4, 0), null]]]),
      dict([['V', new PdfString(Buffer.from('ab'))], ['K', [1, new PdfRef(4, 0)]], ['X', true]]),
      dict([['V', new PdfString(Buffer.from('ab'))], ['J', [1, new PdfRef(4, 0)]]]),
      [new PdfString(Buffer.from('ab')), [1, new PdfRef(4, 0)]],
    ];
    expect(variants.map((v) => [writtenAlike(base, v), writtenAlike(v, base)])).toEqual(variants.map(() => [false, false]));
  });

  it('when numbers are written alike (six decimals), names, booleans, null and raw text, then they compare as written', () => {
    const pairs: Array<[PdfObject, PdfObject]> = [
      [0.1234561, 0.1234564], // both 0.123456
      [0.5, 0.500001],
      [1, 1.0],
      [new PdfName('A#20B'), new PdfName('A#20B')],
      [new PdfName('A'), new PdfName('B')],
      [true, true],
      [true, false],
      [null, null],
      [null, false],
      [new PdfRaw('<00>'), new PdfRaw('<00>')],
      [3, new PdfRef(3, 0)],
    ];
    expect(pairs.map(([a, b]) => writtenAlike(a, b))).toEqual(pairs.map(([a, b]) => serializeObject(a) === serializeObject(b)));
    expect(pairs.map(([a, b]) => writtenAlike(a, b))).toEqual([true, false, true, true, false, true, false, true, false, true, false]);
  });

  it('when two streams have the same data and dictionaries in another order, then they are alike; other data, not', () => {
    const data = Buffer.from('BT /F1 12 Tf ET', 'latin1');
    const a = new PdfStream(dict([['Length', data.length], ['Filter', new PdfName('FlateDecode')]]), data);
    const b = new PdfStream(dict([['Filter', new PdfName('FlateDecode')], ['Length', data.length]]), Buffer.from(data));
    const c = new PdfStream(dict([['Filter', new PdfName('FlateDecode')], ['Length', data.length]]), Buffer.from('BT /F1 13 Tf ET', 'latin1'));
    expect([writtenAlike(a, b), writtenAlike(a, c), writtenAlike(a, a.dict)]).toEqual([true, false, false]);
  });
});
