/**
 * Prepares a signature or document timestamp as an incremental update (ISO 32000-1 §12.8; ETSI EN 319
 * 142-1 §5): a signature dictionary with a /Contents placeholder of the requested capacity and a
 * fixed-width /ByteRange, a widget (new or an existing empty field), and the xref. No cryptography here:
 * the caller hashes `byteRange` and later calls `embedSignatureContents`.
 */
import { AppError } from '../errors';
import { acquireFieldForSignature } from './acquire-signature-field';
import { name, PdfDict, PdfObject, PdfRaw, PdfRef, PdfString } from './objects';
import { ByteSource } from './byte-source';
import { PdfFile } from './pdf-file';
import { fillTextFields, TextFieldFill } from './text-fields';
import { formatPdfDate } from './pdf-date';
import { UpdatedObject, writeIncrementalUpdate } from './write-incremental-update';

export interface SignatureAppearance {
  pageIndex: number;
  /** [x1 y1 x2 y2] in default user space of the page. */
  rect: [number, number, number, number];
  /** Builds the normal appearance form XObject and its resources with object numbers from `allocate`. */
  build(allocate: () => PdfRef): { normal: PdfRef; objects: UpdatedObject[] };
}

export interface SignatureFieldOptions {
  kind: 'signature' | 'document-timestamp';
  subFilter: string;
  /** Capacity of /Contents in bytes (DER), from a dry run of the signer. */
  contentsSize: number;
  fieldName?: string;
  signingTime?: Date;
  reason?: string;
  location?: string;
  contactInfo?: string;
  signerName?: string;
  appearance?: SignatureAppearance;
  /** Text fields filled in the same update (the number and date an issuing signature writes). */
  fills?: TextFieldFill[];
}

export interface PreparedPdf {
  /** The document being signed, left as it is: the update is appended to it. */
  original: ByteSource;
  increment: Buffer;
  byteRange: [number, number, number, number];
  /** Offsets in the whole file of the `<` and after the `>` of /Contents. */
  contentsStart: number;
  contentsEnd: number;
  fieldName: string;
}

const BYTE_RANGE_PLACEHOLDER = '[0 0000000000 0000000000 0000000000]';

export function addSignatureField(file: PdfFile, options: SignatureFieldOptions): PreparedPdf {
  if (file.isEncrypted()) throw new AppError('PDF_ENCRYPTED', 'encrypted PDFs cannot be signed');
  if (!Number.isInteger(options.contentsSize) || options.contentsSize <= 0) {
    throw new RangeError('contentsSize must be a positive integer');
  }
  let nextNum = file.size;
  const allocate = (): PdfRef => new PdfRef(nextNum++, 0);
  const sigRef = allocate();
  const updates: UpdatedObject[] = [];

  const sig = new PdfDict();
  sig.set('Type', name(options.kind === 'signature' ? 'Sig' : 'DocTimeStamp'));
  sig.set('Filter', name('Adobe.PPKLite'));
  sig.set('SubFilter', name(options.subFilter));
  // /ByteRange and /Contents come first so their placeholders are found unambiguously below.
  sig.set('ByteRange', new PdfRaw(BYTE_RANGE_PLACEHOLDER));
  sig.set('Contents', new PdfRaw(`<${'0'.repeat(options.contentsSize * 2)}>`));
  if (options.kind === 'signature') {
    if (options.signingTime) sig.set('M', new PdfString(Buffer.from(formatPdfDate(options.signingTime), 'latin1')));
    if (options.signerName) sig.set('Name', PdfString.fromText(options.signerName));
    if (options.reason) sig.set('Reason', PdfString.fromText(options.reason));
    if (options.location) sig.set('Location', PdfString.fromText(options.location));
    if (options.contactInfo) sig.set('ContactInfo', PdfString.fromText(options.contactInfo));
  }
  const field = acquireFieldForSignature(file, options, sigRef, allocate);
  const root = file.trailer.get('Root');
  if (field.lock && options.kind === 'signature' && root instanceof PdfRef) {
    // A locked field's signature records the lock as a FieldMDP transform (ISO 32000-1 §12.8.2.4).
    const params = new PdfDict([['Type', name('TransformParams')], ['V', name('1.2')]]);
    // PDF 2.0: the lock's /P (ISO 32000-2 Table 236) is carried into the transform (§12.8.2.4).
    for (const key of ['Action', 'Fields', 'P']) {
      const value = field.lock.get(key);
      if (value !== undefined) params.set(key, value);
    }
    sig.set('Reference', [new PdfDict([['Type', name('SigRef')], ['TransformMethod', name('FieldMDP')], ['TransformParams', params], ['Data', root]])]);
  }
  const ordered = new PdfDict([
    ['ByteRange', sig.get('ByteRange') as PdfObject],
    ['Contents', sig.get('Contents') as PdfObject],
    ...[...sig.map].filter(([k]) => k !== 'ByteRange' && k !== 'Contents'),
  ]);
  updates.push({ ref: sigRef, value: ordered });
  updates.push(...field.updates);
  if (options.fills?.length) updates.push(...fillTextFields(file, options.fills, allocate));

  const update = writeIncrementalUpdate(file, updates);
  return locatePlaceholders(file.source, update.bytes, update.offsets.get(sigRef.num) as number, field.fieldName);
}

function locatePlaceholders(original: ByteSource, increment: Buffer, sigOffset: number, fieldName: string): PreparedPdf {
  const base = original.length;
  const local = sigOffset - base;
  const brAt = increment.indexOf(`/ByteRange ${BYTE_RANGE_PLACEHOLDER}`, local, 'latin1');
  const contentsAt = increment.indexOf('/Contents <', local, 'latin1');
  if (brAt < 0 || contentsAt < 0) throw new Error('signature placeholders not found in the update');
  const contentsStart = base + contentsAt + '/Contents '.length;
  const contentsEnd = base + increment.indexOf('>', contentsAt, 'latin1') + 1;
  const total = base + increment.length;
  const byteRange: [number, number, number, number] = [0, contentsStart, contentsEnd, total - contentsEnd];
  const text = `[${byteRange.join(' ')}]`;
  if (text.length > BYTE_RANGE_PLACEHOLDER.length) throw new AppError('PDF_SIGNATURE_TOO_LARGE', 'file too large to sign');
  const patched = Buffer.from(increment);
  patched.write(text.padEnd(BYTE_RANGE_PLACEHOLDER.length, ' '), brAt + '/ByteRange '.length, 'latin1');
  return { original, increment: patched, byteRange, contentsStart, contentsEnd, fieldName };
}

/** Writes the DER signature into the placeholder (hex, zero padded) and returns the complete update. */
export function embedSignatureContents(prepared: PreparedPdf, der: Buffer): Buffer {
  const capacity = (prepared.contentsEnd - prepared.contentsStart - 2) / 2;
  if (der.length > capacity) {
    throw new AppError('PDF_SIGNATURE_TOO_LARGE', `signature is ${der.length} bytes, placeholder holds ${capacity}`);
  }
  const increment = Buffer.from(prepared.increment);
  const at = prepared.contentsStart + 1 - prepared.original.length;
  increment.write(der.toString('hex').padEnd(capacity * 2, '0'), at, 'latin1');
  return increment;
}

/**
 * The signed bytes in order: the original file in pieces of at most `chunk` bytes, then the update around
 * /Contents. Each piece is valid only until the next is asked for (hash it, do not keep it).
 */
export function* signedRanges(prepared: PreparedPdf, chunk = 1 << 20): Generator<Buffer> {
  const base = prepared.original.length;
  yield* prepared.original.chunks(0, base, chunk);
  yield prepared.increment.subarray(0, prepared.contentsStart - base);
  yield prepared.increment.subarray(prepared.contentsEnd - base);
}
