/** An exchange as an edXML package (the document and its attachments), and a recipient's status as a Status package. */
import { AppError } from '../errors';
import { writeEdxmlMessage, writeEdxmlStatus } from '../edxml';
import type { Caller } from './agency.service';
import { documentIdOf, edxmlOfExchange, edxmlStatusOf } from './edxml-package';
import type { ExchangeContext } from './exchange-context';

export function createExportEdxml(ctx: ExchangeContext) {
  const { documents, audit } = ctx;
  const { access } = ctx.reads;

  /** The package of an exchange for its sender or a recipient still holding it; streamed from the store. */
  async function exportEdxml(caller: Caller, exchangeId: string): Promise<{ fileName: string; body: AsyncIterable<Buffer> }> {
    const { exchange, own, isSender } = await access(caller, exchangeId);
    if (!isSender && own?.documentRemoved) throw new AppError('NOT_FOUND', 'the document was recalled by its sender');
    await audit.append({ type: 'exchange.read', organId: caller.organId, keyId: caller.keyId, subject: exchangeId, details: { document: 'edxml' } });
    const { message, attachments } = edxmlOfExchange(exchange, documents);
    return { fileName: `${documentIdOf(exchange).replace(/[^\w.-]+/g, '_')}.edxml`, body: writeEdxmlMessage(message, attachments) };
  }

  /** The caller's latest status (or entry `index` of its history) on a document it received, as an edXML Status package. */
  async function exportStatus(caller: Caller, exchangeId: string, index?: number): Promise<string> {
    const { exchange, own } = await access(caller, exchangeId);
    if (!own) throw new AppError('FORBIDDEN', 'a status package is made by a recipient of the document');
    const entry = own.history[index ?? own.history.length - 1];
    if (!entry) throw new AppError('NOT_FOUND', 'no such status entry');
    return writeEdxmlStatus(edxmlStatusOf(exchange, own, entry));
  }

  return { exportEdxml, exportStatus };
}
