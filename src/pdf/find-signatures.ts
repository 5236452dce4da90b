/**
 * Lists signature and document-timestamp dictionaries (ISO 32000-1 §12.8.1) reachable from the form
 * fields of the current revision, with their /ByteRange and raw /Contents position in the file.
 */
import { listFormFields } from './acro-form';
import { asArray, asDict, isName, PdfDict, PdfName, PdfObject, PdfRef, PdfString } from './objects';
import { PdfFile } from './pdf-file';

export interface FoundSignature {
  fieldName: string;
  /** Object number of the signature dictionary, when indirect. */
  ref?: PdfRef;
  dict: PdfDict;
  type: 'signature' | 'document-timestamp';
  /**
   * How it was reached: a signature field, the catalog's /Perms /UR3 (a usage-rights signature, outside
   * any field by design) or /Perms /DocMDP (the certifying signature).
   */
  origin: 'field' | 'usage-rights' | 'certification';
  /** The field's /V names a signature dictionary that cannot be read (damaged object, /ByteRange or /Contents). */
  unreadable?: boolean;
  subFilter?: string;
  byteRange?: number[];
  contents?: Buffer;
  /** Offsets of `<` and after `>` of /Contents when it could be located in the file. */
  contentsSpan?: [number, number];
  /** Where the field's widget shows: its /Rect and the 0-based page (null when no /P names it). */
  widget?: { page: number | null; rect: number[] };
  /** The field's dictionary, when the signature was reached through a field (for signatureWidget). */
  field?: PdfDict;
}

/**
 * Every signature field with a value, plus the signatures the catalog's /Perms names. A value that cannot
 * be read is listed as unreadable, never left out: leaving it out would let a forged stamp stand beside
 * a clean report.
 */
export function findSignatures(file: PdfFile, options: { widgets?: boolean } = {}): FoundSignature[] {
  const out: FoundSignature[] = [];
  let pages: PdfRef[] | undefined;
  for (const field of listFormFields(file)) {
    if (field.fieldType !== 'Sig') continue;
    const value = field.dict.get('V');
    if (value === undefined || value === null) continue;
    let found: FoundSignature | undefined;
    try {
      if (file.resolve(value) === null) continue; // a /V to a free object: an empty field
      found = describeSignature(file, field.fullName, value);
    } catch {
      found = undefined;
    }
    found ??= unreadableSignature(field.fullName, value);
    found.field = field.dict;
    if (options.widgets !== false) found.widget = widgetOf(file, field.dict, () => (pages ??= file.pageRefs()));
    out.push(found);
  }
  for (const [key, origin] of [['UR3', 'usage-rights'], ['DocMDP', 'certification']] as const) {
    let value: PdfObject | undefined;
    try {
      value = file.resolveDict(file.catalog().get('Perms'))?.get(key);
    } catch {
      continue;
    }
    if (!(value instanceof PdfRef) || out.some((f) => f.ref?.num === value.num)) continue;
    let found: FoundSignature | undefined;
    try {
      found = describeSignature(file, `(/Perms /${key})`, value);
    } catch {
      found = undefined;
    }
    if (found) out.push({ ...found, origin });
  }
  return out;
}

function unreadableSignature(fieldName: string, value: PdfObject): FoundSignature {
  return { fieldName, ref: value instanceof PdfRef ? value : undefined, dict: new PdfDict(), type: 'signature', origin: 'field', unreadable: true };
}

/**
 * Where a signature found without its widget (findSignatures with widgets: false) shows, in `file`: an older
 * revision's signatures are looked up without walking its page tree, and only those no later revision
 * has are placed.
 */
export function signatureWidget(file: PdfFile, found: FoundSignature): FoundSignature['widget'] {
  return found.field ? widgetOf(file, found.field, () => file.pageRefs()) : undefined;
}

/** The widget is the field itself (merged) or its first kid (ISO 32000-1 §12.5.6.19, §12.7.3.1). */
function widgetOf(file: PdfFile, field: PdfDict, pageRefs: () => PdfRef[]): FoundSignature['widget'] {
  try {
    const widget = field.has('Rect') ? field : file.resolveDict(asArray(file.resolve(field.get('Kids')))?.[0]);
    const rect = asArray(file.resolve(widget?.get('Rect')));
    if (!widget || !rect || rect.length !== 4 || !rect.every((x) => typeof x === 'number')) return undefined;
    const p = widget.get('P');
    let page: number | null = null;
    if (p instanceof PdfRef) {
      try {
        const index = pageRefs().findIndex((r) => r.num === p.num);
        page = index >= 0 ? index : null;
      } catch {
        page = null;
      }
    }
    return { page, rect: rect as number[] };
  } catch {
    return undefined;
  }
}

/** Reads the signature dictionary `value` (usually a reference) as a found signature, or undefined. */
export function describeSignature(file: PdfFile, fieldName: string, value: PdfObject | undefined): FoundSignature | undefined {
  const dict = asDict(file.resolve(value));
  if (!dict) return undefined;
  const type = isName(dict.get('Type'), 'DocTimeStamp') || isName(dict.get('SubFilter'), 'ETSI.RFC3161') ? 'document-timestamp' : 'signature';
  const br = asArray(file.resolve(dict.get('ByteRange')));
  const contents = file.resolve(dict.get('Contents'));
  const sub = dict.get('SubFilter');
  const found: FoundSignature = {
    fieldName,
    ref: value instanceof PdfRef ? value : undefined,
    dict,
    type,
    origin: 'field',
    subFilter: isName(sub) ? sub.name : undefined,
    byteRange: br && br.every((x) => typeof x === 'number') ? (br as number[]) : undefined,
    contents: contents instanceof PdfString ? contents.bytes : undefined,
  };
  if (value instanceof PdfRef) found.contentsSpan = locateContents(file, value);
  return found;
}

/** Finds the byte span of the /Contents hex string inside an uncompressed signature dictionary. */
function locateContents(file: PdfFile, ref: PdfRef): [number, number] | undefined {
  const offset = file.offsetOf(ref.num);
  if (offset === undefined) return undefined;
  try {
    return file.parseAt(offset, (lexer, at): [number, number] | undefined => {
      const text = (from: number) => lexer.bytes.toString('latin1', from, from + 2);
      lexer.readInteger();
      lexer.readInteger();
      lexer.expectWord('obj');
      lexer.skipWhitespace();
      if (text(lexer.pos) !== '<<') return undefined;
      lexer.pos += 2;
      for (let i = 0; i < 4096; i++) {
        lexer.skipWhitespace();
        if (text(lexer.pos) === '>>') return undefined;
        const key = lexer.parseObject();
        lexer.skipWhitespace();
        const start = lexer.pos;
        // A hex string (the signature value, tens of kilobytes): only where it ends matters, not its bytes.
        if (lexer.bytes[start] === 0x3c && lexer.bytes[start + 1] !== 0x3c) lexer.skipHexString();
        else lexer.parseObject();
        if (key instanceof PdfName && key.name === 'Contents') return [offset + start - at, offset + lexer.pos - at];
      }
      return undefined;
    });
  } catch {
    return undefined;
  }
}
