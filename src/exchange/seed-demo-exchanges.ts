/**
 * A year of demo exchanges between the demo agencies (KYSO_DEMO=1, first start only), so every screen has
 * something real to show: documents with due dates, most done on time, some late, some returned, a few still
 * open. Each carries the same really signed and validated sample, stored once. A fixed seed makes the demo
 * the same on every machine.
 */
import { randomUUID } from 'node:crypto';
import type { mongo } from 'mongoose';
import type { AuditLog } from '../audit';
import type { ChangeCounters } from './change-counters';
import type { DocumentReport } from '../validation';
import type { DocumentStore } from './document-store';
import { summariseReport } from './exchange-request';
import type { Models, StatusEntry } from './models';

const DAY = 86_400_000;
const SUBJECTS = [
  'V/v triển khai chữ ký số trong cơ quan nhà nước', 'V/v báo cáo tình hình thực hiện nhiệm vụ quý', 'V/v góp ý dự thảo Nghị định',
  'V/v tổ chức hội nghị tổng kết năm', 'V/v rà soát thủ tục hành chính', 'V/v phân bổ kinh phí chuyển đổi số', 'V/v đôn đốc thực hiện chỉ thị',
  'V/v cung cấp thông tin phục vụ thanh tra', 'V/v kế hoạch phòng chống thiên tai', 'V/v cử cán bộ tham dự tập huấn',
];

/** Park–Miller: the same demo everywhere. */
function random(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 48271) % 2147483647) / 2147483647;
}

export async function seedDemoExchanges(input: {
  models: Models; documents: DocumentStore; audit: AuditLog; changes: ChangeCounters; agencies: Array<{ organId: string; name: string; notation: string }>;
  pdf: Buffer; sha256: string; report: DocumentReport; count?: number; now?: Date;
}): Promise<number> {
  const { models, documents, agencies } = input;
  if ((await models.Exchange.estimatedDocumentCount()) > 0) return 0;
  const rand = random(20260101);
  const now = (input.now ?? new Date()).getTime();
  const fileId = await documents.store(input.pdf, 'cong-van.pdf', input.sha256) as mongo.ObjectId;
  const verification = summariseReport(input.report);
  const numbers = new Map<string, number>();
  const exchanges: Record<string, unknown>[] = [];
  const recipients: Record<string, unknown>[] = [];
  const count = input.count ?? 240;
  for (let i = 0; i < count; i++) {
    const from = agencies[Math.floor(rand() * agencies.length)];
    const others = agencies.filter((a) => a !== from);
    const to = rand() < 0.3 ? others : [others[Math.floor(rand() * others.length)]];
    const createdAt = new Date(now - Math.floor((1 - i / count) * 360 * DAY) - Math.floor(rand() * DAY));
    const year = new Date(createdAt.getTime() + 7 * 3600_000).getUTCFullYear();
    const key = `${from.organId}:${year}`;
    const number = (numbers.get(key) ?? 0) + 1;
    numbers.set(key, number);
    const dueDate = new Date(createdAt.getTime() + (7 + Math.floor(rand() * 14)) * DAY);
    const exchangeId = randomUUID();
    exchanges.push({
      exchangeId, fromOrganId: from.organId, fromOrganName: from.name, to: to.map((a) => ({ organId: a.organId, organName: a.name })),
      codeNumber: String(number), codeNotation: from.notation, year, issuedDate: new Date(createdAt.getTime() - DAY), subject: SUBJECTS[i % SUBJECTS.length],
      signerCompetence: 'KT. CHÁNH VĂN PHÒNG', signerPosition: 'Phó Chánh Văn phòng', signerFullName: 'Nguyễn Văn An', promulgationPlace: 'Hà Nội',
      priority: rand() < 0.15 ? 1 : 0, dueDate, idempotencyKey: `demo-${i}`, inboundTo: '', fileId, fileName: 'cong-van.pdf', sha256: input.sha256,
      size: input.pdf.length, attachments: [], archives: [], renewBy: null, pageAmount: input.report.pageCount ?? 1, businessKind: 0, verification,
      report: {}, state: 'sent', recalledAt: null, createdAt,
    });
    for (const r of to) {
      const at = (days: number) => new Date(Math.min(now - 60_000, createdAt.getTime() + days * DAY));
      const history: StatusEntry[] = [{ status: '01', at: createdAt, byOrganId: r.organId }];
      const roll = rand();
      const open = dueDate.getTime() > now;
      if (roll < 0.08) {
        history.push({ status: '02', at: at(1), byOrganId: r.organId, reason: 'Văn bản sai thể thức, đề nghị ban hành lại', staffName: 'Trần Thị Bình', staffPosition: 'Văn thư' });
      } else {
        history.push({ status: '03', at: at(0.2), byOrganId: r.organId, staffName: 'Lê Văn Cường', staffPosition: 'Chuyên viên' });
        history.push({ status: '05', at: at(1), byOrganId: r.organId });
        const late = roll > 0.9;
        const finishes = !open || roll < 0.5;
        if (finishes) {
          const doneAt = late ? dueDate.getTime() + (1 + Math.floor(rand() * 6)) * DAY : createdAt.getTime() + Math.floor(rand() * (dueDate.getTime() - createdAt.getTime()));
          if (doneAt < now) history.push({ status: '06', at: new Date(doneAt), byOrganId: r.organId });
        }
      }
      const last = history[history.length - 1];
      recipients.push({ exchangeId, organId: r.organId, organName: r.name, status: last.status, history, documentRemoved: false, verification: null, needsReview: false, updatedAt: last.at });
    }
  }
  await models.Exchange.collection.insertMany(exchanges as never[], { ordered: true });
  await models.Recipient.collection.insertMany(recipients as never[], { ordered: true });
  await input.changes.bump(agencies.map((a) => a.organId));
  await input.audit.append({ type: 'exchange.sent', subject: 'demo', details: { seeded: exchanges.length, note: 'a year of demo exchanges' } });
  return exchanges.length;
}
