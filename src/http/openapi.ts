/** The OpenAPI 3.1 description served at /openapi.json. */
import { ORGAN_ID_PATTERN } from '../exchange/models';
const problem = { $ref: '#/components/responses/Problem' };
const pdfBody = {
  required: true,
  content: {
    'application/pdf': { schema: { type: 'string', format: 'binary' } },
    'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } },
  },
};
const pdfResponse = { description: 'the signed PDF', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } };
const json = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
const idempotencyKey = { name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string', minLength: 8, maxLength: 128 } };
const exchangeMultipart = (withFrom: boolean) => ({
  required: true,
  content: {
    'multipart/form-data': {
      schema: {
        type: 'object',
        required: ['file', 'metadata'],
        properties: {
          file: { type: 'string', format: 'binary' },
          ...(withFrom ? {} : { attachments: { type: 'array', items: { type: 'string', format: 'binary' }, description: 'up to 20 attachments, each hashed and (PDFs) verified' } }),
          metadata: {
            type: 'string',
            description: `JSON: {${withFrom ? 'from: {organId, organName}' : 'to: [OrganId]'}, codeNumber, codeNotation, issuedDate, subject, documentType?, signerPosition?, signerFullName?, promulgationPlace?, priority (0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc)?, dueDate?, businessKind (0 new, 1 recall, 2 update, 3 replace)?}`,
          },
        },
      },
    },
  },
});
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem, 413: problem, 415: problem, 422: problem, 503: problem };

export const openApiDocument = {
  openapi: '3.1.0',
  info: { title: 'Kyso', version: '0.1.0', description: 'PAdES signing, verification and document exchange between agencies (edXML statuses).' },
  security: [{ apiKey: [] }],
  components: {
    securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'kyso_<keyId>_<secret>' } },
    responses: {
      Problem: {
        description: 'RFC 9457 problem details',
        content: { 'application/problem+json': { schema: { type: 'object', properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, code: { type: 'string' }, detail: { type: 'string' }, requestId: { type: 'string' } } } } },
      },
    },
  },
  paths: {
    '/healthz': { get: { security: [], responses: { 200: json('alive') } } },
    '/readyz': { get: { security: [], responses: { 200: json('database and signer reachable'), 503: json('not ready') } } },
    '/v1/signatures': { post: { summary: 'Sign with the server HSM key (roles signer, clerk)', parameters: ['field', 'reason', 'location'].map((n) => ({ name: n, in: 'query', schema: { type: 'string' } })), requestBody: pdfBody, responses: { 200: pdfResponse, ...errors } } },
    '/v1/signing-sessions': { post: { summary: 'Open a two-phase signing session for a USB token', requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object', required: ['file', 'certificateChain'], properties: { file: { type: 'string', format: 'binary' }, certificateChain: { type: 'string', description: 'PEM, signer first' }, scheme: { enum: ['rsa-pkcs1', 'rsa-pss', 'ecdsa'] }, digestAlgorithm: { enum: ['sha256', 'sha384', 'sha512'] }, fieldName: { type: 'string' }, reason: { type: 'string' }, location: { type: 'string' } } } } } }, responses: { 201: json('sessionId, dataToSign, digestToSign (base64), expiresAt'), ...errors } } },
    '/v1/signing-sessions/{id}': { put: { summary: 'Complete the session with the token signature value', parameters: [id], requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['signatureValue'], properties: { signatureValue: { type: 'string', description: 'base64' } } } } } }, responses: { 200: pdfResponse, 410: problem, ...errors } } },
    '/v1/issuing-places': { post: { summary: 'Add the empty number and date fields before the official signs (roles signer, clerk)', parameters: ['numberAt', 'dateAt', 'numberField', 'dateField'].map((n) => ({ name: n, in: 'query', schema: { type: 'string' } })), requestBody: pdfBody, responses: { 200: pdfResponse, ...errors } } },
    '/v1/issuances': { post: { summary: 'Issue: the next outgoing number and the date written by the agency seal signature (role clerk)', parameters: ['notation', 'place', 'seal', 'numberAt', 'dateAt', 'numberField', 'dateField'].map((n) => ({ name: n, in: 'query', schema: { type: 'string' } })), requestBody: pdfBody, responses: { 200: pdfResponse, ...errors } } },
    '/v1/verifications': { post: { summary: 'Validate a PDF (ETSI EN 319 102-1 report)', requestBody: pdfBody, responses: { 200: json('validation report'), ...errors } } },
    '/v1/exchanges': {
      post: { summary: 'Send a signed document to agencies (role clerk)', parameters: [idempotencyKey], requestBody: exchangeMultipart(false), responses: { 201: json('the exchange'), 200: json('replay of the same Idempotency-Key'), ...errors } },
      get: { summary: 'Inbox or outbox', parameters: [{ name: 'box', in: 'query', schema: { enum: ['inbox', 'outbox'] } }, ...['status', 'from', 'to', 'page', 'pageSize'].map((n) => ({ name: n, in: 'query', schema: { type: 'string' } }))], responses: { 200: json('a page of exchanges'), ...errors } },
    },
    '/v1/exchanges/inbound': { post: { summary: 'Record a document arriving from outside; returned automatically if a signature fails', parameters: [idempotencyKey], requestBody: exchangeMultipart(true), responses: { 201: json('the exchange'), ...errors } } },
    '/v1/exchanges/{id}': { get: { parameters: [id], responses: { 200: json('the exchange with statuses and verification'), ...errors } } },
    '/v1/exchanges/{id}/attachments/{index}': { get: { parameters: [id, { name: 'index', in: 'path', required: true, schema: { type: 'integer', minimum: 0 } }], responses: { 200: { description: 'the attachment' }, ...errors } } },
    '/v1/exchanges/{id}/report': { get: { summary: 'The full validation report stored at receipt', parameters: [id], responses: { 200: json('validation report'), ...errors } } },
    '/v1/exchanges/{id}/verifications': { post: { summary: 'Re-verify the stored document now (or as of ?at=ISO-8601), after checking its SHA-256', parameters: [id, { name: 'at', in: 'query', schema: { type: 'string', format: 'date-time' } }], responses: { 200: json('storedIntact, the verdict at acceptance and a fresh report'), ...errors } } },
    '/v1/exchanges/{id}/evidence': { get: { summary: 'Evidence package: header, recipient histories, the acceptance report with certificates and revocation data, audit events and the audit chain check', parameters: [id], responses: { 200: json('the evidence package'), ...errors } } },
    '/v1/exchanges/{id}/archives': { post: { summary: 'Make a long-term (PAdES B-LTA) copy of the document beside the original, or renew the newest one (needs KYSO_TSA_URL)', parameters: [id], responses: { 201: json('the new copy: sha256, size, level, time, validation data added'), ...errors } } },
    '/v1/exchanges/{id}/archives/latest': { get: { summary: 'The newest long-term copy (PDF)', parameters: [id], responses: { 200: pdfResponse, ...errors } } },
    '/v1/archives/due': { get: { summary: "Exchanges whose newest long-term copy must be renewed within ?within= days (its timestamp's TSA certificate expires)", parameters: [{ name: 'within', in: 'query', schema: { type: 'integer', minimum: 0 } }], responses: { 200: json('the exchanges, soonest first'), ...errors } } },
    '/v1/exchanges/{id}/document': { get: { parameters: [id], responses: { 200: pdfResponse, ...errors } } },
    '/v1/exchanges/{id}/status': { post: { summary: 'Recipient moves its status (edXML codes)', parameters: [id], requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['status'], properties: { status: { enum: ['02', '03', '04', '05', '06', '15', '16'] }, reason: { type: 'string' }, staff: { type: 'object', properties: { name: { type: 'string' }, position: { type: 'string' } } } } } } } }, responses: { 200: json('the exchange'), ...errors } } },
    '/v1/exchanges/{id}/recall': { post: { parameters: [id], requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } } } } }, responses: { 200: json('the exchange'), ...errors } } },
    '/v1/agencies': { get: { responses: { 200: json('agencies'), ...errors } } },
    '/v1/admin/agencies': { post: { requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['organId', 'name'], properties: { organId: { type: 'string', pattern: ORGAN_ID_PATTERN.source }, name: { type: 'string' } } } } } }, responses: { 201: json('the agency'), ...errors } } },
    '/v1/admin/agencies/{organId}/rename': { post: { parameters: [{ name: 'organId', in: 'path', required: true, schema: { type: 'string' } }], requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } } }, responses: { 200: json('the agency with its name history'), ...errors } } },
    '/v1/admin/agencies/{organId}/code': { post: { parameters: [{ name: 'organId', in: 'path', required: true, schema: { type: 'string' } }], requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['organId'], properties: { organId: { type: 'string', pattern: ORGAN_ID_PATTERN.source } } } } } }, responses: { 200: json('the agency under its new code, the old one in its history'), ...errors } } },
    '/v1/admin/agencies/{organId}/api-keys': { get: { parameters: [{ name: 'organId', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: json('the agency\'s keys (ids, roles, dates; never secrets)'), ...errors } }, post: { parameters: [{ name: 'organId', in: 'path', required: true, schema: { type: 'string' } }], requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['role'], properties: { role: { enum: ['signer', 'clerk', 'receiver', 'archivist', 'admin'] } } } } } }, responses: { 201: json('keyId and the API key (shown once)'), ...errors } } },
    '/v1/admin/api-keys/{keyId}': { delete: { parameters: [{ name: 'keyId', in: 'path', required: true, schema: { type: 'string' } }], responses: { 204: { description: 'revoked' }, ...errors } } },
    '/v1/statistics': { get: { responses: { 200: json('on-time figures for documents with a due date'), ...errors } } },
    '/v1/audit': { get: { parameters: [{ name: 'subject', in: 'query', schema: { type: 'string' } }], responses: { 200: json('audit events'), ...errors } } },
    '/v1/audit/verify': { get: { responses: { 200: json('hash-chain check'), ...errors } } },
  },
};
