/**
 * Lists signature and document-timestamp dictionaries (ISO 32000-1 §12.8.1) reachable from the form
 * fields of the current revision, with their /ByteRange and raw /Contents position in the file.
 */
import { listFormFields } from './acro-form';
import { asArray, asDict, isName, PdfDict, PdfRef, PdfString } from './objects';
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
}

export function findSignatures(file: PdfFile): FoundSignature[] {
  const out: FoundSignature[] = [];
  for (const field of listFormFields(file)) {
    if (field.fieldType !== 'Sig') continue;
    const v = field.dict.get('V');
    const dict = asDict(file.resolve(v));
    if (!dict) continue;
    const type = isName(dict.get('Type'), 'DocTimeStamp') || isName(dict.get('SubFilter'), 'ETSI.RFC3161') ? 'document-timestamp' : 'signature';
    const br = asArray(file.resolve(dict.get('ByteRange')));
    const contents = file.resolve(dict.get('Contents'));
    const sub = dict.get('SubFilter');
    const found: FoundSignature = {
      fieldName: field.fullName,
      ref: v instanceof PdfRef ? v : undefined,
      dict,
      type,
      subFilter: isName(sub) ? sub.name : undefined,
      byteRange: br && br.every((x) => typeof x === 'number') ? (br as number[]) : undefined,
      contents: contents instanceof PdfString ? contents.bytes : undefined,
    };
    if (v instanceof PdfRef) found.contentsSpan = locateContents(file, v);
    out.push(found);
  }
  return out;
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
