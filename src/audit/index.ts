export { createAuditLog } from './audit-log';
export type { AuditLog, AuditEvent, AuditEventType } from './audit-log';
