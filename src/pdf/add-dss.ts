/**
 * Adds validation data to the Document Security Store (ETSI EN 319 142-1 §5.4.2, ISO 32000-2 §12.8.4.3)
 * as an incremental update: certificates, OCSP responses and CRLs as streams in /DSS /Certs, /OCSPs and
 * /CRLs, merged with what the document already holds (identical items are not stored twice). The catalog
 * gets /DSS and the ESIC extension level. The bytes are opaque here: this layer knows no crypto.
 */
import { AppError } from '../errors';
import { asArray, name, PdfDict, PdfObject, PdfRef, PdfStream } from './objects';
import { PdfFile } from './pdf-file';
import { UpdatedObject, writeIncrementalUpdate } from './write-incremental-update';

export interface DssData {
  certificates: Buffer[];
  ocsps: Buffer[];
  crls: Buffer[];
}

export function addDss(file: PdfFile, data: DssData): { update: Buffer; added: number } {
  if (file.isEncrypted()) throw new AppError('PDF_ENCRYPTED', 'encrypted PDFs cannot be extended');
  const catalog = file.catalog();
  const existing = file.resolveDict(catalog.get('DSS'));
  let next = file.size;
  const updates: UpdatedObject[] = [];
  let added = 0;
  const merged = (key: string, items: Buffer[]): PdfObject[] => {
    const refs = (asArray(file.resolve(existing?.get(key))) ?? []).filter((r): r is PdfRef => r instanceof PdfRef);
    const known: Buffer[] = refs.flatMap((r) => {
      const s = file.resolve(r);
      try {
        return s instanceof PdfStream ? [file.decode(s)] : [];
      } catch {
        return [];
      }
    });
    const out: PdfObject[] = [...refs];
    for (const item of items) {
      if (known.some((k) => k.equals(item))) continue;
      known.push(item);
      const ref = new PdfRef(next++, 0);
      updates.push({ ref, value: new PdfStream(new PdfDict(), item) });
      out.push(ref);
      added++;
    }
    return out;
  };
  const dss = existing ? existing.clone() : new PdfDict([['Type', name('DSS')]]);
  const lists: Array<[string, Buffer[]]> = [['Certs', data.certificates], ['OCSPs', data.ocsps], ['CRLs', data.crls]];
  for (const [key, items] of lists) {
    const list = merged(key, items);
    if (list.length > 0) dss.set(key, list);
  }
  const dssRef = new PdfRef(next++, 0);
  updates.push({ ref: dssRef, value: dss });
  const root = file.trailer.get('Root');
  if (!(root instanceof PdfRef)) throw new AppError('PDF_MALFORMED', 'the catalog is not an indirect object');
  const newCatalog = catalog.clone().set('DSS', dssRef);
  // PAdES documents declare the ESIC extension (ETSI EN 319 142-1 §5.4.1).
  const extensions = file.resolveDict(catalog.get('Extensions'))?.clone() ?? new PdfDict();
  if (!extensions.has('ESIC')) {
    extensions.set('ESIC', new PdfDict([['BaseVersion', name('1.7')], ['ExtensionLevel', 5]]));
    newCatalog.set('Extensions', extensions);
  }
  updates.push({ ref: root, value: newCatalog });
  return { update: writeIncrementalUpdate(file, updates).bytes, added };
}
