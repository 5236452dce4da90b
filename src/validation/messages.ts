/**
 * Every message the validator writes, Vietnamese and English side by side, in one typed catalogue: a code
 * names its text and the parameters it needs, so a report can be rendered in either language and a test
 * can name the code it expects.
 */
import type { Message } from './report';

type Text = { vi: string; en: string };
type Entry = Text | ((p: never) => Text);

const list = (items: string[]): string => items.slice(0, 5).join(', ');

export const CATALOGUE = {
  // The file
  PDF_UNREADABLE: (p: { detail?: string }) => ({ vi: 'Không đọc được tệp PDF', en: p.detail ? `unreadable PDF: ${p.detail}` : 'unreadable PDF' }),
  PDF_DECODE_BUDGET_EXCEEDED: (p: { detail: string }) => ({
    vi: 'Tệp PDF giải nén ra quá nhiều dữ liệu (nghi là "bom nén"); không kiểm tra', en: `the PDF decompresses to too much data (a compression bomb?): ${p.detail}`,
  }),
  BYTES_AFTER_EOF: (p: { count: number }) => ({
    vi: `Có ${p.count} byte sau %%EOF cuối cùng, ngoài mọi phiên bản: phần không được ký nào cũng là thay đổi sau khi ký`,
    en: `${p.count} bytes after the last %%EOF belong to no revision: unsigned bytes are a change after signing`,
  }),
  NO_SIGNATURE: { vi: 'Tài liệu không có chữ ký số', en: 'the document has no signature' },
  VALIDATION_ERROR: (p: { detail: string }) => ({ vi: 'Lỗi khi kiểm tra chữ ký', en: `validation error: ${p.detail}` }),

  // The signature dictionary and its byte range
  SIGNATURE_DICTIONARY_UNREADABLE: (p: { field: string }) => ({
    vi: `Không đọc được từ điển chữ ký của trường "${p.field}" (/ByteRange hoặc /Contents hỏng): chữ ký không thể được công nhận`,
    en: `the signature dictionary of field "${p.field}" cannot be read (damaged /ByteRange or /Contents): the signature cannot be recognised`,
  }),
  SIGNATURE_NOT_IN_A_FIELD: { vi: 'Chữ ký không gắn với trường chữ ký nào (chữ ký bị ẩn)', en: 'the signature is not referenced by any signature field (hidden signature)' },
  USAGE_RIGHTS_SIGNATURE: {
    vi: 'Chữ ký quyền sử dụng (/Perms /UR3) của phần mềm tạo tài liệu, không phải chữ ký của người ký',
    en: 'a usage-rights signature (/Perms /UR3) made by the authoring application, not a signer\'s signature',
  },
  NO_CONTENTS: { vi: 'Chữ ký không có /Contents', en: 'the signature has no /Contents' },
  BYTERANGE_SHAPE: { vi: '/ByteRange không gồm đúng hai khoảng', en: '/ByteRange is not exactly two ranges of non-negative integers' },
  BYTERANGE_START: { vi: '/ByteRange không bắt đầu từ byte 0', en: '/ByteRange does not start at byte 0' },
  BYTERANGE_OVERLAP: { vi: 'Hai khoảng của /ByteRange chồng lên nhau', en: 'the /ByteRange ranges overlap' },
  BYTERANGE_PAST_EOF: { vi: '/ByteRange vượt quá cuối tệp', en: '/ByteRange runs past the end of the file' },
  BYTERANGE_GAP_NOT_CONTENTS: { vi: 'Khoảng trống của /ByteRange không đúng là /Contents của chữ ký này', en: 'the /ByteRange gap is not exactly this signature\'s /Contents' },
  BYTERANGE_GAP_NOT_HEX: { vi: 'Khoảng trống của /ByteRange không phải chuỗi hex /Contents', en: 'the /ByteRange gap is not a hex /Contents string' },
  BYTERANGE_GAP_DIFFERS: { vi: 'Khoảng trống của /ByteRange khác với /Contents', en: 'the /ByteRange gap differs from /Contents' },
  NOT_REVISION_END: { vi: 'Phần được ký không kết thúc tại cuối một phiên bản (%%EOF)', en: 'the signed data does not end at a revision end (%%EOF)' },

  // CMS
  CMS_UNPARSEABLE: { vi: 'Không đọc được cấu trúc CMS của chữ ký', en: 'the CMS signature cannot be parsed' },
  CMS_NO_SIGNER: { vi: 'CMS không có người ký', en: 'the CMS has no SignerInfo' },
  CMS_SEVERAL_SIGNERS: (p: { count: number }) => ({
    vi: `CMS có ${p.count} người ký; người ký đầu tiên được kiểm tra`, en: `the CMS has ${p.count} SignerInfos; the first is validated`,
  }),
  DIGEST_UNKNOWN: (p: { oid: string }) => ({ vi: `Thuật toán băm không được hỗ trợ (${p.oid})`, en: `unsupported digest algorithm ${p.oid}` }),
  SIGNER_CERT_MISSING: { vi: 'Không tìm thấy chứng thư số của người ký trong chữ ký', en: 'the signer certificate is not in the signature' },
  NO_MESSAGE_DIGEST: { vi: 'Thiếu thuộc tính messageDigest', en: 'the messageDigest attribute is missing' },
  DIGEST_MISMATCH: { vi: 'Giá trị băm của tài liệu không khớp: nội dung đã bị thay đổi sau khi ký', en: 'the document digest does not match: the signed content was changed' },
  SHA1_DIGEST_MISMATCH: { vi: 'Giá trị băm SHA-1 của tài liệu không khớp', en: 'the encapsulated SHA-1 digest does not match the document' },
  SIGNING_CERT_MISMATCH: {
    vi: 'Thuộc tính signingCertificate không khớp với chứng thư số của người ký', en: 'the signing-certificate attribute does not match the signer certificate',
  },
  SIGNING_CERT_UNREADABLE: { vi: 'Không đọc được thuộc tính signingCertificate', en: 'the signing-certificate attribute cannot be read' },
  NO_SIGNED_ATTRIBUTES: { vi: 'Chữ ký không có thuộc tính ký (dạng cũ)', en: 'the signature has no signed attributes (legacy form)' },
  SIG_ALG_UNSUPPORTED: (p: { oid: string }) => ({ vi: `Thuật toán chữ ký không được hỗ trợ (${p.oid})`, en: `unsupported signature algorithm ${p.oid}` }),
  SIGNATURE_INVALID: { vi: 'Giá trị chữ ký không hợp lệ với khóa công khai của người ký', en: 'the signature value does not verify with the signer key' },
  SIGNATURE_OVER_CONTENT_INVALID: { vi: 'Chữ ký không khớp với nội dung tài liệu', en: 'the signature does not match the document content' },
  ALGORITHM_BINDING: (p: { signatureHash: string; digestHash: string }) => ({
    vi: `Thuật toán chữ ký chỉ định ${p.signatureHash} nhưng giá trị chữ ký chỉ khớp khi băm bằng ${p.digestHash}: thuật toán đã bị tráo`,
    en: `the signature algorithm names ${p.signatureHash} but the value only verifies with ${p.digestHash}: the algorithm was substituted`,
  }),
  CONTENTS_TRAILING_DATA: {
    vi: '/Contents có dữ liệu khác 0 sau cấu trúc CMS (dữ liệu bị chèn vào vùng không được ký)', en: '/Contents carries non-zero bytes after the CMS structure (data placed in the unsigned gap)',
  },
  ECONTENT_IN_DETACHED: { vi: 'Chữ ký tách rời nhưng CMS lại chứa nội dung đóng gói', en: 'a detached signature carries encapsulated content' },

  // Timestamps
  TST_IMPRINT: { vi: 'Dấu thời gian không khớp với tài liệu', en: 'the document timestamp imprint does not match the document' },
  TST_FORGED: {
    vi: 'Dấu thời gian của chữ ký không được cấp cho chữ ký này (giá trị băm không khớp): dấu bị giả mạo hoặc bị ghép từ chữ ký khác',
    en: 'the signature timestamp was not issued for this signature (its imprint does not match): a forged or transplanted token',
  },
  TST_INVALID: { vi: 'Chữ ký của dấu thời gian không hợp lệ', en: 'the time-stamp token\'s own signature does not verify' },
  TST_UNREADABLE: { vi: 'Không đọc được dấu thời gian của chữ ký', en: 'the signature timestamp cannot be read' },
  TSA_UNKNOWN: { vi: 'Không tìm thấy chứng thư của đơn vị cấp dấu thời gian', en: 'the TSA certificate is not in the timestamp' },
  TSA_NOT_FOR_TIMESTAMPS: { vi: 'Chứng thư của đơn vị cấp dấu thời gian không dành cho cấp dấu thời gian', en: 'the TSA certificate is not for time-stamping' },
  TSA_UNTRUSTED: {
    vi: 'Dấu thời gian không được cấp bởi đơn vị tin cậy; thời gian ký tự khai được dùng', en: 'the timestamp is not from a trusted TSA; the claimed signing time is used instead',
  },
  TSA_REVOKED: {
    vi: 'Chứng thư của đơn vị cấp dấu thời gian đã bị thu hồi trước khi cấp dấu; thời gian ký tự khai được dùng',
    en: 'the TSA certificate was revoked before the timestamp was made; the claimed signing time is used instead',
  },
  TSA_REVOCATION_UNKNOWN: {
    vi: 'Không xác định được tình trạng thu hồi của chứng thư đơn vị cấp dấu thời gian', en: 'the revocation status of the TSA certificate is unknown',
  },

  // Changes after signing
  MODIFIED_AFTER_SIGNING: (p: { level: string; details: string[] }) => ({
    vi: `Tài liệu được sửa sau khi ký (${p.level}): ${p.details.slice(0, 3).join('; ')}`, en: `changed after signing (${p.level}): ${p.details.slice(0, 3).join('; ')}`,
  }),
  MODIFICATIONS_NOT_ALLOWED: (p: { level: string; allowed: string }) => ({
    vi: `Thay đổi sau khi ký (${p.level}) vượt quá mức chữ ký cho phép (${p.allowed})`, en: `the changes after signing (${p.level}) exceed what the signature allows (${p.allowed})`,
  }),
  FIELD_LOCKED: (p: { fields: string[] }) => ({
    vi: `Trường bị khóa bởi chữ ký này đã bị thay đổi: ${list(p.fields)}`, en: `fields locked by this signature were changed: ${list(p.fields)}`,
  }),
  LOCKED_FIELD_REMOVED: (p: { fields: string[] }) => ({
    vi: `Trường bị khóa bởi chữ ký này đã bị xóa: ${list(p.fields)}`, en: `fields locked by this signature were removed: ${list(p.fields)}`,
  }),
  PERMISSION_WIDENING_IGNORED: (p: { asked: number; inEffect: number }) => ({
    vi: `Quyền /P ${p.asked} của chữ ký này rộng hơn mức đang có hiệu lực (/P ${p.inEffect}) nên bị bỏ qua`,
    en: `this signature's /P ${p.asked} is wider than the level in effect (/P ${p.inEffect}) and is ignored`,
  }),
  SIGNED_REVISION_UNREADABLE: { vi: 'Không đọc được phiên bản đã ký', en: 'the signed revision cannot be read' },

  // Certificates and revocation
  NO_TRUSTED_CHAIN: { vi: 'Không xây dựng được đường dẫn chứng thực tới chứng thư gốc tin cậy', en: 'no certification path to a trusted root' },
  CERT_OUTSIDE_VALIDITY: (p: { subject: string }) => ({
    vi: `Chứng thư số "${p.subject}" không có hiệu lực tại thời điểm ký`, en: `certificate "${p.subject}" was not valid at the signing time`,
  }),
  NOT_A_CA: (p: { subject: string }) => ({ vi: `"${p.subject}" không phải chứng thư CA`, en: `"${p.subject}" is not a CA certificate` }),
  CA_KEY_USAGE: (p: { subject: string }) => ({ vi: `"${p.subject}" không được phép ký chứng thư`, en: `"${p.subject}" may not sign certificates` }),
  PATH_LEN: (p: { subject: string }) => ({ vi: `Vượt quá giới hạn pathLen của "${p.subject}"`, en: `pathLen of "${p.subject}" exceeded` }),
  LEAF_KEY_USAGE: { vi: 'Chứng thư số của người ký không cho phép ký số', en: 'the signer certificate does not allow signing' },
  CA_REVOKED: (p: { subject: string }) => ({
    vi: `Chứng thư CA "${p.subject}" đã bị thu hồi trước thời điểm ký`, en: `the CA certificate "${p.subject}" was revoked before the signing time`,
  }),
  REVOKED: { vi: 'Chứng thư số của người ký đã bị thu hồi trước thời điểm ký', en: 'the signer certificate was revoked before the signing time' },
  REVOKED_AFTER_POE: {
    vi: 'Chứng thư số bị thu hồi sau thời điểm ký đã được dấu thời gian chứng minh', en: 'the signer certificate was revoked after the signing time proven by the timestamp',
  },
  REVOKED_AFTER: {
    vi: 'Chứng thư số bị thu hồi sau thời điểm ký tự khai, không có dấu thời gian chứng minh',
    en: 'the signer certificate was revoked after the claimed signing time, with no timestamp to prove it',
  },
  REVOCATION_UNKNOWN: { vi: 'Không xác định được tình trạng thu hồi của chứng thư số', en: 'the revocation status of the signer certificate is unknown' },
  REVOCATION_STALE: { vi: 'Thông tin thu hồi của chứng thư người ký không bao trùm thời điểm ký', en: 'the signer\'s revocation data does not cover the signing time' },
  CA_REVOCATION_UNKNOWN: (p: { subject: string }) => ({
    vi: `Không xác định được tình trạng thu hồi của chứng thư CA "${p.subject}"`, en: `the revocation status of the CA certificate "${p.subject}" is unknown`,
  }),
  CA_REVOCATION_STALE: (p: { subject: string }) => ({
    vi: `Thông tin thu hồi của "${p.subject}" không bao trùm thời điểm ký`, en: `the revocation data of "${p.subject}" does not cover the signing time`,
  }),

  // Cryptographic constraints
  ED448_DIGEST: { vi: 'Ed448 phải dùng SHAKE256 (RFC 8419)', en: 'Ed448 signatures must use SHAKE256 (RFC 8419)' },
  CRYPTO_BROKEN: (p: { what: string }) => ({ vi: `Thuật toán hoặc độ dài khóa không còn an toàn (${p.what})`, en: `the algorithm or key size is broken (${p.what})` }),
  CRYPTO_LEGACY: (p: { what: string; cutOver: string }) => ({
    vi: `${p.what} dưới mức tối thiểu hiện hành; chấp nhận vì tài liệu được ký trước ${p.cutOver}`,
    en: `${p.what} is below the current minimum; accepted because the document was signed before ${p.cutOver}`,
  }),
  CRYPTO_TOO_WEAK: (p: { what: string; cutOver: string; minimum: string }) => ({
    vi: `${p.what} dưới mức tối thiểu (${p.minimum}) cho tài liệu ký từ ${p.cutOver}`, en: `${p.what} is below the minimum (${p.minimum}) for documents signed from ${p.cutOver}`,
  }),

  SIGNATURE_VALID: { vi: 'Chữ ký số hợp lệ', en: 'the signature is valid' },
} satisfies Record<string, Entry>;

export type MessageCode = keyof typeof CATALOGUE;
type ParamsOf<C extends MessageCode> = (typeof CATALOGUE)[C] extends (p: infer P) => Text ? [P] : [];

/** The message `code` with its parameters, in both languages. */
export function say<C extends MessageCode>(code: C, ...params: ParamsOf<C>): Message {
  const entry = CATALOGUE[code] as Entry;
  const text = typeof entry === 'function' ? (entry as (p: unknown) => Text)(params[0]) : entry;
  return { code, vi: text.vi, en: text.en };
}
