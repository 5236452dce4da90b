/**
 * Finds or creates the signature field that will point at a new signature dictionary, and lists the
 * objects the update must rewrite: only the field/widget, the page's /Annots and the AcroForm, which is
 * what validators accept as a signature-only change (ISO 32000-1 §12.8.2.2, §12.7.2).
 */
import { AppError } from '../errors';
import { acroFormWith, annotsWith, listFormFields } from './acro-form';
import { asArray, asDict, asNumber, isName, name, PdfDict, PdfObject, PdfRef, PdfStream, PdfString } from './objects';
import { PdfFile } from './pdf-file';
import type { SignatureFieldOptions } from './add-signature-field';
import type { UpdatedObject } from './write-incremental-update';

export interface AcquiredField {
  fieldName: string;
  updates: UpdatedObject[];
  /** The existing field's /Lock dictionary (§12.7.4.5), which the signature then records as FieldMDP. */
  lock?: PdfDict;
}

export function acquireFieldForSignature(
  file: PdfFile,
  options: SignatureFieldOptions,
  sigRef: PdfRef,
  allocate: () => PdfRef,
): AcquiredField {
  // Document timestamps and validation data stay allowed at every level (ETSI EN 319 142-1 §5.4).
  if (options.kind === 'signature') refuseIfCertifiedAgainstChanges(file);
  const fields = listFormFields(file);
  if (options.fieldName) {
    const existing = fields.find((f) => f.fullName === options.fieldName);
    if (existing) {
      if (existing.fieldType !== 'Sig') {
        throw new AppError('PDF_FIELD_NOT_FOUND', `field '${options.fieldName}' is not a signature field`);
      }
      if (existing.dict.has('V')) {
        throw new AppError('PDF_FIELD_ALREADY_SIGNED', `field '${options.fieldName}' is already signed`);
      }
      if (!existing.ref) throw new AppError('PDF_MALFORMED', `field '${options.fieldName}' is not an indirect object`);
      const dict = existing.dict.clone().set('V', sigRef);
      return { fieldName: existing.fullName, updates: [{ ref: existing.ref, value: dict }], lock: file.resolveDict(existing.dict.get('Lock')) };
    }
  }
  const taken = new Set(fields.map((f) => f.fullName));
  let fieldName = options.fieldName;
  if (!fieldName) {
    let i = 1;
    while (taken.has(`Signature${i}`)) i++;
    fieldName = `Signature${i}`;
  }
  if (fieldName.includes('.')) throw new AppError('USAGE', 'a new field name cannot contain a period');
  return createField(file, options, sigRef, allocate, fieldName);
}

function createField(
  file: PdfFile,
  options: SignatureFieldOptions,
  sigRef: PdfRef,
  allocate: () => PdfRef,
  fieldName: string,
): AcquiredField {
  const updates: UpdatedObject[] = [];
  const pages = file.pageRefs();
  if (pages.length === 0) throw new AppError('PDF_MALFORMED', 'the document has no pages');
  const pageIndex = options.appearance?.pageIndex ?? 0;
  if (pageIndex < 0 || pageIndex >= pages.length) {
    throw new AppError('USAGE', `page ${pageIndex + 1} does not exist (the document has ${pages.length})`);
  }
  const pageRef = pages[pageIndex];
  const widgetRef = allocate();
  let apRef: PdfRef | undefined;
  if (options.appearance) {
    const built = options.appearance.build(allocate);
    apRef = built.normal;
    updates.push(...built.objects);
  } else if (options.kind === 'document-timestamp') {
    // A zero-size widget needs no appearance (ISO 32000-2 §12.5.5); without one, adding the timestamp
    // stays an LTA update for every validator (pyHanko counts appearance streams as form filling).
    apRef = undefined;
  } else {
    apRef = allocate();
    const empty = new PdfDict([
      ['Type', name('XObject')],
      ['Subtype', name('Form')],
      ['BBox', [0, 0, 0, 0]],
    ]);
    updates.push({ ref: apRef, value: new PdfStream(empty, Buffer.alloc(0)) });
  }
  const widget = new PdfDict([
    ['Type', name('Annot')],
    ['Subtype', name('Widget')],
    ['FT', name('Sig')],
    ['T', PdfString.fromText(fieldName)],
    ['V', sigRef],
    // §12.5.3: Print (4) + Locked (128); invisible widgets are also Hidden-free zero-size rectangles.
    ['F', 132],
    ['Rect', options.appearance?.rect ?? [0, 0, 0, 0]],
    ['P', pageRef],
    ...(apRef ? [['AP', new PdfDict([['N', apRef]])] as [string, PdfObject]] : []),
  ]);
  updates.push({ ref: widgetRef, value: widget });

  updates.push(annotsWith(file, pageRef, [widgetRef]));
  // The AcroForm: add the field and set SigFlags (SignaturesExist | AppendOnly, §12.7.2 Table 219).
  updates.push(...acroFormWith(file, [widgetRef], allocate, (form) => form.set('SigFlags', 3)));
  return { fieldName, updates };
}

/** A certification signature with DocMDP P=1 forbids any further signature (§12.8.2.2). */
function refuseIfCertifiedAgainstChanges(file: PdfFile): void {
  const perms = file.resolveDict(file.catalog().get('Perms'));
  const docMdp = file.resolveDict(perms?.get('DocMDP'));
  if (!docMdp) return;
  for (const ref of asArray(file.resolve(docMdp.get('Reference'))) ?? []) {
    const r = asDict(file.resolve(ref));
    if (!isName(r?.get('TransformMethod'), 'DocMDP')) continue;
    const p = asNumber(file.resolveDict(r?.get('TransformParams'))?.get('P')) ?? 2;
    if (p === 1) throw new AppError('PDF_SIGNING_NOT_PERMITTED', 'the document is certified with no changes permitted');
  }
}
