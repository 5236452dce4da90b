/**
 * Hand-made PDFs for validator rules: a signature dictionary placed anywhere (a field, the catalog's
 * /Perms, nowhere), signed over its own revision with a real PKCS#12 key, and small edits of signed files.
 */
import { createHash } from 'node:crypto';
import { buildSignedAttributes, buildSignedData, SigningDigestAlgorithm } from '../../src/cms';
import { name, PdfDict, PdfFile, PdfObject, PdfRaw, PdfRef, PdfString, UpdatedObject, writeIncrementalUpdate } from '../../src/pdf';
import { Pkcs12Signer } from '../../src/signers';
import { p12Passphrase, pkiFile, sample } from './fixtures';

const RANGE_PLACEHOLDER = '[0 9999999999 9999999999 9999999999]';
const CONTENTS_BYTES = 12_000;

export const sealSigner = (): Pkcs12Signer => Pkcs12Signer.open({ data: pkiFile('seal-rsa.p12'), passphrase: p12Passphrase() });
export const officialSigner = (): Pkcs12Signer => Pkcs12Signer.open({ data: pkiFile('official-rsa.p12'), passphrase: p12Passphrase() });

export interface HandSignOptions {
  /** Entries of the signature dictionary besides /Type, /Filter, /SubFilter, /ByteRange, /Contents. */
  entries?: Array<[string, PdfObject]>;
  /** The other objects of the revision, given the signature dictionary's reference and a number allocator. */
  place: (file: PdfFile, sigRef: PdfRef, allocate: () => PdfRef) => UpdatedObject[];
  signer?: Pkcs12Signer;
  digest?: SigningDigestAlgorithm;
  /** End-of-line bytes written after `%%EOF` and covered by the byte range. */
  trailingEol?: string;
  /** The certificate the signingCertificateV2 attribute names (default: the signer's own). */
  namedCertificate?: Buffer;
  /** Rewrites the finished CMS before it is embedded (attacks on its algorithm identifiers). */
  rewriteCms?: (cms: Buffer) => Buffer;
  /** Entries written into the revision's trailer dictionary as text (a writer's private ones). */
  trailerText?: string;
}

/** Appends a revision holding a signature dictionary placed by `place`, signed over that revision. */
export async function handSign(pdf: Buffer, options: HandSignOptions): Promise<Buffer> {
  const file = PdfFile.parse(pdf);
  let next = file.size;
  const allocate = () => new PdfRef(next++, 0);
  const sigRef = allocate();
  const sig = new PdfDict([
    ['ByteRange', new PdfRaw(RANGE_PLACEHOLDER)],
    ['Contents', new PdfRaw(`<${'0'.repeat(CONTENTS_BYTES * 2)}>`)],
    ['Type', name('Sig')], ['Filter', name('Adobe.PPKLite')], ['SubFilter', name('ETSI.CAdES.detached')],
    ...(options.entries ?? []),
  ]);
  const others = options.place(file, sigRef, allocate);
  let update = writeIncrementalUpdate(file, [{ ref: sigRef, value: sig }, ...others]).bytes;
  if (options.trailerText) {
    // Before /Prev, the trailer's (or cross-reference stream's) last entry: no offset moves.
    const at = update.lastIndexOf('/Prev ');
    update = Buffer.concat([update.subarray(0, at), Buffer.from(`${options.trailerText} `, 'latin1'), update.subarray(at)]);
  }
  let out = Buffer.concat([pdf, update, Buffer.from(options.trailingEol ?? '', 'latin1')]);
  const rangeAt = out.indexOf(RANGE_PLACEHOLDER, pdf.length, 'latin1');
  const contentsAt = out.indexOf(`<${'0'.repeat(64)}`, rangeAt, 'latin1');
  const contentsEnd = contentsAt + CONTENTS_BYTES * 2 + 2;
  const range = [0, contentsAt, contentsEnd, out.length - contentsEnd];
  out.write(`[${range.map((n, i) => (i === 0 ? '0' : String(n).padEnd(10, ' '))).join(' ')}]`, rangeAt, 'latin1');
  const digest = options.digest ?? 'sha256';
  const hash = createHash(digest).update(out.subarray(0, contentsAt)).update(out.subarray(contentsEnd)).digest();
  const signer = options.signer ?? sealSigner();
  const chain = await signer.certificateChain();
  const signedAttributes = buildSignedAttributes({ contentDigest: hash, digestAlgorithm: digest, signerCertificate: options.namedCertificate ?? chain[0] });
  const value = await signer.sign(signedAttributes, digest, 'rsa-pkcs1');
  let cms = buildSignedData({ signedAttributes, signatureValue: value, digestAlgorithm: digest, scheme: 'rsa-pkcs1', certificates: chain });
  if (options.rewriteCms) cms = options.rewriteCms(cms);
  out = Buffer.from(out);
  out.write(cms.toString('hex').padEnd(CONTENTS_BYTES * 2, '0'), contentsAt + 1, 'latin1');
  return out;
}

/** A signature field (merged with an invisible widget on page 1) whose value is the signature `sigRef`. */
export function signatureField(file: PdfFile, sigRef: PdfRef, allocate: () => PdfRef, fieldName: string, extra: Array<[string, PdfObject]> = []): UpdatedObject[] {
  const pageRef = file.pageRefs()[0];
  const fieldRef = allocate();
  const form = file.resolveDict(file.catalog().get('AcroForm'))?.clone() ?? new PdfDict();
  const fields = [...((file.resolve(form.get('Fields')) as PdfObject[] | undefined) ?? []), fieldRef];
  const page = (file.resolveDict(pageRef) as PdfDict).clone();
  page.set('Annots', [...((file.resolve(page.get('Annots')) as PdfObject[] | undefined) ?? []), fieldRef]);
  return [
    {
      ref: fieldRef,
      value: new PdfDict([
        ['FT', name('Sig')], ['T', PdfString.fromText(fieldName)], ['V', sigRef], ['Type', name('Annot')], ['Subtype', name('Widget')],
        ['Rect', [0, 0, 0, 0]], ['F', 132], ['P', pageRef], ...extra,
      ]),
    },
    { ref: file.trailer.get('Root') as PdfRef, value: file.catalog().clone().set('AcroForm', form.set('Fields', fields).set('SigFlags', 3)) },
    { ref: pageRef, value: page },
  ];
}

/** An unsigned incremental update of the given objects. */
export function update(pdf: Buffer, objects: (file: PdfFile, allocate: () => PdfRef) => UpdatedObject[]): Buffer {
  const file = PdfFile.parse(pdf);
  let next = file.size;
  return Buffer.concat([pdf, writeIncrementalUpdate(file, objects(file, () => new PdfRef(next++, 0))).bytes]);
}

/** An unsigned update adding an annotation (a comment `Text`, a `Square` …) to page 1. */
export function addAnnotation(pdf: Buffer, subtype: string, contents?: string): Buffer {
  return update(pdf, (file, allocate) => {
    const pageRef = file.pageRefs()[0];
    const page = (file.resolveDict(pageRef) as PdfDict).clone();
    const existing = file.resolve(page.get('Annots'));
    const note = allocate();
    return [
      {
        ref: note,
        value: new PdfDict([['Type', name('Annot')], ['Subtype', name(subtype)], ['Rect', [10, 10, 30, 30]], ...(contents ? [['Contents', PdfString.fromText(contents)] as [string, PdfObject]] : [])]),
      },
      { ref: pageRef, value: page.set('Annots', [...(Array.isArray(existing) ? existing : []), note]) },
    ];
  });
}

/** The công văn sample. */
export const congVan = (): Buffer => sample('cong-van.pdf');

/** Replaces the first occurrence of `from` in `buffer` with `to` (same length). */
export function replaceBytes(buffer: Buffer, from: Buffer, to: Buffer, start = 0): Buffer {
  const at = buffer.indexOf(from, start);
  if (at < 0 || from.length !== to.length) throw new Error('pattern not found or lengths differ');
  const out = Buffer.from(buffer);
  to.copy(out, at);
  return out;
}
