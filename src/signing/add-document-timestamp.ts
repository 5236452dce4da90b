/**
 * A document timestamp (ETSI EN 319 142-1 §5.4.3, ISO 32000-2 §12.8.5): an RFC 3161 token over the whole
 * document so far, in a signature field of type /DocTimeStamp with /SubFilter /ETSI.RFC3161, added as an
 * incremental update. It is what takes signatures with their validation data to PAdES B-LTA.
 */
import type { SigningDigestAlgorithm } from '../cms';
import type { TimestampAuthority } from '../network';
import { addSignatureField, embedSignatureContents, PdfFile } from '../pdf';
import { hashPreparedPdf } from './prepare-signature';
import { timestampReserve } from './request-timestamp';

/** The document with the timestamp appended, and the token itself (its TSA certificate bounds its life). */
export async function addDocumentTimestamp(input: Buffer, tsa: TimestampAuthority, digest: SigningDigestAlgorithm = 'sha256'): Promise<{ pdf: Buffer; token: Buffer }> {
  const file = PdfFile.parse(input);
  const prepared = addSignatureField(file, { kind: 'document-timestamp', subFilter: 'ETSI.RFC3161', contentsSize: await timestampReserve(tsa, digest) });
  const token = await tsa.timestamp(hashPreparedPdf(prepared, digest), digest);
  return { pdf: Buffer.concat([prepared.original.read(0, prepared.original.length), embedSignatureContents(prepared, token)]), token };
}
