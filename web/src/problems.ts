/**
 * What an API error means, in the language of the page. The service answers with a code and an English
 * detail (RFC 9457); a page in Vietnamese says what happened in Vietnamese and keeps the detail (which
 * agency, which field) after it. An unknown code shows the detail alone.
 */
export const PROBLEMS: Record<string, string> = {
  INVALID_REQUEST: 'Yêu cầu không hợp lệ',
  USAGE: 'Yêu cầu không hợp lệ',
  UNAUTHENTICATED: 'Chưa đăng nhập hoặc khóa truy cập không hợp lệ',
  SESSION_ENDED: 'Phiên làm việc đã kết thúc, vui lòng đăng nhập lại',
  FORBIDDEN: 'Tài khoản không có quyền thực hiện thao tác này',
  CSRF_TOKEN_INVALID: 'Trang đã cũ, vui lòng tải lại trang',
  NOT_FOUND: 'Không tìm thấy',
  AGENCY_EXISTS: 'Mã định danh này đang hoặc đã được dùng',
  USER_EXISTS: 'Tên đăng nhập này đã có người dùng',
  AGENCY_UNKNOWN: 'Không có cơ quan với mã định danh này',
  DUPLICATE_DOCUMENT_NUMBER: 'Số, ký hiệu văn bản này đã được dùng',
  STATUS_TRANSITION_INVALID: 'Không thể chuyển văn bản sang trạng thái này',
  SESSION_EXPIRED: 'Phiên ký số đã hết hạn, vui lòng ký lại',
  SESSION_USED: 'Phiên ký số này đã được dùng',
  TOO_MANY_REQUESTS: 'Quá nhiều yêu cầu, vui lòng thử lại sau',
  REQUEST_TIMEOUT: 'Hết thời gian chờ, vui lòng thử lại',
  PAYLOAD_TOO_LARGE: 'Tệp quá lớn',
  UNSUPPORTED_MEDIA_TYPE: 'Định dạng tệp không được hỗ trợ',
  PDF_MALFORMED: 'Tệp PDF bị hỏng hoặc không đọc được',
  PDF_ENCRYPTED: 'Tệp PDF được mã hóa, không ký số được',
  PDF_DECODE_BUDGET_EXCEEDED: 'Tệp PDF cần giải nén quá nhiều dữ liệu',
  PDF_FIELD_NOT_FOUND: 'Không có ô chữ ký này trong văn bản',
  PDF_FIELD_EXISTS: 'Ô chữ ký này đã có trong văn bản',
  PDF_FIELD_ALREADY_SIGNED: 'Ô chữ ký này đã được ký',
  PDF_SIGNING_NOT_PERMITTED: 'Văn bản không cho phép ký thêm',
  DOCUMENT_NOT_SIGNED: 'Văn bản chưa được ký số',
  DOCUMENT_SIGNATURE_INVALID: 'Chữ ký số trên văn bản không hợp lệ',
  CERT_EXPIRED: 'Chứng thư số đã hết hạn',
  CERT_NOT_YET_VALID: 'Chứng thư số chưa có hiệu lực',
  CERT_KEY_USAGE: 'Chứng thư số không dùng để ký văn bản',
  EDXML_INVALID: 'Gói tin edXML không hợp lệ',
  IDEMPOTENCY_KEY_REUSED: 'Yêu cầu trùng mã với một yêu cầu khác',
  INBOUND_SENDER_IS_LOCAL: 'Cơ quan gửi thuộc chính hệ thống này',
  SIGNER_NOT_CONFIGURED: 'Máy chủ chưa có khóa ký số của cơ quan',
  TSA_UNAVAILABLE: 'Không kết nối được máy chủ cấp dấu thời gian',
  REVOCATION_UNAVAILABLE: 'Không kiểm tra được tình trạng thu hồi của chứng thư số',
  DATABASE_UNAVAILABLE: 'Hệ thống đang gián đoạn, vui lòng thử lại sau',
  SERVICE_BUSY: 'Hệ thống đang bận, vui lòng thử lại sau',
  PEER_UNAVAILABLE: 'Không kết nối được hệ thống nhận',
  PKCS11_MODULE_CRASHED: 'Thiết bị ký số của máy chủ không phản hồi',
  TOKEN_NOT_PRESENT: 'Không tìm thấy thiết bị ký số',
  TOKEN_PIN_INCORRECT: 'Mã PIN của thiết bị ký số không đúng',
  TOKEN_LOCKED: 'Mã PIN của thiết bị ký số đã bị khóa',
};

export function describeProblem(code: string, detail: string, language: string): string {
  const vi = PROBLEMS[code];
  return vi && language === 'vi' ? `${vi} (${detail})` : detail;
}
