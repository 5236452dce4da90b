/** Vietnamese first, English on request: every text of the pages, side by side in one table. */
import { signal } from './signal';

export type Lang = 'vi' | 'en';
export const lang = signal<Lang>((localStorage.getItem('kyso.lang') as Lang) || 'vi');
export const setLang = (l: Lang): void => {
  localStorage.setItem('kyso.lang', l);
  document.documentElement.lang = l;
  lang.set(l);
};

const T = {
  appName: ['Kyso — Ký số và trao đổi văn bản', 'Kyso — digital signing and document exchange'],
  signIn: ['Đăng nhập', 'Sign in'],
  signOut: ['Đăng xuất', 'Sign out'],
  username: ['Tên đăng nhập', 'Username'],
  password: ['Mật khẩu', 'Password'],
  loginFailed: ['Sai tên đăng nhập hoặc mật khẩu', 'Wrong username or password'],
  accountLocked: ['Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần. Thử lại sau', 'Account locked after repeated wrong passwords. Try again in'],
  minutes: ['phút', 'minutes'],
  verifyPublic: ['Kiểm tra chữ ký số', 'Verify a signed PDF'],
  verifyIntro: ['Kéo thả hoặc chọn một tệp PDF đã ký. Tệp không được lưu lại.', 'Drop or pick a signed PDF. The file is not stored.'],
  pickFile: ['Chọn tệp PDF', 'Choose a PDF'],
  checking: ['Đang kiểm tra…', 'Checking…'],
  inbox: ['Văn bản đến', 'Inbox'],
  outbox: ['Văn bản đi', 'Outbox'],
  compose: ['Gửi văn bản', 'Send a document'],
  drafts: ['Văn bản chờ ký', 'Drafts'],
  archive: ['Lưu trữ', 'Archive'],
  admin: ['Quản trị', 'Administration'],
  status: ['Trạng thái', 'Status'],
  all: ['Tất cả', 'All'],
  from: ['Từ ngày', 'From'],
  to: ['Đến ngày', 'To'],
  sender: ['Nơi gửi', 'Sender'],
  recipient: ['Nơi nhận', 'Recipient'],
  number: ['Số/Ký hiệu', 'Number/notation'],
  subject: ['Trích yếu', 'Subject'],
  search: ['Tìm', 'Search'],
  issued: ['Ngày ban hành', 'Issued'],
  due: ['Hạn xử lý', 'Due'],
  priority: ['Độ khẩn', 'Priority'],
  overdue: ['Quá hạn', 'Overdue'],
  needsReview: ['Cần xem xét', 'Needs review'],
  noItems: ['Không có văn bản nào', 'No documents'],
  previous: ['Trang trước', 'Previous'],
  next: ['Trang sau', 'Next'],
  page: ['Trang', 'Page'],
  of: ['/', 'of'],
  verdictValid: ['Hợp lệ', 'Valid'],
  verdictInvalid: ['Không hợp lệ', 'Not valid'],
  verdictIndeterminate: ['Chưa xác định được', 'Indeterminate'],
  verdictNone: ['Không có chữ ký số', 'No digital signature'],
  signatures: ['Chữ ký số', 'Signatures'],
  signer: ['Người ký', 'Signer'],
  agency: ['Cơ quan', 'Agency'],
  signingTime: ['Thời gian ký', 'Signing time'],
  timestamp: ['Dấu thời gian', 'Time-stamp'],
  chain: ['Chuỗi chứng thư', 'Certificate path'],
  anchor: ['Chứng thư gốc tin cậy', 'Trust anchor'],
  revocation: ['Tình trạng thu hồi', 'Revocation'],
  changes: ['Thay đổi sau khi ký', 'Changes after signing'],
  level: ['Mức PAdES', 'PAdES level'],
  intact: ['Toàn vẹn', 'Intact'],
  yes: ['Có', 'Yes'],
  no: ['Không', 'No'],
  downloadJson: ['Tải báo cáo JSON', 'Download the JSON report'],
  edxmlPackage: ['Tải gói edXML', 'Download the edXML package'],
  clerical: ['Văn thư', 'Clerical'],
  stampArrival: ['Đóng dấu ĐẾN', 'Stamp the arrival mark'],
  forwardTo: ['Chuyển cho', 'Forward to'],
  arrivalCopy: ['Bản đã đóng dấu đến', 'Copy with the arrival mark'],
  copyPages: ['Trang (trích sao)', 'Pages (extract)'],
  makeCopy: ['Tạo bản sao', 'Make a copy'],
  copies: ['Bản sao', 'Copies'],
  print: ['In báo cáo', 'Print the report'],
  header: ['Thông tin văn bản', 'Document header'],
  documentId: ['Mã văn bản', 'Document id'],
  signerInfo: ['Người ký (thẩm quyền)', 'Signed by (authority)'],
  attachments: ['Tệp đính kèm', 'Attachments'],
  history: ['Lịch sử xử lý', 'History'],
  actions: ['Xử lý', 'Actions'],
  reason: ['Lý do', 'Reason'],
  reasonRequired: ['Cần ghi lý do', 'A reason is required'],
  accept: ['Tiếp nhận (03)', 'Accept (03)'],
  assign: ['Phân công (04)', 'Assign (04)'],
  inProgress: ['Đang xử lý (05)', 'In progress (05)'],
  done: ['Hoàn thành (06)', 'Done (06)'],
  returnDoc: ['Trả lại (02)', 'Return (02)'],
  recall: ['Thu hồi', 'Recall'],
  acceptRecall: ['Đồng ý thu hồi (15)', 'Accept the recall (15)'],
  refuseRecall: ['Từ chối thu hồi (16)', 'Refuse the recall (16)'],
  notFound: ['Không tìm thấy văn bản này (hoặc bạn không có quyền xem)', 'This document was not found (or you may not see it)'],
  document: ['Văn bản', 'Document'],
  file: ['Tệp văn bản (PDF đã ký)', 'Document (signed PDF)'],
  recipients: ['Nơi nhận', 'Recipients'],
  verifyBeforeSend: ['Kiểm tra trước khi gửi', 'Check before sending'],
  send: ['Gửi', 'Send'],
  sent: ['Đã gửi', 'Sent'],
  sealIt: ['Đóng dấu cơ quan (ký số) tại vị trí đã chọn', 'Add the agency seal signature where drawn'],
  drawSeal: ['Kéo chuột trên trang để chọn vị trí dấu', 'Drag on the page to place the seal'],
  sealed: ['Đã đóng dấu', 'Sealed'],
  audit: ['Nhật ký', 'Audit trail'],
  chainCheck: ['Kiểm tra chuỗi nhật ký', 'Check the audit chain'],
  chainIntact: ['Chuỗi nhật ký toàn vẹn', 'The audit chain is intact'],
  chainBroken: ['Chuỗi nhật ký bị sửa đổi tại sự kiện', 'The audit chain is broken at event'],
  statistics: ['Thống kê đúng hạn', 'On-time statistics'],
  dossiers: ['hồ sơ', 'documents'],
  onTime: ['đúng hạn', 'on time'],
  late: ['quá hạn', 'late'],
  openOverdue: ['chưa xong, đã quá hạn', 'open and overdue'],
  openInTime: ['chưa xong, còn hạn', 'open, in time'],
  month: ['Tháng', 'Month'],
  evidence: ['Tải gói chứng cứ', 'Download the evidence package'],
  reverify: ['Kiểm tra lại', 'Verify again'],
  asOf: ['tại thời điểm', 'as of'],
  due4renewal: ['Bản lưu trữ dài hạn cần gia hạn', 'Long-term copies due for renewal'],
  users: ['Người dùng', 'Users'],
  apiKeys: ['Khóa API', 'API keys'],
  agencies: ['Cơ quan', 'Agencies'],
  role: ['Vai trò', 'Role'],
  fullName: ['Họ và tên', 'Full name'],
  create: ['Tạo', 'Create'],
  resetPassword: ['Đặt lại mật khẩu', 'Reset password'],
  disable: ['Khóa', 'Disable'],
  enable: ['Mở khóa', 'Enable'],
  disabled: ['Đã khóa', 'Disabled'],
  newPassword: ['Mật khẩu mới (chỉ hiện một lần)', 'New password (shown once)'],
  revoke: ['Thu hồi khóa', 'Revoke'],
  error: ['Lỗi', 'Error'],
  loading: ['Đang tải…', 'Loading…'],
  language: ['English', 'Tiếng Việt'],
  subjectFilter: ['Chủ thể', 'Subject'],
  actor: ['Người thực hiện', 'Actor'],
  time: ['Thời gian', 'Time'],
  event: ['Sự kiện', 'Event'],
  skip: ['Bỏ qua, tới nội dung chính', 'Skip to the main content'],
} as const;

export type Key = keyof typeof T;
export const t = (key: Key): string => T[key][lang.get() === 'vi' ? 0 : 1];

/** The names of edXML status codes (QCVN 102:2016). */
const STATUS_NAMES: Record<string, [string, string]> = {
  '00': ['Đang chuyển', 'In transit'], '01': ['Đã đến', 'Arrived'], '02': ['Trả lại', 'Returned'], '03': ['Đã tiếp nhận', 'Accepted'], '04': ['Đã phân công', 'Assigned'],
  '05': ['Đang xử lý', 'In progress'], '06': ['Hoàn thành', 'Done'], '13': ['Yêu cầu thu hồi', 'Recall requested'],
  '15': ['Đồng ý thu hồi', 'Recall accepted'], '16': ['Từ chối thu hồi', 'Recall refused'],
};
export const statusName = (code: string): string => (STATUS_NAMES[code] ? STATUS_NAMES[code][lang.get() === 'vi' ? 0 : 1] : code);
export const STATUS_CODES = Object.keys(STATUS_NAMES);

const PRIORITY: Array<[string, string]> = [['Thường', 'Normal'], ['Khẩn', 'Urgent'], ['Thượng khẩn', 'Very urgent'], ['Hỏa tốc', 'Flash']];
export const priorityName = (p: number): string => (PRIORITY[p] ?? PRIORITY[0])[lang.get() === 'vi' ? 0 : 1];

const ROLE_NAMES: Record<string, [string, string]> = {
  signer: ['Lãnh đạo (ký)', 'Official (signer)'], clerk: ['Văn thư', 'Clerk'], receiver: ['Tiếp nhận', 'Receiver'],
  archivist: ['Lưu trữ', 'Archivist'], admin: ['Quản trị cơ quan', 'Agency admin'],
};
export const roleName = (r: string): string => (ROLE_NAMES[r] ? ROLE_NAMES[r][lang.get() === 'vi' ? 0 : 1] : r);

/** A validator message in the chosen language (reports carry both). */
export const say = (m: { vi: string; en: string } | string): string => (typeof m === 'string' ? m : lang.get() === 'vi' ? m.vi : m.en);
