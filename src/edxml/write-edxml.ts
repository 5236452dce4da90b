/**
 * Writes edXML packages (QCVN 102:2016). Every header element carries the `edXML:` prefix the receiving
 * systems of the national axis expect; the attachments follow the envelope, base64-encoded, streamed from
 * their source in chunks so a package of hundreds of MB is never held in memory.
 */
import {
  EDXML_NAMESPACE, EdxmlManifestEntry, EdxmlMessage, EdxmlOrgan, EdxmlResponseFor, EdxmlStaff, EdxmlStatus, formatEdxmlDate, formatEdxmlTimestamp,
} from './edxml-message';

/** Text and attribute values escaped for XML 1.0; characters XML cannot carry at all are dropped. */
export function escapeXml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

type Node = { name: string; text?: string; children?: Node[] } | undefined;

const el = (name: string, text: string | number | undefined): Node => (text === undefined || text === '' ? undefined : { name, text: String(text) });
const group = (name: string, children: Node[], keepEmpty = false): Node => {
  const present = children.filter((c): c is NonNullable<Node> => c !== undefined);
  return present.length || keepEmpty ? { name, children: present } : undefined;
};

function render(node: Node, depth: number, out: string[]): void {
  if (!node) return;
  const pad = '  '.repeat(depth);
  if (node.children === undefined) {
    out.push(`${pad}<edXML:${node.name}>${escapeXml(node.text ?? '')}</edXML:${node.name}>`);
    return;
  }
  if (node.children.length === 0) {
    out.push(`${pad}<edXML:${node.name}/>`);
    return;
  }
  out.push(`${pad}<edXML:${node.name}>`);
  for (const child of node.children) render(child, depth + 1, out);
  out.push(`${pad}</edXML:${node.name}>`);
}

/** From, To and Status/From carry every contact element, empty when Kyso does not know it (receivers expect them). */
const organ = (name: string, o: EdxmlOrgan): Node => ({
  name,
  children: [
    { name: 'OrganId', text: o.organId },
    { name: 'OrganizationInCharge', text: o.organizationInCharge ?? '' },
    { name: 'OrganName', text: o.organName },
    { name: 'OrganAdd', text: o.organAdd ?? '' },
    { name: 'Email', text: o.email ?? '' },
    { name: 'Telephone', text: o.telephone ?? '' },
    { name: 'Fax', text: o.fax ?? '' },
    { name: 'Website', text: o.website ?? '' },
  ],
});

const staff = (s: EdxmlStaff | undefined): Node => s && group('StaffInfo', [el('Department', s.department), el('Staff', s.staff), el('Mobile', s.mobile), el('Email', s.email)]);

const responseFor = (r: EdxmlResponseFor | undefined): Node => r && group('ResponseFor', [
  el('OrganId', r.organId), el('Code', r.code), el('PromulgationDate', r.promulgationDate && formatEdxmlDate(r.promulgationDate)), el('DocumentId', r.documentId),
]);

function messageHeader(m: EdxmlMessage): Node {
  return group('MessageHeader', [
    organ('From', m.from),
    ...m.to.map((t) => organ('To', t)),
    el('DocumentId', m.documentId),
    group('Code', [el('CodeNumber', m.codeNumber), el('CodeNotation', m.codeNotation)]),
    group('PromulgationInfo', [el('Place', m.promulgationPlace), el('PromulgationDate', formatEdxmlDate(m.promulgationDate))]),
    m.documentType && group('DocumentType', [el('Type', m.documentType.type), el('TypeName', m.documentType.typeName)]),
    el('Subject', m.subject),
    el('Content', m.content),
    m.signer && group('SignerInfo', [el('Competence', m.signer.competence), el('Position', m.signer.position), el('FullName', m.signer.fullName)]),
    el('DueDate', m.dueDate ? formatEdxmlDate(m.dueDate) : undefined),
    group('ToPlaces', m.toPlaces.map((p) => el('Place', p))),
    group('OtherInfo', [
      el('Priority', m.otherInfo.priority), el('SphereOfPromulgation', m.otherInfo.sphereOfPromulgation), el('TyperNotation', m.otherInfo.typerNotation),
      el('PromulgationAmount', m.otherInfo.promulgationAmount), el('PageAmount', m.otherInfo.pageAmount),
      group('Appendixes', m.otherInfo.appendixes.map((a) => el('Appendix', a))),
    ]),
    el('SteeringType', m.steeringType),
    responseFor(m.responseFor),
  ]);
}

function traceHeaderList(m: EdxmlMessage): Node {
  return group('TraceHeaderList', [
    ...m.trace.map((t) => group('TraceHeader', [el('OrganId', t.organId), el('Timestamp', formatEdxmlTimestamp(t.timestamp))])),
    group('Bussiness', [
      el('BussinessDocType', m.business.docType), el('BussinessDocReason', m.business.reason), staff(m.business.staffInfo), el('Paper', m.business.paper),
    ], true),
  ]);
}

function manifest(entries: EdxmlManifestEntry[]): Node {
  return group('edXMLManifest', entries.map((e) => group('Reference', [
    el('ContentId', e.contentId), el('ContentType', e.contentType), el('AttachmentName', e.attachmentName), el('Description', e.description),
  ])), true);
}

const lines = (node: Node, depth: number): string => {
  const out: string[] = [];
  render(node, depth, out);
  return out.join('\n');
};

/** One attachment's bytes, opened when the writer reaches it. */
export interface EdxmlAttachmentSource {
  entry: EdxmlManifestEntry;
  open: () => AsyncIterable<Buffer | Uint8Array>;
}

/** Base64 of a byte stream in pieces, carrying the 0–2 bytes that do not fill a group of three. */
async function* base64Of(source: AsyncIterable<Buffer | Uint8Array>): AsyncGenerator<Buffer> {
  let carry = Buffer.alloc(0);
  for await (const chunk of source) {
    const bytes = carry.length ? Buffer.concat([carry, chunk]) : Buffer.from(chunk);
    const whole = bytes.length - (bytes.length % 3);
    if (whole) yield Buffer.from(bytes.subarray(0, whole).toString('base64'), 'latin1');
    carry = Buffer.from(bytes.subarray(whole));
  }
  if (carry.length) yield Buffer.from(carry.toString('base64'), 'latin1');
}

/**
 * A document package: the envelope (header and manifest), then every attachment of the manifest, in its
 * order, base64-encoded. The sources are opened one after the other as the output is read.
 */
export async function* writeEdxmlMessage(message: EdxmlMessage, attachments: EdxmlAttachmentSource[]): AsyncGenerator<Buffer> {
  const envelope = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<edXML xmlns="${EDXML_NAMESPACE}">`,
    `  <edXML:edXMLEnvelope xmlns:edXML="${EDXML_NAMESPACE}">`,
    '    <edXML:edXMLHeader>',
    lines(messageHeader(message), 3),
    lines(traceHeaderList(message), 3),
    '    </edXML:edXMLHeader>',
    '    <edXML:edXMLBody>',
    lines(manifest(attachments.map((a) => a.entry)), 3),
    '    </edXML:edXMLBody>',
    '  </edXML:edXMLEnvelope>',
    '  <AttachmentEncoded>',
  ].join('\n');
  yield Buffer.from(`${envelope}\n`, 'utf8');
  for (const a of attachments) {
    yield Buffer.from([
      '    <Attachment>',
      `      <ContentId>${escapeXml(a.entry.contentId)}</ContentId>`,
      `      <AttachmentName>${escapeXml(a.entry.attachmentName)}</AttachmentName>`,
      `      <ContentType>${escapeXml(a.entry.contentType)}</ContentType>`,
      `      <edXML:ContentTransferEncoded xmlns:edXML="${EDXML_NAMESPACE}">`,
    ].join('\n'), 'utf8');
    yield* base64Of(a.open());
    yield Buffer.from('</edXML:ContentTransferEncoded>\n    </Attachment>\n', 'utf8');
  }
  yield Buffer.from('  </AttachmentEncoded>\n</edXML>\n', 'utf8');
}

/** A status package (edXML Status): what a recipient did with a document, for its sender. */
export function writeEdxmlStatus(status: EdxmlStatus): string {
  const body = group('Status', [
    responseFor(status.responseFor),
    organ('From', status.from),
    el('StatusCode', status.statusCode),
    el('Description', status.description),
    el('Timestamp', formatEdxmlTimestamp(status.timestamp)),
    staff(status.staffInfo),
  ]);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<edXML xmlns="${EDXML_NAMESPACE}">`,
    `  <edXML:edXMLEnvelope xmlns:edXML="${EDXML_NAMESPACE}">`,
    '    <edXML:edXMLHeader>',
    lines(body, 3),
    '    </edXML:edXMLHeader>',
    '    <edXML:edXMLBody/>',
    '  </edXML:edXMLEnvelope>',
    '</edXML>',
    '',
  ].join('\n');
}
