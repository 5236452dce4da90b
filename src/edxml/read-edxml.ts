/**
 * Reads an edXML package (QCVN 102:2016) as a stream: the envelope is parsed into a small bounded tree, and
 * each attachment's base64 text is decoded as it arrives and handed to a sink (the document store), so a
 * package of hundreds of MB is never held in memory. Elements are matched by local name, so packages whose
 * prefixes or namespace declarations differ (SOAP-wrapped status messages, default-namespace attachments)
 * read the same. A package that breaks the format is refused with EDXML_INVALID naming the element.
 */
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser, SaxesTagNS } from 'saxes';
import { AppError } from '../errors';
import {
  EDXML_STATUS_CODES, EdxmlManifestEntry, EdxmlMessage, EdxmlOrgan, EdxmlResponseFor, EdxmlStaff, EdxmlStatus, ORGAN_ID_PATTERN, parseEdxmlDate, parseEdxmlTimestamp,
} from './edxml-message';

/** Named limits of what a package's header may hold (the attachments are unbounded here; the caller caps bytes). */
const MAX_ELEMENTS = 20_000;
const MAX_DEPTH = 32;
const MAX_TEXT_CHARS = 200_000;
const MAX_HEADER_CHARS = 4_000_000;

/** Where one attachment's decoded bytes go; `write` may return a promise to slow the reader down. */
export interface EdxmlAttachmentSink {
  write(bytes: Buffer): void | Promise<void>;
  end(): Promise<void>;
  abort(): Promise<void>;
}

export interface EdxmlReceivedAttachment extends EdxmlManifestEntry {
  size: number;
}

export type EdxmlPackage =
  | { kind: 'message'; message: EdxmlMessage; attachments: EdxmlReceivedAttachment[] }
  | { kind: 'status'; status: EdxmlStatus };

interface XmlNode { local: string; prefix: string; path: string; text: string; children: XmlNode[] }

/** The path of a (possibly absent) child, written with its parent's prefix: edXML:MessageHeader/edXML:From/edXML:OrganId. */
const childPath = (node: XmlNode, local: string): string => `${node.path}/${node.prefix ? `${node.prefix}:` : ''}${local}`;

export const edxmlError = (element: string, message: string): AppError =>
  new AppError('EDXML_INVALID', `edXML ${element}: ${message}`, { details: { element } });

/** Decodes base64 text piece by piece, refusing anything that is not base64 (whitespace is allowed). */
class Base64Stream {
  private carry = '';
  private padded = false;
  constructor(private readonly element: string) {}

  push(text: string): Buffer {
    const clean = text.replace(/[\s]+/g, '');
    if (!clean) return Buffer.alloc(0);
    if (/[^A-Za-z0-9+/=]/.test(clean)) throw edxmlError(this.element, 'is not base64 (a character outside the base64 alphabet)');
    if (this.padded && /[^=]/.test(clean)) throw edxmlError(this.element, 'is not base64 (data after the closing "=")');
    const all = this.carry + clean;
    const pad = all.indexOf('=');
    if (pad >= 0) {
      // Padding ends the data: only "=" after it, and it closes a group of four.
      if (!/^=+$/.test(all.slice(pad)) || all.length - pad > 2) throw edxmlError(this.element, 'is not base64 (misplaced "=")');
      this.padded = true;
    }
    const whole = all.length - (all.length % 4);
    this.carry = all.slice(whole);
    return Buffer.from(all.slice(0, whole), 'base64');
  }

  finish(): void {
    if (this.carry.length) throw edxmlError(this.element, 'is not base64 (it ends inside a group of four characters)');
  }
}

export async function readEdxml(source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, openAttachment: (entry: EdxmlManifestEntry) => EdxmlAttachmentSink): Promise<EdxmlPackage> {
  const parser = new SaxesParser({ xmlns: true, position: false });
  const root: XmlNode = { local: '', prefix: '', path: '', text: '', children: [] };
  const stack: XmlNode[] = [root];
  let elements = 0;
  let headerChars = 0;
  let failure: unknown;
  const pending: Array<Promise<void>> = [];
  const received: EdxmlReceivedAttachment[] = [];
  let manifest: EdxmlManifestEntry[] | undefined;
  const opened: EdxmlAttachmentSink[] = [];
  // The attachment being decoded: its sink, decoder and size.
  let current: { sink: EdxmlAttachmentSink; decoder: Base64Stream; entry: EdxmlManifestEntry; size: number; depth: number } | undefined;

  const fail = (error: unknown) => {
    failure ??= error;
  };
  parser.on('error', (e) => fail(new AppError('EDXML_INVALID', `the package is not well-formed XML: ${e.message.split('\n')[0]}`, { details: { element: 'XML' } })));
  parser.on('doctype', () => fail(edxmlError('DOCTYPE', 'document type declarations are not accepted')));
  parser.on('opentag', (tag: SaxesTagNS) => {
    if (failure) return;
    const parent = stack[stack.length - 1];
    if (current) {
      fail(edxmlError(current.entry.contentId, 'ContentTransferEncoded holds elements instead of base64 text'));
      return;
    }
    if (++elements > MAX_ELEMENTS || stack.length > MAX_DEPTH) {
      fail(edxmlError(tag.name, `the package nests deeper than ${MAX_DEPTH} levels or has more than ${MAX_ELEMENTS} elements`));
      return;
    }
    const node: XmlNode = { local: tag.local, prefix: tag.prefix, path: parent.path ? `${parent.path}/${tag.name}` : tag.name, text: '', children: [] };
    parent.children.push(node);
    stack.push(node);
    if (tag.local === 'ContentTransferEncoded') {
      const attachment = parent.local === 'Attachment' ? parent : undefined;
      const contentId = attachment && textOf(attachment, 'ContentId');
      if (!contentId) {
        fail(edxmlError(childPath(parent, 'ContentId'), 'an encoded attachment needs its ContentId before its content'));
        return;
      }
      manifest ??= readManifest(root);
      const entry = manifest.find((m) => m.contentId === contentId);
      if (!entry) {
        fail(edxmlError(childPath(attachment, 'ContentId'), `attachment ${contentId} has no entry in edXMLManifest (edXML:Reference)`));
        return;
      }
      if (received.some((r) => r.contentId === contentId)) {
        fail(edxmlError(childPath(attachment, 'ContentId'), `attachment ${contentId} appears twice`));
        return;
      }
      const sink = openAttachment(entry);
      opened.push(sink);
      current = { sink, decoder: new Base64Stream(`${node.path} (${contentId})`), entry, size: 0, depth: stack.length };
    }
  });
  const onText = (text: string) => {
    if (failure) return;
    if (current) {
      try {
        const bytes = current.decoder.push(text);
        if (bytes.length) {
          current.size += bytes.length;
          const waiting = current.sink.write(bytes);
          if (waiting) pending.push(waiting);
        }
      } catch (error) {
        fail(error);
      }
      return;
    }
    const node = stack[stack.length - 1];
    headerChars += text.length;
    if (node.text.length + text.length > MAX_TEXT_CHARS || headerChars > MAX_HEADER_CHARS) {
      fail(edxmlError(node.path || 'XML', 'the text is longer than a package header may be'));
      return;
    }
    if (node !== root) node.text += text;
  };
  parser.on('text', onText);
  // saxes keeps the text of an element until the next tag; inside an attachment that text is the whole
  // file's base64, so it is taken from the parser after every chunk and decoded at once.
  const held = parser as unknown as { text: string };
  const drainAttachmentText = () => {
    if (!current || failure || !held.text) return;
    const text = held.text;
    held.text = '';
    onText(text);
  };
  // CDATA in the header is text like any other (and counts against the same limits).
  parser.on('cdata', (text) => {
    if (failure) return;
    if (current) fail(edxmlError(current.entry.contentId, 'encoded content in CDATA is not accepted'));
    else onText(text);
  });
  parser.on('closetag', () => {
    if (failure) return;
    if (current && stack.length === current.depth) {
      const done = current;
      current = undefined;
      try {
        done.decoder.finish();
      } catch (error) {
        fail(error);
        return;
      }
      received.push({ ...done.entry, size: done.size });
      // The sink ends only after the writes it was still taking in (a stream may never drain once ended).
      const writes = pending.splice(0);
      pending.push(Promise.all(writes).then(() => done.sink.end()));
    }
    stack.pop();
  });

  const decoder = new StringDecoder('utf8');
  try {
    for await (const chunk of source) {
      parser.write(typeof chunk === 'string' ? chunk : decoder.write(chunk));
      drainAttachmentText();
      if (pending.length) await Promise.all(pending.splice(0));
      if (failure) throw failure;
    }
    parser.write(decoder.end());
    parser.close();
    if (pending.length) await Promise.all(pending.splice(0));
    if (failure) throw failure;
    const header = findFirst(root, (n) => n.local === 'MessageHeader' || n.local === 'Status');
    if (!header) throw edxmlError('edXMLHeader', 'the package has neither a MessageHeader nor a Status');
    if (header.local === 'Status') return { kind: 'status', status: readStatus(header) };
    manifest ??= readManifest(root);
    const message = readMessage(header, root, manifest);
    const missing = manifest.filter((m) => !received.some((r) => r.contentId === m.contentId));
    if (missing.length) throw edxmlError('AttachmentEncoded', `the manifest names ${missing.map((m) => m.contentId).join(', ')} but the package does not carry it`);
    return { kind: 'message', message, attachments: manifest.map((m) => received.find((r) => r.contentId === m.contentId)!) };
  } catch (error) {
    // Nothing half-kept: every attachment written so far goes.
    await Promise.allSettled(pending);
    for (const sink of opened) await sink.abort();
    throw error;
  }
}

function findFirst(node: XmlNode, match: (n: XmlNode) => boolean): XmlNode | undefined {
  for (const child of node.children) {
    if (match(child)) return child;
    if (child.local === 'AttachmentEncoded') continue;
    const deeper = findFirst(child, match);
    if (deeper) return deeper;
  }
  return undefined;
}

const childrenOf = (node: XmlNode | undefined, local: string): XmlNode[] => node?.children.filter((c) => c.local === local) ?? [];
const childOf = (node: XmlNode | undefined, local: string): XmlNode | undefined => childrenOf(node, local)[0];
function textOf(node: XmlNode | undefined, local: string): string | undefined {
  const t = childOf(node, local)?.text.trim();
  return t ? t : undefined;
}
function required(node: XmlNode, local: string): string {
  const value = textOf(node, local);
  if (value === undefined) throw edxmlError(childPath(node, local), 'is missing or empty');
  return value;
}
function integer(node: XmlNode | undefined, local: string, min: number, max: number): number | undefined {
  const value = textOf(node, local);
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value) || +value < min || +value > max) throw edxmlError(childPath(node!, local), `must be a whole number from ${min} to ${max}, not "${value.slice(0, 40)}"`);
  return +value;
}
function date(node: XmlNode, local: string): Date | undefined {
  const value = textOf(node, local);
  if (value === undefined) return undefined;
  const d = parseEdxmlDate(value);
  if (!d) throw edxmlError(childPath(node, local), `is not a date (yyyy/MM/dd): "${value.slice(0, 40)}"`);
  return d;
}
function timestamp(node: XmlNode, local: string): Date {
  const value = required(node, local);
  const d = parseEdxmlTimestamp(value);
  if (!d) throw edxmlError(childPath(node, local), `is not a time (yyyy/MM/dd HH:mm:ss): "${value.slice(0, 40)}"`);
  return d;
}

function readOrgan(node: XmlNode): EdxmlOrgan {
  const organId = required(node, 'OrganId');
  if (!ORGAN_ID_PATTERN.test(organId)) throw edxmlError(childPath(node, 'OrganId'), `is not an agency code (up to 35 of 0-9, A-Z and "."): "${organId.slice(0, 40)}"`);
  return {
    organId, organName: textOf(node, 'OrganName') ?? organId, organizationInCharge: textOf(node, 'OrganizationInCharge'), organAdd: textOf(node, 'OrganAdd'),
    email: textOf(node, 'Email'), telephone: textOf(node, 'Telephone'), fax: textOf(node, 'Fax'), website: textOf(node, 'Website'),
  };
}

function readStaff(node: XmlNode | undefined): EdxmlStaff | undefined {
  if (!node) return undefined;
  return { department: textOf(node, 'Department'), staff: textOf(node, 'Staff'), mobile: textOf(node, 'Mobile'), email: textOf(node, 'Email') };
}

function readResponseFor(node: XmlNode | undefined): EdxmlResponseFor | undefined {
  if (!node) return undefined;
  return { organId: required(node, 'OrganId'), code: textOf(node, 'Code') ?? '', promulgationDate: date(node, 'PromulgationDate'), documentId: required(node, 'DocumentId') };
}

function readManifest(root: XmlNode): EdxmlManifestEntry[] {
  const manifest = findFirst(root, (n) => n.local === 'edXMLManifest');
  return childrenOf(manifest, 'Reference').map((r) => ({
    contentId: required(r, 'ContentId'), contentType: textOf(r, 'ContentType') ?? 'application/octet-stream',
    attachmentName: textOf(r, 'AttachmentName') ?? required(r, 'ContentId'), description: textOf(r, 'Description'),
  }));
}

function readMessage(header: XmlNode, root: XmlNode, manifest: EdxmlManifestEntry[]): EdxmlMessage {
  const from = childOf(header, 'From');
  if (!from) throw edxmlError(childPath(header, 'From'), 'is missing');
  const to = childrenOf(header, 'To');
  if (!to.length) throw edxmlError(childPath(header, 'To'), 'is missing (a package names at least one recipient)');
  const code = childOf(header, 'Code');
  if (!code) throw edxmlError(childPath(header, 'Code'), 'is missing');
  const promulgation = childOf(header, 'PromulgationInfo');
  if (!promulgation) throw edxmlError(childPath(header, 'PromulgationInfo'), 'is missing');
  const promulgationDate = date(promulgation, 'PromulgationDate');
  if (!promulgationDate) throw edxmlError(childPath(promulgation, 'PromulgationDate'), 'is missing or empty');
  const type = childOf(header, 'DocumentType');
  const signer = childOf(header, 'SignerInfo');
  const other = childOf(header, 'OtherInfo');
  const trace = findFirst(root, (n) => n.local === 'TraceHeaderList');
  const business = childOf(trace, 'Bussiness') ?? childOf(trace, 'Business');
  const fromOrgan = readOrgan(from);
  const codeNumber = required(code, 'CodeNumber');
  const codeNotation = required(code, 'CodeNotation');
  return {
    from: fromOrgan,
    to: to.map(readOrgan),
    codeNumber, codeNotation,
    promulgationPlace: textOf(promulgation, 'Place'),
    promulgationDate,
    documentType: type && { type: textOf(type, 'Type'), typeName: textOf(type, 'TypeName') },
    subject: required(header, 'Subject'),
    content: textOf(header, 'Content'),
    signer: signer && { competence: textOf(signer, 'Competence'), position: textOf(signer, 'Position'), fullName: textOf(signer, 'FullName') },
    dueDate: date(header, 'DueDate') ?? null,
    toPlaces: childrenOf(childOf(header, 'ToPlaces'), 'Place').map((p) => p.text.trim()).filter(Boolean),
    otherInfo: {
      priority: integer(other, 'Priority', 0, 3) ?? 0,
      sphereOfPromulgation: textOf(other, 'SphereOfPromulgation'), typerNotation: textOf(other, 'TyperNotation'),
      promulgationAmount: integer(other, 'PromulgationAmount', 0, 1_000_000), pageAmount: integer(other, 'PageAmount', 0, 1_000_000),
      appendixes: childrenOf(childOf(other, 'Appendixes'), 'Appendix').map((a) => a.text.trim()).filter(Boolean),
    },
    steeringType: integer(header, 'SteeringType', 0, 9),
    documentId: textOf(header, 'DocumentId') ?? `${fromOrgan.organId},${textOf(promulgation, 'PromulgationDate')},${codeNumber}/${codeNotation}`,
    responseFor: readResponseFor(childOf(header, 'ResponseFor')),
    trace: childrenOf(trace, 'TraceHeader').map((t) => ({ organId: required(t, 'OrganId'), timestamp: timestamp(t, 'Timestamp') })),
    business: {
      docType: integer(business, 'BussinessDocType', 0, 3) ?? integer(business, 'BusinessDocType', 0, 3) ?? 0,
      reason: textOf(business, 'BussinessDocReason'), staffInfo: readStaff(childOf(business, 'StaffInfo')), paper: integer(business, 'Paper', 0, 1),
    },
    manifest,
  };
}

function readStatus(node: XmlNode): EdxmlStatus {
  const responseFor = readResponseFor(childOf(node, 'ResponseFor'));
  if (!responseFor) throw edxmlError(childPath(node, 'ResponseFor'), 'is missing');
  const from = childOf(node, 'From');
  if (!from) throw edxmlError(childPath(node, 'From'), 'is missing');
  const statusCode = required(node, 'StatusCode');
  if (!(EDXML_STATUS_CODES as readonly string[]).includes(statusCode)) {
    throw edxmlError(childPath(node, 'StatusCode'), `is not an edXML status (${EDXML_STATUS_CODES.join(', ')}): "${statusCode.slice(0, 10)}"`);
  }
  return { responseFor, from: readOrgan(from), statusCode, description: textOf(node, 'Description'), timestamp: timestamp(node, 'Timestamp'), staffInfo: readStaff(childOf(node, 'StaffInfo')) };
}
