import { createHash } from 'node:crypto';
import {
  addSignatureField, embedSignatureContents, findSignatures, name, PdfDict, PdfFile, PdfRef, PdfString, signedRanges, writeIncrementalUpdate,
} from '../../../src/pdf';
import { sample } from '../../helpers/fixtures';

const options = { kind: 'signature' as const, subFilter: 'ETSI.CAdES.detached', contentsSize: 100, signingTime: new Date('2026-03-16T04:02:35Z'), reason: 'Phê duyệt' };

describe.each([
  ['classic xref table', 'cong-van.pdf', 'table'],
  ['xref stream', 'cong-van-xref-stream.pdf', 'stream'],
])('addSignatureField on a file with a %s', (_label, file, kind) => {
  const original = sample(file);
  const prepared = addSignatureField(PdfFile.parse(original), options);
  const whole = Buffer.concat([prepared.original.read(0, prepared.original.length), prepared.increment]);

  it('when a field is added, then the original bytes are kept unchanged as a prefix', () => {
    expect(whole.subarray(0, original.length).equals(original)).toBe(true);
  });

  it('when a field is added, then the new xref section has the same kind as the last one', () => {
    const reread = PdfFile.parse(whole);
    expect(reread.xref.sections[0].kind).toBe(kind);
    expect(reread.xref.sections).toHaveLength(PdfFile.parse(original).xref.sections.length + 1);
  });

  it('when a field is added, then /ByteRange covers the whole file except exactly the /Contents string', () => {
    const [a, b, c, d] = prepared.byteRange;
    expect(a).toBe(0);
    expect(c + d).toBe(whole.length);
    expect(whole.toString('latin1', b, c)).toBe(`<${'0'.repeat(200)}>`);
    const sigs = findSignatures(PdfFile.parse(whole));
    expect(sigs).toHaveLength(1);
    expect(sigs[0].byteRange).toEqual(prepared.byteRange);
    expect(sigs[0].subFilter).toBe('ETSI.CAdES.detached');
    expect(sigs[0].dict.get('M')).toBeDefined();
  });

  it('when contents are embedded, then only the gap changes and the signed ranges hash the same', () => {
    const before = createHash('sha256');
    for (const p of signedRanges(prepared)) before.update(p);
    const increment = embedSignatureContents(prepared, Buffer.from('3003020101', 'hex'));
    const after = Buffer.concat([prepared.original.read(0, prepared.original.length), increment]);
    const [, b, c, d] = prepared.byteRange;
    const hash = createHash('sha256').update(after.subarray(0, b)).update(after.subarray(c, c + d)).digest('hex');
    expect(hash).toBe(before.digest('hex'));
    expect(findSignatures(PdfFile.parse(after))[0].contents?.subarray(0, 5).toString('hex')).toBe('3003020101');
  });

  it('when a second field is added, then it gets a new name and both are listed', () => {
    const second = addSignatureField(PdfFile.parse(whole), options);
    const names = findSignatures(PdfFile.parse(Buffer.concat([second.original.read(0, second.original.length), second.increment]))).map((s) => s.fieldName);
    expect(names).toEqual(['Signature1', 'Signature2']);
  });
});

describe('addSignatureField with an existing empty field', () => {
  it('when the field exists and is empty, then the signature goes into it without a new widget', () => {
    const file = PdfFile.parse(sample('cong-van.pdf'));
    const page = file.pageRefs()[0];
    const widget = new PdfRef(file.size, 0);
    const form = new PdfRef(file.size + 1, 0);
    const catalogRef = file.trailer.get('Root') as PdfRef;
    const withField = writeIncrementalUpdate(file, [
      { ref: widget, value: new PdfDict([['Type', name('Annot')], ['Subtype', name('Widget')], ['FT', name('Sig')], ['T', PdfString.fromText('ChuKyLanhDao')], ['Rect', [300, 380, 500, 440]], ['P', page]]) },
      { ref: form, value: new PdfDict([['Fields', [widget]]]) },
      { ref: page, value: (file.resolveDict(page) as PdfDict).clone().set('Annots', [widget]) },
      { ref: catalogRef, value: file.catalog().clone().set('AcroForm', form) },
    ]);
    const unsigned = PdfFile.parse(Buffer.concat([file.read(0, file.length), withField.bytes]));
    const prepared = addSignatureField(unsigned, { ...options, fieldName: 'ChuKyLanhDao' });
    const signed = PdfFile.parse(Buffer.concat([prepared.original.read(0, prepared.original.length), prepared.increment]));
    const sigs = findSignatures(signed);
    expect(sigs.map((s) => s.fieldName)).toEqual(['ChuKyLanhDao']);
    expect((signed.resolveDict(signed.pageRefs()[0])?.get('Annots') as unknown[]).length).toBe(1);
    expect(() => addSignatureField(signed, { ...options, fieldName: 'ChuKyLanhDao' })).toThrow(/already signed/);
  });

  it('when the embedded signature is larger than the placeholder, then PDF_SIGNATURE_TOO_LARGE is raised', () => {
    const prepared = addSignatureField(PdfFile.parse(sample('cong-van.pdf')), { ...options, contentsSize: 4 });
    expect(() => embedSignatureContents(prepared, Buffer.alloc(5))).toThrow(/placeholder holds 4/);
  });
});
