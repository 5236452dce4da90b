/**
 * What changed after a signature (the incremental saving and shadow attack families): every object that
 * a later revision adds or rewrites is compared with the signed revision and classified (pyHanko's
 * difference analysis, DSS's object modification checks). Content streams, the page tree, catalog
 * entries and XObjects that change after signing are OTHER.
 */
import { asArray, asDict, isName, listFormFields, PdfDict, PdfFile, PdfObject, PdfRef, PdfStream, serializeObject, writtenAlike, XrefEntry } from '../pdf';
import { maxLevel, ModificationLevel } from './report';

const CATALOG_KEYS_ALLOWED = new Set(['AcroForm', 'DSS', 'Extensions', 'Version', 'StructTreeRoot', 'MarkInfo', 'Metadata', 'Lang']);
const FIELD_KEYS_ALLOWED = new Set(['V', 'AS', 'AP', 'Kids', 'MK', 'DV', 'F']);
/** Name trees whose entries come with annotations: attachments, destinations, stamp appearances (ISO 32000-1 Table 31). */
const NAME_TREES_AS_ANNOTATIONS = new Set(['EmbeddedFiles', 'Dests', 'AP']);
const FORM_KEYS_ALLOWED = new Set(['Fields', 'SigFlags', 'DR', 'DA', 'NeedAppearances']);
const LONG_TERM_WALK_DEPTH = 8;
const MAX_CHANGED_OBJECTS = 200_000;

export interface ModificationFindings {
  level: ModificationLevel;
  details: string[];
  /** Full names of the existing form fields whose field, widget or appearance objects changed (FieldMDP). */
  changedFields: string[];
  /** Full names of the signed revision's form fields that the final revision no longer has. */
  removedFields: string[];
}

export function analyseModifications(signed: PdfFile, final: PdfFile): ModificationFindings {
  const details: string[] = [];
  let level: ModificationLevel = 'NONE';
  const changedFields = new Set<string>();
  let fieldOf: Map<number, string> | undefined;
  const touchField = (num: number): void => {
    fieldOf ??= fieldObjectsOf(signed);
    const name = fieldOf.get(num);
    if (name !== undefined) changedFields.add(name);
  };
  let valuesBefore: Map<string, string> | undefined;
  let valuesAfter: Map<string, string> | undefined;
  /**
   * Whether the field that owns object `num` (the field, a widget or an appearance stream) got a new value.
   * Redrawing a field without changing its value changes what is shown but not what was filled in: the
   * "replace" shadow attack (DSS-2236) re-points the appearance of an unchanged field. A signature field is
   * no exception: its appearance is what its signer saw signed, and an empty one drawn anew shows a signature
   * no one made.
   */
  const appearanceWithoutValue = (num: number): string | undefined => {
    fieldOf ??= fieldObjectsOf(signed);
    const name = fieldOf.get(num);
    if (name === undefined) return undefined;
    valuesBefore ??= fieldValuesOf(signed);
    valuesAfter ??= fieldValuesOf(final);
    const before = valuesBefore.get(name);
    return before !== undefined && before === valuesAfter.get(name) ? name : undefined;
  };
  const raise = (to: ModificationLevel, why: string): void => {
    level = maxLevel(level, to);
    if (details.length < 50) details.push(`${to}: ${why}`);
  };
  const rootBefore = signed.trailer.get('Root');
  const rootAfter = final.trailer.get('Root');
  if (!(rootBefore instanceof PdfRef) || !(rootAfter instanceof PdfRef) || rootBefore.num !== rootAfter.num) {
    raise('OTHER', 'the document catalog was replaced');
    return { level, details, changedFields: [], removedFields: [] };
  }
  // Encryption set, removed or changed after signing: every string and stream, the signed ones included,
  // is then read through another key.
  if (!sameObject(signed.trailer.get('Encrypt'), final.trailer.get('Encrypt'))) raise('OTHER', 'the document\'s encryption was changed');
  const catalogNum = rootAfter.num;
  const formRef = signed.catalog().get('AcroForm');
  // The information dictionary is the one the signed revision named: a later trailer may name any object.
  const infoBefore = signed.trailer.get('Info');
  const infoAfter = final.trailer.get('Info');
  const infoNum = infoBefore instanceof PdfRef && infoAfter instanceof PdfRef && infoBefore.num === infoAfter.num ? infoBefore.num : undefined;
  // Validation data and document timestamps (ETSI EN 319 142-1 §5.4): the objects only they reach.
  const longTermAfter = longTermOf(final);
  let longTermBefore: { dss: Set<number>; all: Set<number> } | undefined;
  /**
   * A rewritten object may count as validation data only if it is reached from the DSS alone and, when
   * signed, nothing else used it (a document timestamp that already existed is not rewritten at LTA level).
   */
  const usedOutsideLongTerm = (num: number): boolean => {
    const before = (longTermBefore ??= longTermOf(signed));
    if (!longTermAfter.dss.has(num)) return true;
    if (before.dss.has(num)) return false;
    if (before.all.has(num)) return true;
    return (referencesOf(signed).get(num) ?? []).some(({ from, path }) => !before.dss.has(from) && !(from === catalogNum && path.startsWith('/DSS')));
  };
  /** The annotations of page object `page` went from `before` to `after`. */
  const annotationsChanged = (before: PdfObject[], after: PdfObject[], page: number): void => {
    const { added, removed } = arrayChanges(before, after);
    for (const annot of added) {
      if (annot instanceof PdfRef && longTermAfter.all.has(annot.num)) raise('LTA_UPDATES', `document timestamp widget added on page object ${page}`);
      else if (annot instanceof PdfRef && definedIn(signed, annot.num)) {
        // An annotation that already existed, now also on this page: the widget of a field signed since is
        // part of that signing; another form field's widget is shown where it was not filled or signed (a
        // signature's stamp on another page); another annotation is one added.
        const level = annotationLevel(signed, final, annot);
        raise(level === 'ANNOTATIONS' && isName(final.resolveDict(annot)?.get('Subtype'), 'Widget') ? 'OTHER' : level, `annotation object ${annot.num} placed on page object ${page} as well`);
      } else raise(annotationLevel(signed, final, annot), `annotation added on page object ${page}`);
    }
    for (const annot of removed) {
      // Removing a widget takes a form field off the page: not form filling (ISO 32000-2 §12.7.5.4).
      if (isName(signed.resolveDict(annot)?.get('Subtype'), 'Widget')) raise('OTHER', `a form field's widget was removed from page object ${page}`);
      else raise('ANNOTATIONS', `annotation removed from page object ${page}`);
    }
  };
  /** Whether object `num` was part of the structure tree when signed, and nothing else used it. */
  const onlyStructure = (num: number): boolean => {
    const structure = structureOf(signed);
    return structure.has(num) && (referencesOf(signed).get(num) ?? []).every(({ from, path }) => structure.has(from) || (from === catalogNum && path === '/StructTreeRoot'));
  };
  let unknownWhenSigned: { nums: Set<number>; mayBeReferred: boolean } | undefined;
  /**
   * Whether an object of the signed revision refers to `num`, a number it did not define. Every object of the
   * revision is read only when the numbers it did not define are written as references somewhere in it.
   */
  const referredToWhenSigned = (num: number): boolean => {
    if (!unknownWhenSigned) {
      const nums = new Set<number>();
      for (const [n, e] of final.xref.entries) if (e.type !== 'free' && !definedIn(signed, n)) nums.add(n);
      unknownWhenSigned = { nums, mayBeReferred: signed.mayReferToAny([...nums]) };
    }
    if (unknownWhenSigned.nums.has(num) && !unknownWhenSigned.mayBeReferred) return false;
    return (referencesOf(signed).get(num) ?? []).some(({ from }) => from !== TRAILER);
  };
  let count = 0;
  let anyChanged = false;
  for (const [num, entry] of final.xref.entries) {
    if (++count > MAX_CHANGED_OBJECTS) {
      raise('OTHER', 'too many changed objects to analyse');
      break;
    }
    const before = signed.xref.entries.get(num);
    if (entry.type === 'free') {
      // Deleting an object that the document still refers to makes that part of it vanish (the "change
      // objects usage" hide-and-replace variant frees a widget that the page still lists).
      if (before && before.type !== 'free') {
        anyChanged = true;
        if ((referencesOf(final).get(num) ?? []).length > 0) raise('OTHER', `object ${num} was deleted but is still referred to`);
      }
      continue;
    }
    if (before && sameEntry(before, entry, signed.xref.entries, final.xref.entries)) continue;
    anyChanged = true;
    const newValue = safeGet(final, num);
    const oldValue = before && before.type !== 'free' ? safeGet(signed, num) : undefined;
    if (oldValue !== undefined && sameObject(oldValue, newValue)) continue;
    const dict = asDict(newValue ?? undefined);
    if (newValue instanceof PdfStream && (isName(newValue.dict.get('Type'), 'XRef') || isName(newValue.dict.get('Type'), 'ObjStm'))) continue;
    if (oldValue === undefined) {
      // A number the signed revision already referred to (a dangling reference, shown as nothing) that now
      // resolves: content appears where the signer saw none, without any signed object changing. A number
      // beyond the signed revision's /Size counts too: a reader draws nothing for it, whatever the number.
      // The trailer's own entries are not drawn (writers put private ones there; /Info is compared above).
      if (referredToWhenSigned(num)) raise('OTHER', `object ${num}, referred to but missing when signed, was defined afterwards`);
      else if (longTermAfter.all.has(num)) raise('LTA_UPDATES', `object ${num} of the DSS or a document timestamp added`);
      else classifyNew(signed, final, num, dict, raise);
      continue;
    }
    touchField(num);
    if (num === catalogNum) {
      for (const key of changedKeys(asDict(oldValue), dict)) {
        if (key === 'AcroForm' && !(dict?.get('AcroForm') instanceof PdfRef && asDict(oldValue)?.get('AcroForm') instanceof PdfRef)) {
          // A form dictionary written inside the catalog, or created: judged like the indirect one.
          classifyFormChange(signed, final, signed.resolveDict(asDict(oldValue)?.get('AcroForm')), final.resolveDict(dict?.get('AcroForm')), longTermAfter.all, raise);
        } else if (key === 'Names') {
          const changed = changedKeys(signed.resolveDict(asDict(oldValue)?.get('Names')), final.resolveDict(dict?.get('Names')));
          // Attachments, destinations and stamp appearances are annotation-level additions; a document-level script
          // (/JavaScript runs when the document opens and can change what fields show) or any other tree is not.
          for (const tree of changed) raise(NAME_TREES_AS_ANNOTATIONS.has(tree) ? 'ANNOTATIONS' : 'OTHER', `catalog name tree /${tree} changed`);
        }
        else if (!CATALOG_KEYS_ALLOWED.has(key)) raise('OTHER', `catalog entry /${key} changed`);
        else if (key === 'DSS' || key === 'Extensions') raise('LTA_UPDATES', `catalog entry /${key} added or updated`);
        else raise('FORM_FILLING', `catalog entry /${key} changed`);
      }
      continue;
    }
    if (num === infoNum) {
      raise('LTA_UPDATES', 'document information dictionary updated'); // metadata only, as pyHanko's DocInfoRule
      continue;
    }
    if (formRef instanceof PdfRef && formRef.num === num) {
      classifyFormChange(signed, final, asDict(oldValue), dict, longTermAfter.all, raise);
      continue;
    }
    if (longTermAfter.all.has(num)) {
      if (usedOutsideLongTerm(num)) raise('OTHER', `object ${num}, used by the document when signed, was rewritten as validation data`);
      else raise('LTA_UPDATES', `object ${num} of the DSS or a document timestamp updated`);
      continue;
    }
    if (Array.isArray(oldValue) && Array.isArray(newValue)) {
      // An array is judged by what it is: a page's annotations, the form's fields, or anything else (a page's
      // content streams, a page-tree node's kids...), where entries appended are drawn as well.
      const role = arrayRolesOf(final).get(num);
      if (role?.kind === 'annots') annotationsChanged(oldValue, newValue, role.page);
      else if (role?.kind === 'fields') fieldsChanged(oldValue, newValue, longTermAfter.all, raise);
      else if (!oldValue.every((v, i) => sameObject(v, newValue[i]))) raise('OTHER', `array object ${num} rewritten`);
      else if ((referencesOf(final).get(num) ?? []).some(({ from }) => from !== TRAILER)) raise('OTHER', `array object ${num} extended`);
      continue;
    }
    // What an object's /Type says counts for dictionaries only: a stream whose dictionary claims a type is
    // still data a page may draw (content streams carry any key), judged by the stream rules below.
    const typed = newValue instanceof PdfDict && !(oldValue instanceof PdfStream) ? newValue : undefined;
    // And it counts only for an object in that role when signed: a dictionary that calls itself a page-tree
    // node but is a page's resources is still resources.
    if (typed && (isDssObject(asDict(oldValue)) || isName(typed.get('Type'), 'DSS')) && longTermOf(signed).dss.has(num)) {
      raise('LTA_UPDATES', 'DSS updated');
      continue;
    }
    if (isName(typed?.get('Type'), 'Font') && changedKeys(asDict(oldValue), typed).every((k) => k === 'Name')) {
      continue; // the obsolete /Name of a font (PDF 1.0) does not affect rendering; Acrobat drops it
    }
    if (isName(typed?.get('Type'), 'Pages') && pageTreeOf(signed).nodes.has(num)) {
      // A page-tree node whose kids, count and inheritable attributes are unchanged draws the same pages;
      // writers add private keys here (e.g. iText's /ITXT).
      const inert = changedKeys(asDict(oldValue), dict).every((k) => !['Kids', 'Count', 'Parent', 'Resources', 'MediaBox', 'CropBox', 'Rotate'].includes(k));
      if (!inert) raise('OTHER', `page tree node ${num} changed`);
      continue;
    }
    if (isName(typed?.get('Type'), 'Page') && pageTreeOf(signed).pages.has(num)) {
      for (const key of changedKeys(asDict(oldValue), dict)) {
        if (key !== 'Annots') raise('OTHER', `page object ${num}: /${key} changed`);
      }
      annotationsChanged(asArray(signed.resolve(asDict(oldValue)?.get('Annots'))) ?? [], asArray(final.resolve(dict?.get('Annots'))) ?? [], num);
      continue;
    }
    if (newValue instanceof PdfStream && isName(newValue.dict.get('Type'), 'Metadata') && oldValue instanceof PdfStream && !pageStreamsOf(signed).has(num) && !appearancesOf(final).has(num)) {
      // XMP metadata (§14.3.2) is rewritten by most writers on every save; a stream a page or an annotation
      // draws is content whatever its /Type says (an XObject's /Type is optional).
      continue;
    }
    if (newValue instanceof PdfStream && appearancesOf(final).has(num) && !pageStreamsOf(signed).has(num)) {
      // Only an appearance nothing else uses may be redrawn: the "sneaky" family points a page, the
      // catalog or another object at the same stream before signing, then rewrites it.
      const unchanged = appearanceWithoutValue(num);
      if (unchanged !== undefined) raise('OTHER', `appearance stream ${num} of field "${unchanged}" was redrawn but its value did not change`);
      else if (onlyAppearanceReferences(signed, referencesOf(signed), num)) raise('FORM_FILLING', `appearance stream ${num} of a form field updated`);
      else raise('OTHER', `appearance stream ${num} is also used outside a form field and was rewritten`);
      continue;
    }
    if ((isName(typed?.get('Type'), 'StructElem') || isName(typed?.get('Type'), 'StructTreeRoot') || isNumberTreeNode(typed)) && onlyStructure(num)) {
      raise('FORM_FILLING', 'structure tree updated');
      continue;
    }
    if (dict && (dict.has('FT') || dict.has('T') || isName(dict.get('Subtype'), 'Widget')) && !(newValue instanceof PdfStream)) {
      const keys = changedKeys(asDict(oldValue), dict);
      const oldAp = asDict(oldValue)?.get('AP');
      if (keys.includes('AP') && oldAp instanceof PdfRef) {
        // Replacing an indirect appearance dictionary that something else also uses is how the
        // "sneaky" variants smuggle content (pyHanko's form-update tests).
        if (!onlyIndirectApReferences(signed, referencesOf(signed), oldAp.num)) {
          raise('OTHER', `form field object ${num}: its shared appearance dictionary ${oldAp.num} was replaced`);
          continue;
        }
      }
      const unchanged = keys.includes('AP') ? appearanceWithoutValue(num) : undefined;
      if (unchanged !== undefined) raise('OTHER', `form field "${unchanged}": its appearance was replaced but its value did not change`);
      // Filling a form does not show or hide its fields: the widget's Hidden, NoView and ToggleNoView flags
      // (§12.5.3) stay as signed (Print, ReadOnly and Locked may change).
      else if (keys.includes('F') && visibilityOf(signed, asDict(oldValue)) !== visibilityOf(final, dict)) raise('OTHER', `form field object ${num} was shown or hidden`);
      // A choice field's /I (selected indices) changes with its /V (ISO 32000-2 §12.7.5.4).
      else if (keys.every((k) => FIELD_KEYS_ALLOWED.has(k) || (k === 'I' && keys.includes('V')))) raise('FORM_FILLING', `form field object ${num} filled`);
      else raise('OTHER', `form field object ${num}: ${keys.filter((k) => !FIELD_KEYS_ALLOWED.has(k)).map((k) => `/${k}`).join(' ')} changed`);
      continue;
    }
    if (typed && isName(typed.get('Type'), 'Annot') && !isName(typed.get('Subtype'), 'Widget') && (annotationsOf(signed).has(num) || annotationsOf(final).has(num))) {
      raise('ANNOTATIONS', `annotation object ${num} changed`);
      continue;
    }
    raise('OTHER', `object ${num}${newValue instanceof PdfStream ? ' (a stream: content, image, font or XObject)' : ''} was rewritten`);
  }
  // A revision whose every object is the signed one's has the same fields.
  const removedFields = anyChanged || !sameObject(rootBefore, rootAfter) ? removedFieldNames(signed, final) : [];
  for (const name of removedFields.slice(0, 20)) raise('OTHER', `form field "${name}" was removed`);
  return { level, details, changedFields: [...changedFields], removedFields };
}

/**
 * What is derived from a whole revision, once per view: a document's later revision is compared with the
 * signed revision of each of its signatures, and views are immutable.
 */
function perView<T>(derive: (file: PdfFile) => T): (file: PdfFile) => T {
  const derived = new WeakMap<PdfFile, T>();
  return (file) => {
    let value = derived.get(file);
    if (value === undefined) {
      value = derive(file);
      derived.set(file, value);
    }
    return value;
  };
}

const longTermOf = perView(longTermObjects);
const appearancesOf = perView(widgetAppearanceStreams);
const pageStreamsOf = perView(streamsUsedByPages);
const referencesOf = perView(collectReferences);
const fieldObjectsOf = perView(fieldObjects);
const fieldValuesOf = perView(fieldValues);
/** The page tree's objects by number: its intermediate nodes and its pages. */
const pageTreeOf = perView((file): { nodes: Set<number>; pages: Set<number> } => {
  try {
    const { nodes, pages } = file.pageTree();
    return { nodes: new Set(nodes.map((r) => r.num)), pages: new Set(pages.map((r) => r.num)) };
  } catch {
    return { nodes: new Set(), pages: new Set() }; // no catalog: nothing plays these roles
  }
});
/**
 * The structure tree's own objects (ISO 32000-1 §14.7): from the catalog's /StructTreeRoot through element
 * children (/K), attributes (/A) and the parent tree (/ParentTree, its /Kids and /Nums), not into the pages
 * and objects the elements point at (/Pg, /Obj).
 */
const structureOf = perView((file): Set<number> => {
  const out = new Set<number>();
  const walk = (value: PdfObject | undefined, depth: number): void => {
    if (value === undefined || value === null || depth > 64 || out.size > MAX_REFERENCE_SCAN) return;
    if (value instanceof PdfRef) {
      if (out.has(value.num)) return;
      out.add(value.num);
      walk(safeGet(file, value.num), depth + 1);
    } else if (Array.isArray(value)) value.forEach((v) => walk(v, depth + 1));
    else if (value instanceof PdfDict) for (const key of ['K', 'A', 'ParentTree', 'Kids', 'Nums']) walk(value.get(key), depth + 1);
  };
  try {
    walk(file.catalog().get('StructTreeRoot'), 0);
  } catch {
    // a broken catalog: nothing counts as structure
  }
  return out;
});
/** Each page's /Annots as written (a reference or an array), for the first 10,000 pages; on a broken page tree, those read. */
const pageAnnotsOf = perView((file): Array<{ page: PdfRef; annots: PdfObject | undefined }> => {
  const out: Array<{ page: PdfRef; annots: PdfObject | undefined }> = [];
  try {
    for (const page of file.pageRefs().slice(0, 10_000)) out.push({ page, annots: file.resolveDict(page)?.get('Annots') });
  } catch {
    // a broken page tree: what was read counts
  }
  return out;
});
/** The annotations the pages list (each page's /Annots). */
const annotationsOf = perView((file): Set<number> => {
  const out = new Set<number>();
  try {
    for (const { annots } of pageAnnotsOf(file)) {
      for (const annot of asArray(file.resolve(annots)) ?? []) if (annot instanceof PdfRef) out.add(annot.num);
    }
  } catch {
    // a broken annotation list: what was read counts
  }
  return out;
});
/** Full names of a revision's form fields, or null when its form cannot be read. */
const fieldNamesOf = perView((file): string[] | null => {
  try {
    return listFormFields(file).map((f) => f.fullName);
  } catch {
    return null;
  }
});

/** Fields of the signed revision that the final one no longer lists (ISO 32000-2 §12.7.5.4: removing is not filling). */
function removedFieldNames(signed: PdfFile, final: PdfFile): string[] {
  const before = fieldNamesOf(signed);
  const after = fieldNamesOf(final);
  if (!before || !after) return [];
  const kept = new Set(after);
  return before.filter((name) => !kept.has(name));
}

/**
 * A change of the form dictionary: fields appended are form filling (a new signature) or, when they are
 * document timestamps, LTA updates; fields taken out of /Fields are never form filling; /SigFlags alone
 * is an LTA update.
 */
function classifyFormChange(
  signed: PdfFile, final: PdfFile, before: PdfDict | undefined, after: PdfDict | undefined, longTerm: Set<number>, raise: (l: ModificationLevel, why: string) => void,
): void {
  for (const key of changedKeys(before, after)) {
    if (!FORM_KEYS_ALLOWED.has(key)) {
      raise('OTHER', `AcroForm entry /${key} changed`);
    } else if (key === 'Fields') {
      const old = asArray(signed.resolve(before?.get('Fields')));
      const now = asArray(final.resolve(after?.get('Fields')));
      if (!old && !now) raise('FORM_FILLING', 'form fields added');
      else fieldsChanged(old ?? [], now ?? [], longTerm, raise);
    } else if (key === 'SigFlags') {
      raise('LTA_UPDATES', 'signature flags updated');
    } else if (key === 'DR' && replacesResources(signed, final, before?.get('DR'), after?.get('DR'))) {
      // Fields are drawn anew with these (a new value, or /NeedAppearances): a font replaced under the same
      // name draws the same values as other glyphs.
      raise('OTHER', 'a font the form\'s fields are drawn with was replaced');
    } else {
      raise('FORM_FILLING', 'form dictionary updated');
    }
  }
}

/** The form's /Fields went from `before` to `after`: fields appended are form filling (a new signature) or, when they are document timestamps, LTA updates; fields taken out never are. */
function fieldsChanged(before: PdfObject[], after: PdfObject[], longTerm: Set<number>, raise: (l: ModificationLevel, why: string) => void): void {
  const { added, removed } = arrayChanges(before, after);
  if (removed.length > 0) raise('OTHER', 'a field was removed from the form\'s /Fields');
  if (added.length > 0 && added.every((v) => v instanceof PdfRef && longTerm.has(v.num))) raise('LTA_UPDATES', 'document timestamp field added');
  else if (added.length > 0) raise('FORM_FILLING', 'form fields added');
}

/** Indirect arrays by what they are: a page's /Annots (with the page's number), the form's /Fields. */
const arrayRolesOf = perView((file): Map<number, { kind: 'annots'; page: number } | { kind: 'fields' }> => {
  const roles = new Map<number, { kind: 'annots'; page: number } | { kind: 'fields' }>();
  try {
    const fields = file.resolveDict(file.catalog().get('AcroForm'))?.get('Fields');
    if (fields instanceof PdfRef) roles.set(fields.num, { kind: 'fields' });
    for (const { page, annots } of pageAnnotsOf(file)) if (annots instanceof PdfRef) roles.set(annots.num, { kind: 'annots', page: page.num });
  } catch {
    // a broken catalog or page tree: arrays it would name are judged as any other
  }
  return roles;
});

/**
 * Whether the form's default fonts (/DR /Font, name → font) map a name they had when signed to another font:
 * adding names is how filling a field brings its font. (Other categories are not compared: signing tools
 * replace their own appearance XObject there, e.g. Acrobat's /FRM.)
 */
function replacesResources(signed: PdfFile, final: PdfFile, before: PdfObject | undefined, after: PdfObject | undefined): boolean {
  try {
    const oldFonts = signed.resolveDict(signed.resolveDict(before)?.get('Font'));
    const newFonts = final.resolveDict(final.resolveDict(after)?.get('Font'));
    return [...(oldFonts?.map ?? [])].some(([fontName, value]) => !sameObject(value, newFonts?.get(fontName)));
  } catch {
    return true; // resources that cannot be read cannot be shown to be the same
  }
}

/**
 * Objects that only validation data reach (ETSI EN 319 142-1 §5.4): `dss`, everything under the catalog's
 * /DSS (VRI dictionaries and entries, the Certs/CRLs/OCSPs arrays and their streams); `all`, those and
 * each document timestamp's field, value, widgets and appearance.
 */
function longTermObjects(file: PdfFile): { dss: Set<number>; all: Set<number> } {
  const out = new Set<number>();
  const walk = (value: PdfObject | undefined, depth: number): void => {
    if (depth > LONG_TERM_WALK_DEPTH || value === undefined || value === null) return;
    if (value instanceof PdfRef) {
      if (out.has(value.num)) return;
      out.add(value.num);
      walk(safeGet(file, value.num), depth + 1);
    } else if (Array.isArray(value)) value.forEach((v) => walk(v, depth + 1));
    else if (value instanceof PdfDict) for (const v of value.map.values()) walk(v, depth + 1);
    else if (value instanceof PdfStream) for (const v of value.dict.map.values()) walk(v, depth + 1);
  };
  let dss = new Set<number>();
  try {
    walk(file.catalog().get('DSS'), 0);
    dss = new Set(out);
    for (const field of listFormFields(file)) {
      if (field.fieldType !== 'Sig') continue;
      const v = file.resolveDict(field.dict.get('V'));
      if (!v || !(isName(v.get('Type'), 'DocTimeStamp') || isName(v.get('SubFilter'), 'ETSI.RFC3161'))) continue;
      // A document timestamp shows nothing; one whose widget draws on a page is judged as any signature field.
      const kids = (asArray(file.resolve(field.dict.get('Kids'))) ?? []).map((kid) => file.resolveDict(kid));
      if ([field.dict.has('Rect') ? field.dict : undefined, ...kids].some((widget) => widget && drawsOnPage(file, widget))) continue;
      if (field.ref) out.add(field.ref.num);
      const value = field.dict.get('V');
      if (value instanceof PdfRef) out.add(value.num);
      walk(field.dict.get('AP'), 0);
      for (const kid of asArray(file.resolve(field.dict.get('Kids'))) ?? []) {
        if (kid instanceof PdfRef) out.add(kid.num);
        walk(file.resolveDict(kid)?.get('AP'), 0);
      }
    }
  } catch {
    // a broken catalog or form: nothing more counts as validation data
  }
  return { dss, all: out };
}

/** Full field name → its value (/V, and /AS of its widgets) as text, prefixed with the field type. */
function fieldValues(file: PdfFile): Map<string, string> {
  const out = new Map<string, string>();
  try {
    for (const field of listFormFields(file)) {
      const states = (asArray(file.resolve(field.dict.get('Kids'))) ?? []).map((k) => file.resolveDict(k)?.get('AS'));
      const value = [field.dict.get('V'), field.dict.get('AS'), ...states].map((v) => (v === undefined ? '' : canonical(file.resolve(v) ?? null))).join('|');
      out.set(field.fullName, `${field.fieldType ?? ''}:${value}`);
    }
  } catch {
    // a broken form leaves the map partial
  }
  return out;
}

/** Object number → full field name, for every field of the signed revision, its widgets and their appearance streams. */
function fieldObjects(file: PdfFile): Map<number, string> {
  const out = new Map<number, string>();
  const addAppearances = (widget: PdfDict | undefined, name: string): void => {
    const ap = widget?.get('AP');
    if (ap instanceof PdfRef) out.set(ap.num, name);
    for (const v of file.resolveDict(ap)?.map.values() ?? []) {
      if (v instanceof PdfRef) out.set(v.num, name);
      for (const state of file.resolveDict(v)?.map.values() ?? []) if (state instanceof PdfRef) out.set(state.num, name);
    }
  };
  try {
    for (const field of listFormFields(file)) {
      if (field.ref) out.set(field.ref.num, field.fullName);
      addAppearances(field.dict, field.fullName);
      for (const kid of asArray(file.resolve(field.dict.get('Kids'))) ?? []) {
        const widget = file.resolveDict(kid);
        if (!widget || widget.has('T')) continue;
        if (kid instanceof PdfRef) out.set(kid.num, field.fullName);
        addAppearances(widget, field.fullName);
      }
    }
  } catch {
    // a broken form leaves the map partial
  }
  return out;
}

function classifyNew(signed: PdfFile, file: PdfFile, num: number, dict: PdfDict | undefined, raise: (l: ModificationLevel, why: string) => void): void {
  if (!dict) return; // a new number, array or stream on its own changes nothing until something references it
  if (isName(dict.get('Type'), 'DocTimeStamp') || isName(dict.get('SubFilter'), 'ETSI.RFC3161')) return raise('LTA_UPDATES', 'document timestamp added');
  if (isName(dict.get('Type'), 'Sig') || dict.has('ByteRange')) return raise('FORM_FILLING', 'signature added');
  if (isName(dict.get('Type'), 'DSS') || dict.has('VRI')) return raise('LTA_UPDATES', 'DSS added');
  if (isName(dict.get('Type'), 'Annot') || isName(dict.get('Subtype'), 'Widget')) {
    return raise(annotationLevel(signed, file, new PdfRef(num, 0)), `annotation object ${num} added`);
  }
}

/**
 * A new signature widget is part of signing (FORM_FILLING level) when its field is signed or it draws
 * nothing; any other new annotation, including the widget of a new non-signature form field, is ANNOTATIONS:
 * adding fields is not filling them (DocMDP P=2). An empty signature field drawn on a page is not signing
 * either (ISO 32000-2 Table 257: P=2 permits filling in forms and signing): it shows what no one signed (the
 * "sneaky signature" family).
 */
function annotationLevel(signed: PdfFile, file: PdfFile, annot: PdfObject): ModificationLevel {
  const dict = file.resolveDict(annot);
  if (!dict) return 'OTHER';
  const fieldRef = dict.has('FT') ? annot : dict.get('Parent');
  const field = file.resolveDict(fieldRef);
  if (!isName(field?.get('FT'), 'Sig')) return 'ANNOTATIONS';
  return signedSince(signed, file, fieldRef, field) || !drawsOnPage(file, dict) ? 'FORM_FILLING' : 'ANNOTATIONS';
}

/** Whether revision `file` defines object `num` (an entry that is not free). */
function definedIn(file: PdfFile, num: number): boolean {
  const entry = file.xref.entries.get(num);
  return entry !== undefined && entry.type !== 'free';
}

/**
 * Whether a signature field got its signature after `signed`: it has a value now, and not the value it had
 * then. A new widget of a field signed before is not signing; it shows that signature where it was not made.
 */
function signedSince(signed: PdfFile, file: PdfFile, fieldRef: PdfObject | undefined, field: PdfDict | undefined): boolean {
  if (!isSigned(file, field)) return false;
  if (!(fieldRef instanceof PdfRef)) return true;
  try {
    const before = definedIn(signed, fieldRef.num) ? signed.resolveDict(fieldRef) : undefined;
    return !(before && isSigned(signed, before) && sameObject(before.get('V'), field?.get('V')));
  } catch {
    return true;
  }
}

/** Whether a signature field has a value: one that cannot be read counts (it is reported as a failed signature itself). */
function isSigned(file: PdfFile, field: PdfDict | undefined): boolean {
  const value = field?.get('V');
  if (!(value instanceof PdfRef)) return value !== undefined && value !== null;
  try {
    return file.resolve(value) !== null; // a value pointing at a free object leaves the field empty
  } catch {
    return true;
  }
}

/** A widget's flags that decide whether it is shown (Hidden, NoView, ToggleNoView: ISO 32000-1 Table 165). */
function visibilityOf(file: PdfFile, widget: PdfDict | undefined): number {
  try {
    const flags = file.resolve(widget?.get('F'));
    return typeof flags === 'number' ? flags & (2 | 32 | 256) : 0;
  } catch {
    return -1; // unreadable flags: never the same as readable ones
  }
}

/** Whether a widget shows something: a normal appearance, an area on the page, and neither Hidden nor NoView (§12.5.3). */
function drawsOnPage(file: PdfFile, widget: PdfDict): boolean {
  try {
    const rect = asArray(file.resolve(widget.get('Rect')));
    const [x1, y1, x2, y2] = rect && rect.length === 4 && rect.every((v) => typeof v === 'number') ? (rect as number[]) : [0, 0, 0, 0];
    const flags = file.resolve(widget.get('F'));
    const hidden = typeof flags === 'number' && (flags & (2 | 32)) !== 0;
    return !hidden && x1 !== x2 && y1 !== y2 && file.resolveDict(widget.get('AP'))?.get('N') !== undefined;
  } catch {
    return true; // what cannot be read cannot be shown to draw nothing
  }
}

/** Entries of an array added and removed between revisions (references by number, direct values by text). */
function arrayChanges(before: PdfObject[], after: PdfObject[]): { added: PdfObject[]; removed: PdfObject[] } {
  const key = (value: PdfObject): string => (value instanceof PdfRef ? value.key : serializeObject(value));
  const beforeKeys = new Set(before.map(key));
  const afterKeys = new Set(after.map(key));
  return { added: after.filter((a) => !beforeKeys.has(key(a))), removed: before.filter((a) => !afterKeys.has(key(a))) };
}

function changedKeys(a: PdfDict | undefined, b: PdfDict | undefined): string[] {
  const keys = new Set([...(a?.map.keys() ?? []), ...(b?.map.keys() ?? [])]);
  return [...keys].filter((k) => {
    const x = a?.get(k);
    const y = b?.get(k);
    return x === undefined || y === undefined || !sameObject(x, y);
  });
}

/** A value as text, dictionaries by content, not key order (§7.3.7: entries are unordered). */
function canonical(value: PdfObject): string {
  if (value instanceof PdfDict) {
    return `<<${[...value.map.keys()].sort().map((k) => `/${k} ${canonical(value.map.get(k) as PdfObject)}`).join(' ')}>>`;
  }
  if (Array.isArray(value)) return `[${value.map(canonical).join(' ')}]`;
  return serializeObject(value);
}

function sameObject(a: PdfObject | undefined, b: PdfObject | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return writtenAlike(a, b);
}

function safeGet(file: PdfFile, num: number): PdfObject | undefined {
  try {
    const entry = file.xref.entries.get(num);
    const gen = entry?.type === 'offset' ? entry.gen : 0;
    return file.getObject(new PdfRef(num, gen));
  } catch {
    return undefined;
  }
}

function isDssObject(dict: PdfDict | undefined): boolean {
  return !!dict && (isName(dict.get('Type'), 'DSS') || dict.has('VRI') || isName(dict.get('Type'), 'VRI'));
}

/** A number-tree node (ISO 32000-1 §7.9.7: its /Limits are integers); a name tree's (the document's scripts among them) is not one. */
function isNumberTreeNode(dict: PdfDict | undefined): boolean {
  if (!dict || dict.has('Type')) return false;
  if (dict.has('Nums')) return true;
  const limits = dict.get('Limits');
  return dict.has('Kids') && Array.isArray(limits) && limits.length === 2 && limits.every((l) => typeof l === 'number');
}

/**
 * Streams a page draws (its /Contents and the XObjects in its resources, three levels deep): an
 * appearance stream that is also drawn by a page may not be rewritten (the "sneaky" update family).
 */
function streamsUsedByPages(file: PdfFile): Set<number> {
  const used = new Set<number>();
  const visitResources = (resources: PdfObject | undefined, depth: number): void => {
    if (depth > 3) return;
    const xobjects = file.resolveDict(file.resolveDict(resources)?.get('XObject'));
    for (const ref of xobjects?.map.values() ?? []) {
      if (!(ref instanceof PdfRef) || used.has(ref.num)) continue;
      used.add(ref.num);
      const x = file.resolve(ref);
      if (x instanceof PdfStream) visitResources(x.dict.get('Resources'), depth + 1);
    }
  };
  try {
    for (const pageRef of file.pageRefs().slice(0, 10_000)) {
      used.add(pageRef.num);
      const page = file.resolveDict(pageRef);
      const contents = page?.get('Contents');
      for (const c of contents instanceof PdfRef ? [contents, ...(asArray(file.resolve(contents)) ?? [])] : asArray(contents) ?? []) {
        if (c instanceof PdfRef) used.add(c.num);
      }
      visitResources(page?.get('Resources'), 0);
    }
  } catch {
    // a broken page tree leaves the set partial; unknown streams then count as OTHER
  }
  return used;
}

/** Normal/rollover/down appearance streams of every annotation on every page. */
function widgetAppearanceStreams(file: PdfFile): Set<number> {
  const out = new Set<number>();
  try {
    for (const { annots } of pageAnnotsOf(file)) {
      for (const a of asArray(file.resolve(annots)) ?? []) {
        const ap = file.resolveDict(file.resolveDict(a)?.get('AP'));
        for (const v of ap?.map.values() ?? []) {
          if (v instanceof PdfRef) out.add(v.num);
          for (const s of file.resolveDict(v)?.map.values() ?? []) if (s instanceof PdfRef) out.add(s.num);
        }
      }
    }
  } catch {
    // partial set on broken files
  }
  return out;
}

/**
 * Whether two cross-reference entries point at the same bytes. An object inside an object stream is at the
 * same bytes only while its stream is: a later revision may write the stream again (a new offset for the
 * stream alone) with other objects in it, leaving the compressed entries as they were.
 */
function sameEntry(a: XrefEntry, b: XrefEntry, entriesA: Map<number, XrefEntry>, entriesB: Map<number, XrefEntry>): boolean {
  if (a.type === 'compressed') {
    if (b.type !== 'compressed' || a.stream !== b.stream || a.index !== b.index) return false;
    const streamA = entriesA.get(a.stream);
    const streamB = entriesB.get(b.stream);
    return streamA === streamB || (streamA?.type === 'offset' && streamB !== undefined && sameEntry(streamA, streamB, entriesA, entriesB));
  }
  if (a === b) return true;
  if (a.type === 'offset') return b.type === 'offset' && a.offset === b.offset && a.gen === b.gen;
  return b.type === 'free';
}

const MAX_REFERENCE_SCAN = 100_000;
/** The referring "object" of references made by the trailer dictionary. */
const TRAILER = -1;

/** Who refers to whom in a revision: for each object number, the referring object and key path. */
function collectReferences(file: PdfFile): Map<number, Array<{ from: number; path: string }>> {
  const refs = new Map<number, Array<{ from: number; path: string }>>();
  const walk = (value: PdfObject | undefined, from: number, path: string, depth: number): void => {
    if (depth > 32 || value === undefined || value === null) return;
    if (value instanceof PdfRef) {
      const list = refs.get(value.num) ?? [];
      list.push({ from, path });
      refs.set(value.num, list);
    } else if (Array.isArray(value)) value.forEach((v) => walk(v, from, `${path}[]`, depth + 1));
    else if (value instanceof PdfDict) for (const [k, v] of value.map) walk(v, from, `${path}/${k}`, depth + 1);
    else if (value instanceof PdfStream) for (const [k, v] of value.dict.map) walk(v, from, `${path}/${k}`, depth + 1);
  };
  let scanned = 0;
  for (const [num, entry] of file.xref.entries) {
    if (entry.type === 'free' || ++scanned > MAX_REFERENCE_SCAN) continue;
    walk(safeGet(file, num), num, '', 0);
  }
  walk(file.trailer, TRAILER, 'trailer', 0);
  return refs;
}

/** True when every reference to `num` is an /AP entry of a widget (directly or via an indirect /AP dict). */
function onlyAppearanceReferences(file: PdfFile, refs: Map<number, Array<{ from: number; path: string }>>, num: number, depth = 0): boolean {
  const list = refs.get(num) ?? [];
  if (list.length === 0 || depth > 2) return false;
  return list.every(({ from, path }) => {
    if (/^\/AP\/[NRD](\/[^/]+)?$/.test(path)) {
      const owner = asDict(safeGet(file, from) ?? undefined);
      return !!owner && (isName(owner.get('Subtype'), 'Widget') || owner.has('FT'));
    }
    // An indirect appearance dictionary: its own references must all be widget /AP entries.
    if (/^\/[NRD](\/[^/]+)?$/.test(path)) return onlyIndirectApReferences(file, refs, from);
    return false;
  });
}

function onlyIndirectApReferences(file: PdfFile, refs: Map<number, Array<{ from: number; path: string }>>, apNum: number): boolean {
  const list = refs.get(apNum) ?? [];
  return list.length > 0 && list.every(({ from, path }) => {
    if (path !== '/AP') return false;
    const owner = asDict(safeGet(file, from) ?? undefined);
    return !!owner && (isName(owner.get('Subtype'), 'Widget') || owner.has('FT'));
  });
}
