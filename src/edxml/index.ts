export * from './edxml-message';
export { escapeXml, writeEdxmlMessage, writeEdxmlStatus } from './write-edxml';
export type { EdxmlAttachmentSource } from './write-edxml';
export { edxmlError, readEdxml } from './read-edxml';
export type { EdxmlAttachmentSink, EdxmlPackage, EdxmlReceivedAttachment } from './read-edxml';
