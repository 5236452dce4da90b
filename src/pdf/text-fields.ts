/**
 * Text fields for the places a clerk fills when issuing a document (Decree 30/2020: the number "Số: …" and
 * the date): `addTextFields` puts empty, read-only text fields at given rectangles before anyone signs;
 * `fillTextFields` lists the objects that give them a value and an appearance, for the same incremental
 * update as a signature. Validators count such a change as form filling (ISO 32000-1 §12.8.2.2 P=2,
 * §12.7.4.3), which every earlier signature allows, where new page content would not be.
 */
import { AppError } from '../errors';
import { acroFormWith, annotsWith, FormField, listFormFields } from './acro-form';
import { findSignatures } from './find-signatures';
import { asArray, asNumber, name, PdfDict, PdfRef, PdfString } from './objects';
import { PdfFile } from './pdf-file';
import { UpdatedObject, writeIncrementalUpdate } from './write-incremental-update';

export interface TextFieldPlace {
  name: string;
  pageIndex: number;
  /** [x1 y1 x2 y2] on the page, in points. */
  rect: [number, number, number, number];
}

export interface TextFieldWidget {
  ref: PdfRef;
  pageIndex: number;
  rect: [number, number, number, number];
}

export interface TextFieldFill {
  fieldName: string;
  value: string;
  /** The normal appearance of each widget (in the order `textFieldWidgets` gave them), built with object numbers from `allocate`. */
  appearances: Array<(allocate: () => PdfRef) => { normal: PdfRef; objects: UpdatedObject[] }>;
}

/** §12.7.3.1 Table 221: ReadOnly — the viewer does not let a person type into it; the issuing signature fills it. */
const READ_ONLY = 1;
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * An incremental update adding empty text fields; returns the whole new file. Refused once anyone has
 * signed: a new field after a signature is a change no signature allows (only filling existing ones is).
 */
export function addTextFields(file: PdfFile, places: TextFieldPlace[]): Buffer {
  if (file.isEncrypted()) throw new AppError('PDF_ENCRYPTED', 'encrypted PDFs cannot be changed');
  if (places.length === 0) throw new AppError('USAGE', 'no place to add');
  if (findSignatures(file).length > 0) {
    throw new AppError('STATUS_TRANSITION_INVALID', 'the document is already signed: fields added now would break its signatures, so they must be added before anyone signs');
  }
  const existing = new Set(listFormFields(file).map((f) => f.fullName));
  const pages = file.pageRefs();
  let next = file.size;
  const allocate = (): PdfRef => new PdfRef(next++, 0);
  const updates: UpdatedObject[] = [];
  const newFields: PdfRef[] = [];
  const annotsByPage = new Map<number, PdfRef[]>();
  for (const place of places) {
    if (!FIELD_NAME.test(place.name)) throw new AppError('USAGE', `field name '${place.name}' must be letters, digits and _ (up to 64)`);
    if (existing.has(place.name)) throw new AppError('PDF_FIELD_EXISTS', `the document already has a field named '${place.name}'`);
    if (place.pageIndex < 0 || place.pageIndex >= pages.length) throw new AppError('USAGE', `page ${place.pageIndex + 1} does not exist (the document has ${pages.length})`);
    existing.add(place.name);
    const ref = allocate();
    updates.push({
      ref,
      value: new PdfDict([
        ['Type', name('Annot')], ['Subtype', name('Widget')], ['FT', name('Tx')], ['T', PdfString.fromText(place.name)],
        ['Ff', READ_ONLY], ['F', 4], ['Rect', place.rect], ['P', pages[place.pageIndex]], ['DA', PdfString.fromText('/Helv 13 Tf 0 g')],
      ]),
    });
    newFields.push(ref);
    annotsByPage.set(place.pageIndex, [...(annotsByPage.get(place.pageIndex) ?? []), ref]);
  }
  for (const [pageIndex, widgets] of annotsByPage) updates.push(annotsWith(file, pages[pageIndex], widgets));
  updates.push(...acroFormWith(file, newFields, allocate, (form) => {
    // /DA names /Helv: the default resources must define it (§12.7.3.3).
    const resources = file.resolveDict(form.get('DR'))?.clone() ?? new PdfDict();
    const fonts = file.resolveDict(resources.get('Font'))?.clone() ?? new PdfDict();
    if (!fonts.has('Helv')) {
      fonts.set('Helv', new PdfDict([['Type', name('Font')], ['Subtype', name('Type1')], ['BaseFont', name('Helvetica')], ['Encoding', name('WinAnsiEncoding')]]));
      form.set('DR', resources.set('Font', fonts));
    }
  }));
  return Buffer.concat([file.read(0, file.length), writeIncrementalUpdate(file, updates).bytes]);
}

/** The widgets of a text field: the field itself when merged with its widget, else its /Kids. */
export function textFieldWidgets(file: PdfFile, fieldName: string): TextFieldWidget[] {
  return widgetsOf(file, textField(listFormFields(file), fieldName));
}

/** The named text field of a listing, as an indirect object. */
function textField(fields: FormField[], fieldName: string): FormField & { ref: PdfRef } {
  const field = fields.find((f) => f.fullName === fieldName);
  if (!field) throw new AppError('PDF_FIELD_NOT_FOUND', `the document has no field named '${fieldName}'`);
  if (field.fieldType !== 'Tx') throw new AppError('PDF_FIELD_NOT_FOUND', `field '${fieldName}' is not a text field`);
  if (!field.ref) throw new AppError('PDF_MALFORMED', `field '${fieldName}' is not an indirect object`);
  return field as FormField & { ref: PdfRef };
}

function widgetsOf(file: PdfFile, field: FormField & { ref: PdfRef }): TextFieldWidget[] {
  const fieldName = field.fullName;
  const pages = file.pageRefs();
  const widget = (ref: PdfRef, dict: PdfDict): TextFieldWidget => {
    const rect = (asArray(file.resolve(dict.get('Rect'))) ?? []).map((v) => asNumber(file.resolve(v)) ?? NaN);
    if (rect.length !== 4 || rect.some((v) => !Number.isFinite(v))) throw new AppError('PDF_MALFORMED', `field '${fieldName}' has no rectangle`);
    const page = dict.get('P');
    const onPage = page instanceof PdfRef ? pages.findIndex((p) => p.num === page.num) : -1;
    const pageIndex = onPage >= 0 ? onPage : pages.findIndex((p) => (asArray(file.resolve(file.resolveDict(p)?.get('Annots'))) ?? []).some((a) => a instanceof PdfRef && a.num === ref.num));
    if (pageIndex < 0) throw new AppError('PDF_MALFORMED', `field '${fieldName}' is on no page`);
    const [x1, y1, x2, y2] = rect;
    return { ref, pageIndex, rect: [Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2)] };
  };
  const kids = (asArray(file.resolve(field.dict.get('Kids'))) ?? []).filter((k): k is PdfRef => k instanceof PdfRef);
  if (kids.length === 0) return [widget(field.ref, field.dict)];
  return kids.map((k) => widget(k, file.resolveDict(k) as PdfDict));
}

/** The objects that set each field's value and its widgets' appearances, for the caller's update. */
export function fillTextFields(file: PdfFile, fills: TextFieldFill[], allocate: () => PdfRef): UpdatedObject[] {
  const updates = new Map<number, UpdatedObject>();
  const rewrite = (ref: PdfRef, change: (dict: PdfDict) => void): void => {
    const current = updates.get(ref.num)?.value ?? file.resolveDict(ref);
    if (!(current instanceof PdfDict)) throw new AppError('PDF_MALFORMED', `object ${ref.num} is not a dictionary`);
    const dict = current.clone();
    change(dict);
    updates.set(ref.num, { ref, value: dict });
  };
  const extra: UpdatedObject[] = [];
  const fields = listFormFields(file);
  for (const fill of fills) {
    const field = textField(fields, fill.fieldName);
    const widgets = widgetsOf(file, field);
    // An empty string is no value yet.
    const current = file.resolve(field.dict.get('V'));
    if (current !== undefined && !(current instanceof PdfString && current.toText() === '')) {
      throw new AppError('PDF_FIELD_FILLED', `field '${fill.fieldName}' already has a value`);
    }
    if (fill.appearances.length !== widgets.length) throw new Error(`field '${fill.fieldName}' has ${widgets.length} widgets, ${fill.appearances.length} appearances given`);
    rewrite(field.ref, (d) => d.set('V', PdfString.fromText(fill.value)));
    widgets.forEach((w, i) => {
      const built = fill.appearances[i](allocate);
      extra.push(...built.objects);
      rewrite(w.ref, (d) => d.set('AP', new PdfDict([['N', built.normal]])));
    });
  }
  return [...updates.values(), ...extra];
}
