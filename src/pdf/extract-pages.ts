/**
 * Selected pages of a document as a new PDF (the base of a TRÍCH SAO copy). The pages are copied with
 * pdf-lib; their form widgets are left behind, since the fields and signatures they belong to are not part
 * of the extract (their appearance would show a signature the copy does not carry). pdf-lib is loaded
 * here, on first use, since loading it takes longer than signing a page.
 */
import type { PDFDocument } from 'pdf-lib';
import { AppError } from '../errors';

export async function extractPages(pdf: Buffer, pages: number[]): Promise<Buffer> {
  const { PDFDocument, PDFName, PDFArray, PDFDict } = await import('pdf-lib');
  let source: PDFDocument;
  try {
    source = await PDFDocument.load(pdf, { updateMetadata: false });
  } catch (error) {
    throw new AppError('PDF_MALFORMED', 'the document cannot be read to copy pages from it', { cause: error });
  }
  const count = source.getPageCount();
  const bad = pages.filter((p) => !Number.isInteger(p) || p < 1 || p > count);
  if (pages.length === 0 || bad.length) throw new AppError('INVALID_REQUEST', `pages must be page numbers from 1 to ${count}${bad.length ? ` (not ${bad.join(', ')})` : ''}`);
  const out = await PDFDocument.create({ updateMetadata: false });
  for (const page of await out.copyPages(source, pages.map((p) => p - 1))) {
    const annots = page.node.lookup(PDFName.of('Annots'));
    if (annots instanceof PDFArray) {
      const kept = annots.asArray().filter((a) => {
        const dict = out.context.lookup(a);
        return !(dict instanceof PDFDict && dict.get(PDFName.of('Subtype')) === PDFName.of('Widget'));
      });
      if (kept.length) page.node.set(PDFName.of('Annots'), out.context.obj(kept));
      else page.node.delete(PDFName.of('Annots'));
    }
    out.addPage(page);
  }
  return Buffer.from(await out.save({ useObjectStreams: false }));
}
