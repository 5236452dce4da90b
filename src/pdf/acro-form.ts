/**
 * Interactive form fields (ISO 32000-1 §12.7): walks the field tree with full names (§12.7.3.2) so a
 * signature can go into an existing empty field, and so new field names do not collide.
 */
import { asArray, asDict, isName, PdfDict, PdfObject, PdfRef, PdfString } from './objects';
import { PdfFile } from './pdf-file';
import type { UpdatedObject } from './write-incremental-update';

export interface FormField {
  fullName: string;
  ref: PdfRef | undefined;
  dict: PdfDict;
  /** /FT, inherited from ancestors when absent. */
  fieldType: string | undefined;
}

const MAX_FIELDS = 100_000;

export function listFormFields(file: PdfFile): FormField[] {
  const acroForm = file.resolveDict(file.catalog().get('AcroForm'));
  if (!acroForm) return [];
  const fields: FormField[] = [];
  const seen = new Set<number>();
  const walk = (value: PdfObject, parentName: string, inheritedType: string | undefined, depth: number): void => {
    if (depth > 32 || fields.length > MAX_FIELDS) return;
    if (value instanceof PdfRef) {
      if (seen.has(value.num)) return;
      seen.add(value.num);
    }
    let dict: PdfDict | undefined;
    try {
      dict = asDict(file.resolve(value));
    } catch {
      return; // an unreadable field object: the rest of the tree is still listed
    }
    if (!dict) return;
    const partial = dict.get('T');
    const fullName =
      partial instanceof PdfString ? (parentName ? `${parentName}.${partial.toText()}` : partial.toText()) : parentName;
    const ft = dict.get('FT');
    const fieldType = isName(ft) ? ft.name : inheritedType;
    const kids = asArray(file.resolve(dict.get('Kids')));
    const fieldKids = (kids ?? []).filter((k) => {
      try {
        return asDict(file.resolve(k))?.has('T');
      } catch {
        return true; // walked, and skipped there if it cannot be read
      }
    });
    if (partial instanceof PdfString) {
      fields.push({ fullName, ref: value instanceof PdfRef ? value : undefined, dict, fieldType });
    }
    for (const kid of fieldKids) walk(kid, fullName, fieldType, depth + 1);
  };
  for (const f of asArray(file.resolve(acroForm.get('Fields'))) ?? []) walk(f, '', undefined, 0);
  return fields;
}

/** The update adding widgets to a page's /Annots: the array object when it is indirect, else the page. */
export function annotsWith(file: PdfFile, pageRef: PdfRef, widgets: PdfRef[]): UpdatedObject {
  const page = file.resolveDict(pageRef) as PdfDict;
  const annots = page.get('Annots');
  if (annots instanceof PdfRef && Array.isArray(file.resolve(annots))) return { ref: annots, value: [...(file.resolve(annots) as PdfObject[]), ...widgets] };
  return { ref: pageRef, value: page.clone().set('Annots', [...(asArray(file.resolve(annots)) ?? []), ...widgets]) };
}

/**
 * The updates adding fields to the AcroForm's /Fields (the array object when it is indirect), with the form
 * dictionary changed by `amend`; a document without a form gets one, linked from the catalog.
 */
export function acroFormWith(file: PdfFile, fields: PdfRef[], allocate: () => PdfRef, amend: (form: PdfDict) => void): UpdatedObject[] {
  const updates: UpdatedObject[] = [];
  const catalog = file.catalog();
  const formEntry = catalog.get('AcroForm');
  const form = file.resolveDict(formEntry)?.clone() ?? new PdfDict();
  const fieldsEntry = form.get('Fields');
  if (fieldsEntry instanceof PdfRef && Array.isArray(file.resolve(fieldsEntry))) updates.push({ ref: fieldsEntry, value: [...(file.resolve(fieldsEntry) as PdfObject[]), ...fields] });
  else form.set('Fields', [...(asArray(file.resolve(fieldsEntry)) ?? []), ...fields]);
  amend(form);
  if (formEntry instanceof PdfRef) updates.push({ ref: formEntry, value: form });
  else {
    const formRef = allocate();
    updates.push({ ref: formRef, value: form }, { ref: file.trailer.get('Root') as PdfRef, value: catalog.clone().set('AcroForm', formRef) });
  }
  return updates;
}
