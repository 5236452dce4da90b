/**
 * The ETSI TS 119 102-2 validation report (XML, namespace http://uri.etsi.org/19102/v1.4.1#) of a
 * Kyso report: one SignatureValidationReport per signature — its identifier, the constraints evaluated,
 * the validation and best signature times, the signature attributes, the signer, the status with main
 * and sub-indication and the data it rests on — and the SignatureValidationObjects (certificates, CRLs,
 * OCSP responses, time-stamp tokens) they refer to. The report must come from a validation with
 * certificates included, so the objects can be given in full.
 */
import { createHash } from 'node:crypto';
import type { DocumentReport, SignatureReport } from './report';

const VR = 'http://uri.etsi.org/19102/v1.4.1#';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const XADES = 'http://uri.etsi.org/01903/v1.3.2#';

const MAIN: Record<string, string> = {
  TOTAL_PASSED: 'urn:etsi:019102:mainindication:total-passed',
  TOTAL_FAILED: 'urn:etsi:019102:mainindication:total-failed',
  INDETERMINATE: 'urn:etsi:019102:mainindication:indeterminate',
  PASSED: 'urn:etsi:019102:mainindication:passed',
  FAILED: 'urn:etsi:019102:mainindication:failed',
};
const OBJECT_TYPE = {
  certificate: 'urn:etsi:019102:validationObject:certificate',
  crl: 'urn:etsi:019102:validationObject:CRL',
  ocsp: 'urn:etsi:019102:validationObject:OCSPResponse',
  timestamp: 'urn:etsi:019102:validationObject:timestamp',
} as const;

type Node = string;

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
    // XML 1.0 has no place for most control characters; they cannot come from a signature's own text.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

function el(name: string, attributes: Record<string, string | undefined>, ...children: Array<Node | undefined | null | false>): Node {
  const attrs = Object.entries(attributes).filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}="${escape(v as string)}"`).join('');
  const body = children.filter((c): c is Node => typeof c === 'string' && c !== '');
  return body.length === 0 ? `<${name}${attrs}/>` : `<${name}${attrs}>${body.join('')}</${name}>`;
}
const text = (name: string, value: string, attributes: Record<string, string | undefined> = {}): Node => `${el(name, attributes).slice(0, -2)}>${escape(value)}</${name}>`;
const ref = (name: string, id: string): Node => el(name, { VOReference: id });

interface ValidationObject {
  id: string;
  type: string;
  base64: string;
}

/** Collects each object once, identified by the SHA-256 of its bytes. */
class ObjectList {
  readonly objects = new Map<string, ValidationObject>();

  add(kind: keyof typeof OBJECT_TYPE, base64: string): string {
    const id = `${kind === 'certificate' ? 'C' : kind === 'timestamp' ? 'T' : 'R'}-${createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex').toUpperCase()}`;
    if (!this.objects.has(id)) this.objects.set(id, { id, type: OBJECT_TYPE[kind], base64 });
    return id;
  }
}

const subIndicationUri = (sub: string): string => `urn:etsi:019102:subindication:${sub}`;

/** What Kyso checked for a signature, each as an individual constraint with its outcome. */
function constraints(sig: SignatureReport): Array<[string, boolean | undefined]> {
  const failedWith = (...subs: string[]): boolean => !(sig.subIndication && subs.includes(sig.subIndication));
  const chainChecked = sig.certificatePath.length > 0;
  return [
    ['urn:kyso:constraint:byte-range-covers-revision', sig.coverage === 'ENTIRE_FILE' || sig.coverage === 'ENTIRE_REVISION'],
    ['urn:kyso:constraint:signature-intact', sig.intact],
    ['urn:kyso:constraint:modifications-allowed', sig.modificationsAllowed],
    ['urn:kyso:constraint:timestamp-bound-to-signature', sig.timestamp ? sig.timestamp.intact : undefined],
    ['urn:kyso:constraint:cryptographic-constraints', failedWith('CRYPTO_CONSTRAINTS_FAILURE', 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE')],
    ['urn:kyso:constraint:certificate-chain-to-trust-anchor', chainChecked ? !!sig.trustAnchor : undefined],
    ['urn:kyso:constraint:revocation-status', sig.revocation.status === 'not-checked' ? undefined : sig.revocation.status === 'good'],
  ];
}

function signatureReport(sig: SignatureReport, index: number, objects: ObjectList, validatedAt: string): Node {
  const certIds = sig.certificatePath.map((c) => (c.der ? objects.add('certificate', c.der) : undefined));
  const tokenId = sig.timestamp?.token ? objects.add('timestamp', sig.timestamp.token) : undefined;
  const evidence = [sig.revocation.evidence, ...(sig.revocation.authorities ?? []).map((a) => a.evidence)]
    .flatMap((e) => (e ? [objects.add(e.kind, e.base64)] : []));
  const signerId = certIds[0];
  const anchorId = sig.trustAnchor && certIds.length > 1 ? certIds[certIds.length - 1] : undefined;

  const identifier = el('vr:SignatureIdentifier', { id: `S-${index + 1}-${sig.signatureValue ? createHash('sha256').update(Buffer.from(sig.signatureValue, 'base64')).digest('hex').slice(0, 16).toUpperCase() : 'UNREADABLE'}` },
    sig.signatureValue && text('ds:SignatureValue', sig.signatureValue),
    text('vr:HashOnly', 'false'),
    text('vr:DocHashOnly', 'false'),
    text('vr:DAIdentifier', sig.field));

  const evaluated = el('vr:ValidationConstraintsEvaluationReport', {},
    ...constraints(sig).map(([id, passed]) => el('vr:ValidationConstraint', {},
      text('vr:ValidationConstraintIdentifier', id),
      el('vr:ConstraintStatus', {}, text('vr:Status', passed === undefined ? 'urn:etsi:019102:constraintStatus:disabled' : 'urn:etsi:019102:constraintStatus:applied')),
      passed !== undefined && el('vr:ValidationStatus', {}, text('vr:MainIndication', passed ? MAIN.PASSED : MAIN.FAILED)))));

  const timeInfo = el('vr:ValidationTimeInfo', {},
    text('vr:ValidationTime', validatedAt),
    el('vr:BestSignatureTime', {},
      text('vr:POETime', sig.validationTime.time),
      text('vr:TypeOfProof', sig.validationTime.source === 'timestamp' ? 'urn:etsi:019102:poetype:validation' : 'urn:etsi:019102:poetype:provided'),
      sig.validationTime.source === 'timestamp' && tokenId ? ref('vr:POEObject', tokenId) : undefined));

  const attributes = el('vr:SignatureAttributes', {},
    sig.claimedSigningTime && el('vr:SigningTime', { Signed: 'true' }, text('vr:Time', sig.claimedSigningTime)),
    sig.timestamp && sig.type !== 'document-timestamp' && el('vr:SignatureTimeStamp', { Signed: 'false' },
      tokenId ? ref('vr:AttributeObject', tokenId) : undefined, text('vr:TimeStampValue', sig.timestamp.genTime)),
    sig.timestamp && sig.type === 'document-timestamp' && el('vr:DocTimeStamp', { Signed: 'false' },
      tokenId ? ref('vr:AttributeObject', tokenId) : undefined, text('vr:TimeStampValue', sig.timestamp.genTime)),
    sig.subFilter && el('vr:SubFilter', { Signed: 'true' }, text('vr:SubFilterElement', sig.subFilter)),
    sig.byteRange && sig.byteRange.length === 4 && sig.byteRange.every((n) => Number.isInteger(n)) && text('vr:ByteRange', sig.byteRange.join(' ')));

  const signer = signerId && el('vr:SignerInformation', {}, ref('vr:SignerCertificate', signerId), sig.signer && text('vr:Signer', sig.signer.subject));

  const chain = signerId && el('vr:CertificateChain', {},
    ref('vr:SigningCertificate', signerId),
    ...certIds.slice(1, anchorId ? -1 : undefined).flatMap((id) => (id ? [ref('vr:IntermediateCertificate', id)] : [])),
    anchorId && ref('vr:TrustAnchor', anchorId));
  const revoked = sig.revocation.status === 'revoked' && signerId && sig.revocation.revokedAt
    ? el('vr:RevocationStatusInformation', {},
      ref('vr:ValidationObjectId', signerId), text('vr:RevocationTime', sig.revocation.revokedAt),
      sig.revocation.evidence ? ref('vr:RevocationObject', objects.add(sig.revocation.evidence.kind, sig.revocation.evidence.base64)) : undefined)
    : undefined;
  const related = [...evidence, ...(tokenId ? [tokenId] : [])];
  const associated = (chain || revoked || related.length > 0) && el('vr:AssociatedValidationReportData', {},
    anchorId && ref('vr:TrustAnchor', anchorId),
    chain || undefined,
    ...related.map((id) => ref('vr:RelatedValidationObject', id)),
    revoked);

  const status = el('vr:SignatureValidationStatus', {},
    text('vr:MainIndication', MAIN[sig.indication]),
    sig.subIndication && text('vr:SubIndication', subIndicationUri(sig.subIndication)),
    associated || undefined);

  return el('vr:SignatureValidationReport', {},
    identifier,
    evaluated,
    timeInfo,
    attributes,
    signer || undefined,
    el('vr:SignatureValidationProcess', {}, text('vr:SignatureValidationProcessID',
      sig.level === 'B-LTA' ? 'urn:etsi:019102:validationprocess:LTA' : sig.level === 'B-T' || sig.level === 'B-LT' ? 'urn:etsi:019102:validationprocess:LTVM' : 'urn:etsi:019102:validationprocess:Basic')),
    status);
}

export function writeEtsiReport(report: DocumentReport): string {
  const objects = new ObjectList();
  const reports = report.signatures.map((sig, i) => signatureReport(sig, i, objects, report.validatedAt));
  if (reports.length === 0) {
    // No signature to report on: one report whose status says so (as EU DSS writes it).
    reports.push(el('vr:SignatureValidationReport', {}, el('vr:SignatureValidationStatus', {}, text('vr:MainIndication', 'urn:cef:dss:mainindication:noSignatureFound'))));
  }
  const list = [...objects.objects.values()];
  const body = el('vr:ValidationReport', { 'xmlns:vr': VR, 'xmlns:ds': DS, 'xmlns:XAdES': XADES },
    ...reports,
    list.length > 0 && el('vr:SignatureValidationObjects', {}, ...list.map((o) => el('vr:ValidationObject', { id: o.id },
      text('vr:ObjectType', o.type),
      el('vr:ValidationObjectRepresentation', {}, text('vr:base64', o.base64)))))) as string;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}\n`;
}

