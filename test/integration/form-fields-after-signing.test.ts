import { Pkcs12Signer } from '../../src/signers';
import { joinParts, signPdf } from '../../src/signing';
import { name, PdfDict, PdfFile, PdfRef, PdfStream, PdfString, writeIncrementalUpdate } from '../../src/pdf';
import { createValidationContext, TrustStore, validatePdf } from '../../src/validation';
import { p12Passphrase, pkiFile, sample } from '../helpers/fixtures';

/**
 * A công văn with two text fields (SoVanBan, GhiChu) and an empty signature field whose /Lock
 * (ISO 32000-1 §12.7.4.5) is the given dictionary.
 */
function formWithLockedSignatureField(lock: Array<[string, unknown]>): Buffer {
  const file = PdfFile.parse(sample('cong-van.pdf'));
  const pageRef = file.pageRefs()[0];
  let next = file.size;
  const ref = () => new PdfRef(next++, 0);
  const [soVanBan, ghiChu, sigField] = [ref(), ref(), ref()];
  const text = (t: string, v: string, y: number) => new PdfDict([
    ['FT', name('Tx')], ['T', PdfString.fromText(t)], ['V', PdfString.fromText(v)], ['Type', name('Annot')], ['Subtype', name('Widget')],
    ['Rect', [72, y, 300, y + 20]], ['P', pageRef], ['F', 4],
  ]);
  const lockDict = new PdfDict([['Type', name('SigFieldLock')], ...lock] as Array<[string, never]>);
  const catalog = file.catalog().clone().set('AcroForm', new PdfDict([['Fields', [soVanBan, ghiChu, sigField]], ['SigFlags', 3]]));
  const page = (file.resolveDict(pageRef) as PdfDict).clone().set('Annots', [soVanBan, ghiChu, sigField]);
  const update = writeIncrementalUpdate(file, [
    { ref: soVanBan, value: text('SoVanBan', '125/UBND-VP', 100) },
    { ref: ghiChu, value: text('GhiChu', '', 130) },
    { ref: sigField, value: new PdfDict([['FT', name('Sig')], ['T', PdfString.fromText('ChuKyLanhDao')], ['Type', name('Annot')], ['Subtype', name('Widget')], ['Rect', [0, 0, 0, 0]], ['P', pageRef], ['Lock', lockDict]]) },
    { ref: file.trailer.get('Root') as PdfRef, value: catalog },
    { ref: pageRef, value: page },
  ]);
  return Buffer.concat([file.read(0, file.length), update.bytes]);
}

/** An unsigned incremental update that sets a text field's value. */
function fill(pdf: Buffer, field: string, value: string): Buffer {
  const file = PdfFile.parse(pdf);
  const fields = file.resolve(file.resolveDict(file.catalog().get('AcroForm'))?.get('Fields')) as PdfRef[];
  const target = fields.find((f) => (file.resolveDict(f)?.get('T') as PdfString).toText() === field) as PdfRef;
  const update = writeIncrementalUpdate(file, [{ ref: target, value: (file.resolveDict(target) as PdfDict).clone().set('V', PdfString.fromText(value)) }]);
  return Buffer.concat([pdf, update.bytes]);
}

/** An unsigned update that gives a text field a new appearance showing `shown`, leaving its value alone. */
function redraw(pdf: Buffer, field: string, shown: string): Buffer {
  const file = PdfFile.parse(pdf);
  const fields = file.resolve(file.resolveDict(file.catalog().get('AcroForm'))?.get('Fields')) as PdfRef[];
  const target = fields.find((f) => (file.resolveDict(f)?.get('T') as PdfString).toText() === field) as PdfRef;
  const stream = new PdfRef(file.size, 0);
  const update = writeIncrementalUpdate(file, [
    { ref: stream, value: new PdfStream(new PdfDict([['Type', name('XObject')], ['Subtype', name('Form')], ['BBox', [0, 0, 228, 20]]]), Buffer.from(`BT /Helv 12 Tf 2 6 Td (${shown}) Tj ET`)) },
    { ref: target, value: (file.resolveDict(target) as PdfDict).clone().set('AP', new PdfDict([['N', stream]])) },
  ]);
  return Buffer.concat([pdf, update.bytes]);
}

describe('form fields after signing: FieldMDP locks and redrawn appearances', () => {
  const trust = new TrustStore();
  trust.add(pkiFile('root-ca.der'));
  const context = createValidationContext({ trust, offline: true });
  const signer = () => Pkcs12Signer.open({ data: pkiFile('official-rsa.p12'), passphrase: p12Passphrase() });

  it('when the field locks SoVanBan, then the signature records a FieldMDP reference with that lock', async () => {
    const signed = joinParts(await signPdf(formWithLockedSignatureField([['Action', name('Include')], ['Fields', [PdfString.fromText('SoVanBan')]]]), signer(), { fieldName: 'ChuKyLanhDao' }));
    const file = PdfFile.parse(signed);
    const field = (file.resolve(file.resolveDict(file.catalog().get('AcroForm'))?.get('Fields')) as PdfRef[]).map((f) => file.resolveDict(f) as PdfDict)[2];
    const reference = (file.resolveDict(field.get('V'))?.get('Reference') as PdfDict[])[0];
    expect((reference.get('TransformMethod') as { name: string }).name).toBe('FieldMDP');
    const params = reference.get('TransformParams') as PdfDict;
    expect([(params.get('Action') as { name: string }).name, (params.get('Fields') as PdfString[]).map((f) => f.toText())]).toEqual(['Include', ['SoVanBan']]);
  });

  it('when a locked field is changed after signing, then the change is not allowed and the document fails', async () => {
    const signed = joinParts(await signPdf(formWithLockedSignatureField([['Action', name('Include')], ['Fields', [PdfString.fromText('SoVanBan')]]]), signer(), { fieldName: 'ChuKyLanhDao' }));
    const report = await validatePdf(fill(signed, 'SoVanBan', '999/UBND-VP'), context);
    const sig = report.signatures[0];
    expect([sig.modificationsAfter, sig.modificationsAllowed]).toEqual(['FORM_FILLING', false]);
    expect(sig.messages.find((m) => m.code === 'FIELD_LOCKED')?.en).toContain('SoVanBan');
    expect(report.indication).toBe('TOTAL_FAILED');
  });

  it('when a field the lock leaves open is filled after signing, then the form filling is allowed', async () => {
    const signed = joinParts(await signPdf(formWithLockedSignatureField([['Action', name('Include')], ['Fields', [PdfString.fromText('SoVanBan')]]]), signer(), { fieldName: 'ChuKyLanhDao' }));
    const sig = (await validatePdf(fill(signed, 'GhiChu', 'Đã xem'), context)).signatures[0];
    expect([sig.modificationsAfter, sig.modificationsAllowed]).toEqual(['FORM_FILLING', true]);
    expect(sig.messages.some((m) => m.code === 'FIELD_LOCKED')).toBe(false);
  });

  it('when a field is redrawn after signing but its value is unchanged (the "replace" shadow attack), then the change is OTHER', async () => {
    const signed = joinParts(await signPdf(formWithLockedSignatureField([['Action', name('Include')], ['Fields', []]]), signer(), { fieldName: 'ChuKyLanhDao' }));
    const sig = (await validatePdf(redraw(signed, 'GhiChu', '999/UBND-VP'), context)).signatures[0];
    expect([sig.modificationsAfter, sig.modificationsAllowed]).toEqual(['OTHER', false]);
    expect(sig.messages.find((m) => m.code === 'MODIFIED_AFTER_SIGNING')?.en).toContain('"GhiChu"');
  });

  it('when the lock is Action All or Exclude, then every field (or every field not excluded) is locked', async () => {
    const all = joinParts(await signPdf(formWithLockedSignatureField([['Action', name('All')]]), signer(), { fieldName: 'ChuKyLanhDao' }));
    expect((await validatePdf(fill(all, 'GhiChu', 'x'), context)).signatures[0].modificationsAllowed).toBe(false);
    const exclude = joinParts(await signPdf(formWithLockedSignatureField([['Action', name('Exclude')], ['Fields', [PdfString.fromText('GhiChu')]]]), signer(), { fieldName: 'ChuKyLanhDao' }));
    expect((await validatePdf(fill(exclude, 'GhiChu', 'x'), context)).signatures[0].modificationsAllowed).toBe(true);
    expect((await validatePdf(fill(exclude, 'SoVanBan', 'x'), context)).signatures[0].modificationsAllowed).toBe(false);
  });
});
