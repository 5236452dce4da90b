/** What the agent tells the page, in Vietnamese and English, for each fault a person can meet. */
export const AGENT_MESSAGES: Record<string, { vi: string; en: string; status: number }> = {
  ORIGIN_NOT_ALLOWED: { vi: 'Trang web này không được phép dùng chương trình ký số', en: 'this web page may not use the signing agent', status: 403 },
  AGENT_NOT_PAIRED: { vi: 'Trình duyệt chưa được ghép nối với chương trình ký số: nhập mã ghép nối hiển thị trên máy', en: 'this browser is not paired with the signing agent: enter the pairing code it shows', status: 401 },
  PAIRING_CODE_WRONG: { vi: 'Mã ghép nối không đúng', en: 'wrong pairing code', status: 401 },
  SERVER_NOT_ALLOWED: { vi: 'Máy chủ Kyso này không có trong cấu hình của chương trình ký số', en: 'this Kyso server is not configured in the agent', status: 403 },
  SESSION_MISMATCH: { vi: 'Phiên ký không khớp với chứng thư số hoặc dữ liệu cần ký; không ký', en: 'the signing session does not name this certificate or these bytes; not signed', status: 409 },
  SESSION_NOT_FOUND: { vi: 'Máy chủ không xác nhận phiên ký này', en: 'the server does not confirm this signing session', status: 409 },
  TOKEN_NOT_PRESENT: { vi: 'Không tìm thấy USB ký số (token đã bị rút ra?)', en: 'the USB token is not present (removed?)', status: 503 },
  TOKEN_PIN_INCORRECT: { vi: 'Mã PIN của USB ký số không đúng', en: 'the token PIN is wrong', status: 503 },
  TOKEN_LOCKED: { vi: 'Mã PIN của USB ký số đã bị khóa', en: 'the token PIN is locked', status: 503 },
  TOKEN_PIN_EXPIRED: { vi: 'Mã PIN của USB ký số đã hết hạn', en: 'the token PIN has expired', status: 503 },
  KEY_NOT_FOUND: { vi: 'Không tìm thấy khóa ký trên USB ký số', en: 'the signing key is not on the token', status: 503 },
  CERT_EXPIRED: { vi: 'Chứng thư số đã hết hạn', en: 'the certificate has expired', status: 409 },
  CERT_NOT_YET_VALID: { vi: 'Chứng thư số chưa có hiệu lực', en: 'the certificate is not valid yet', status: 409 },
  TOKEN_ERROR: { vi: 'Lỗi USB ký số', en: 'token error', status: 503 },
  INVALID_REQUEST: { vi: 'Yêu cầu không hợp lệ', en: 'invalid request', status: 400 },
  NOT_FOUND: { vi: 'Không có chức năng này', en: 'no such function', status: 404 },
};
