/**
 * The verdict from tables: facts in, indications out, with no PDF, network or clock. Each row changes one
 * fact of an otherwise clean signature and names the outcome the policy gives.
 */
import { createHash } from 'node:crypto';
import { CertificateInfo } from '../../../src/cms';
import { PdfDict } from '../../../src/pdf';
import type { PathRevocation } from '../../../src/validation/check-revocation';
import type { SignatureEvidence, TimestampEvidence } from '../../../src/validation/evidence';
import { createValidationPolicy } from '../../../src/validation/policy';
import { judgeSignature, permissionsInEffect, timestampProof } from '../../../src/validation/verdict';

const policy = createValidationPolicy({ strictCryptoFrom: new Date('2025-07-01T00:00:00+07:00') });
const certificate = (subject: string, keyType: 'rsa' | 'ec' = 'rsa', keyBits = 2048): CertificateInfo => ({
  subject, issuer: 'CN=Root', serialHex: '01', sha256: createHash('sha256').update(subject).digest('hex'), keyType, keyBits,
  notBefore: new Date('2020-01-01'), notAfter: new Date('2035-01-01'), der: Buffer.from(subject),
} as unknown as CertificateInfo);
const signer = certificate('CN=Người ký');
const root = certificate('CN=Root');
const good: PathRevocation = { signer: { status: 'good', source: 'ocsp' }, authorities: [] };

function evidence(change: (e: SignatureEvidence) => void = () => undefined): SignatureEvidence {
  const e: SignatureEvidence = {
    found: { fieldName: 'Sig1', dict: new PdfDict(), type: 'signature', origin: 'field', byteRange: [0, 10, 20, 10], contents: Buffer.alloc(1) },
    claimedSigningTime: new Date('2026-03-01T08:00:00Z'),
    range: { coverage: 'ENTIRE_FILE', problems: [] },
    cms: {
      parsed: true, intact: true, failure: null, signer, certificates: [signer], digestAlgorithm: '2.16.840.1.101.3.4.2.1', signatureAlgorithm: '1.2.840.113549.1.1.11',
      digestName: 'sha256', signatureHash: 'sha256', signedAttributeTypes: [], unsignedAttributes: [], signatureValue: Buffer.from('value'), signerInfoCount: 1, trailingData: false, crls: [], ocsps: [], messages: [],
    },
    encapsulatedInDetached: false,
    timestampUnreadable: false,
    modifications: { level: 'NONE', details: [], changedFields: [], removedFields: [] },
    signedRevision: 1,
    permissions: {},
    validationTime: { time: '2026-03-01T08:00:00.000Z', source: 'claimed' },
    chain: { path: [signer, root], anchor: root, problems: [] },
    revocation: good,
    notes: [],
  };
  change(e);
  return e;
}
const token = (change: Partial<TimestampEvidence> = {}): TimestampEvidence => ({
  token: Buffer.alloc(1), genTime: new Date('2026-03-01T08:00:05Z'), tsa: 'CN=TSA', tokenIntact: true, imprintMatches: true, tsaCertificate: certificate('CN=TSA'),
  certificates: [], forTimestamping: true, chain: { path: [certificate('CN=TSA'), root], anchor: root, problems: [] }, revocation: good, ...change,
});
const judge = (e: SignatureEvidence, p = policy) => judgeSignature(e, permissionsInEffect([e])[0], p);

describe('the verdict of one signature, from its facts', () => {
  it.each<[string, (e: SignatureEvidence) => void, string, string | null]>([
    ['a clean signature', () => undefined, 'TOTAL_PASSED', null],
    ['an unreadable signature dictionary', (e) => { e.found.unreadable = true; }, 'TOTAL_FAILED', 'FORMAT_FAILURE'],
    ['a byte range that does not end at a revision', (e) => { e.range.coverage = 'PARTIAL'; }, 'TOTAL_FAILED', 'FORMAT_FAILURE'],
    ['content that was changed', (e) => { Object.assign(e.cms as object, { intact: false, failure: 'HASH_FAILURE' }); }, 'TOTAL_FAILED', 'HASH_FAILURE'],
    ['a value that does not verify', (e) => { Object.assign(e.cms as object, { intact: false, failure: 'SIG_CRYPTO_FAILURE' }); }, 'TOTAL_FAILED', 'SIG_CRYPTO_FAILURE'],
    ['changes beyond what is allowed', (e) => { e.modifications = { level: 'OTHER', details: [], changedFields: [], removedFields: [] }; }, 'TOTAL_FAILED', 'FORMAT_FAILURE'],
    ['annotations after an unrestricted signature', (e) => { e.modifications = { level: 'ANNOTATIONS', details: [], changedFields: [], removedFields: [] }; }, 'TOTAL_PASSED', null],
    ['annotations after DocMDP P=2', (e) => { e.permissions.docMdp = 2; e.modifications = { level: 'ANNOTATIONS', details: [], changedFields: [], removedFields: [] }; }, 'TOTAL_FAILED', 'FORMAT_FAILURE'],
    ['a document timestamp after DocMDP P=1', (e) => { e.permissions.docMdp = 1; e.modifications = { level: 'LTA_UPDATES', details: [], changedFields: [], removedFields: [] }; }, 'TOTAL_PASSED', null],
    ['a locked field changed', (e) => { e.permissions.fieldLock = { action: 'Include', fields: ['SoVanBan'] }; e.modifications = { level: 'FORM_FILLING', details: [], changedFields: ['SoVanBan'], removedFields: [] }; }, 'TOTAL_FAILED', 'FORMAT_FAILURE'],
    ['a forged signature time-stamp', (e) => { e.timestamp = token({ imprintMatches: false }); }, 'TOTAL_FAILED', 'HASH_FAILURE'],
    ['a time-stamp whose own signature fails', (e) => { e.timestamp = token({ tokenIntact: false }); }, 'TOTAL_FAILED', 'SIG_CRYPTO_FAILURE'],
    ['SHA-1 signed after the cut-over', (e) => { Object.assign(e.cms as object, { digestName: 'sha1', signatureHash: 'sha1' }); }, 'INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE'],
    ['SHA-1 signed before the cut-over', (e) => { Object.assign(e.cms as object, { digestName: 'sha1', signatureHash: 'sha1' }); e.validationTime = { time: '2024-01-01T00:00:00.000Z', source: 'claimed' }; }, 'TOTAL_PASSED', null],
    ['MD5 at any time', (e) => { Object.assign(e.cms as object, { digestName: 'md5' }); e.validationTime = { time: '2010-01-01T00:00:00.000Z', source: 'claimed' }; }, 'INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE'],
    ['an RSA 1024 key after the cut-over', (e) => { (e.cms as { signer: CertificateInfo }).signer = certificate('CN=Yếu', 'rsa', 1024); }, 'INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE'],
    ['no path to a trust anchor', (e) => { e.chain = { path: [signer], problems: [] }; }, 'INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND'],
    ['a certificate expired at the signing time', (e) => { e.chain = { path: [signer, root], anchor: root, problems: [], expiredAt: new Date('2025-01-01') }; }, 'INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE'],
    ['a signer revoked before signing', (e) => { e.revocation = { signer: { status: 'revoked', source: 'crl', revokedAt: new Date('2026-02-01') }, authorities: [] }; }, 'TOTAL_FAILED', 'REVOKED'],
    ['a signer revoked after a claimed time', (e) => { e.revocation = { signer: { status: 'revoked', source: 'crl', revokedAt: new Date('2026-04-01') }, authorities: [] }; }, 'INDETERMINATE', 'REVOKED_NO_POE'],
    ['a signer revoked after a proven time', (e) => { e.revocation = { signer: { status: 'revoked', source: 'crl', revokedAt: new Date('2026-04-01') }, authorities: [] }; e.validationTime = { time: '2026-03-01T08:00:05.000Z', source: 'timestamp' }; }, 'TOTAL_PASSED', null],
    ['a revoked CA', (e) => { e.revocation = { signer: { status: 'good', source: 'ocsp' }, authorities: [{ certificate: certificate('CN=CA'), result: { status: 'revoked', source: 'crl', revokedAt: new Date('2026-01-01') } }] }; }, 'INDETERMINATE', 'REVOKED_CA_NO_POE'],
    ['an unknown signer status', (e) => { e.revocation = { signer: { status: 'unknown', source: null }, authorities: [] }; }, 'INDETERMINATE', 'TRY_LATER'],
  ])('%s', (_name, change, indication, subIndication) => {
    const report = judge(evidence(change));
    expect([report.indication, report.subIndication]).toEqual([indication, subIndication]);
  });

  it('when the revocation mode is hard, then an unknown CA status is TRY_LATER; soft, a warning', () => {
    const change = (e: SignatureEvidence) => { e.revocation = { signer: { status: 'good', source: 'ocsp' }, authorities: [{ certificate: certificate('CN=CA'), result: { status: 'unknown', source: null } }] }; };
    expect(judge(evidence(change), createValidationPolicy({ revocationMode: 'hard' })).subIndication).toBe('TRY_LATER');
    const soft = judge(evidence(change));
    expect([soft.indication, soft.messages.map((m) => m.code)]).toEqual(['TOTAL_PASSED', ['CA_REVOCATION_UNKNOWN', 'SIGNATURE_VALID']]);
  });

  it('when the policy lists SHA-256 as broken, then the same facts fail: the rules are data', () => {
    const strict = createValidationPolicy();
    strict.crypto.brokenDigests = ['md5', 'sha256'];
    expect(judge(evidence(), strict).subIndication).toBe('CRYPTO_CONSTRAINTS_FAILURE');
  });
});

describe('permissions in effect across signatures', () => {
  it('when a later signature asks for a wider /P, then the narrower one stays and a warning says so', () => {
    const first = evidence((e) => { e.permissions.lock = 2; });
    const second = evidence((e) => { e.permissions.lock = 3; });
    const third = evidence((e) => { e.permissions.docMdp = 1; });
    const inEffect = permissionsInEffect([first, second, third]);
    expect(inEffect.map((p) => [p.level, p.warnings.map((w) => w.code)])).toEqual([[2, []], [2, ['PERMISSION_WIDENING_IGNORED']], [1, []]]);
  });
});

describe('whether a time-stamp proves existence', () => {
  it.each<[string, Partial<TimestampEvidence>, boolean, string | undefined]>([
    ['a sound token from a trusted TSA', {}, true, undefined],
    ['a token for something else', { imprintMatches: false }, false, undefined],
    ['a TSA certificate without time-stamping usage', { forTimestamping: false }, false, 'TSA_NOT_FOR_TIMESTAMPS'],
    ['a TSA with no path to an anchor', { chain: { path: [], problems: [] } }, false, 'TSA_UNTRUSTED'],
    ['a TSA revoked before the token', { revocation: { signer: { status: 'revoked', source: 'crl', revokedAt: new Date('2026-01-01') }, authorities: [] } }, false, 'TSA_REVOKED'],
  ])('%s', (_name, change, usable, problem) => {
    const proof = timestampProof(token(change), policy);
    expect([proof.usable, proof.problem?.code]).toEqual([usable, problem]);
  });
});
