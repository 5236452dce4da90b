/**
 * Lists signature and document-timestamp dictionaries (ISO 32000-1 §12.8.1) reachable from the form
 * fields of the current revision, with their /ByteRange and raw /Contents position in the file.
 */
import { listFormFields } from './acro-form';
import { asArray, asDict, isName, PdfDict, PdfObject, PdfRef, PdfString } from './objects';
import { PdfFile } from './pdf-file';
import { PdfLexer } from './pdf-lexer';

export interface FoundSignature {
  fieldName: string;
  /** Object number of the signature dictionary, when indirect. */
  ref?: PdfRef;
  dict: PdfDict;
  type: 'signature' | 'document-timestamp';
  subFilter?: string;
  byteRange?: number[];
  contents?: Buffer;
  /** Offsets of `<` and after `>` of /Contents when it could be located in the file. */
  contentsSpan?: [number, number];
  /** Where the field's widget shows: its /Rect and the 0-based page (null when no /P names it). */
  widget?: { page: number | null; rect: number[] };
}

export function findSignatures(file: PdfFile): FoundSignature[] {
  const out: FoundSignature[] = [];
  let pages: PdfRef[] | undefined;
  for (const field of listFormFields(file)) {
    if (field.fieldType !== 'Sig') continue;
    const found = describeSignature(file, field.fullName, field.dict.get('V'));
    if (!found) continue;
    // The widget is the field itself (merged) or its first kid (ISO 32000-1 §12.5.6.19, §12.7.3.1).
    const widget = field.dict.has('Rect') ? field.dict : file.resolveDict(asArray(file.resolve(field.dict.get('Kids')))?.[0]);
    const rect = asArray(file.resolve(widget?.get('Rect')));
    if (widget && rect && rect.length === 4 && rect.every((x) => typeof x === 'number')) {
      const p = widget.get('P');
      let page: number | null = null;
      if (p instanceof PdfRef) {
        try {
          pages ??= file.pageRefs();
          const index = pages.findIndex((r) => r.num === p.num);
          page = index >= 0 ? index : null;
        } catch {
          page = null;
        }
      }
      found.widget = { page, rect: rect as number[] };
    }
    out.push(found);
  }
  return out;
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
  const lexer = new PdfLexer(file.bytes, offset);
  try {
    lexer.readInteger();
    lexer.readInteger();
    lexer.expectWord('obj');
    lexer.skipWhitespace();
    if (file.bytes.toString('latin1', lexer.pos, lexer.pos + 2) !== '<<') return undefined;
    lexer.pos += 2;
    for (let i = 0; i < 4096; i++) {
      lexer.skipWhitespace();
      if (file.bytes.toString('latin1', lexer.pos, lexer.pos + 2) === '>>') return undefined;
      const key = lexer.parseObject();
      lexer.skipWhitespace();
      const start = lexer.pos;
      lexer.parseObject();
      if (key instanceof Object && 'name' in key && (key as { name: string }).name === 'Contents') return [start, lexer.pos];
    }
  } catch {
    return undefined;
  }
  return undefined;
}
