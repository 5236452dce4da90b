/**
 * Certification path building and checking (RFC 5280 §6, simplified): issuers are found by name and
 * signature among the signature's certificates, the document's DSS, and the trust store; the path ends
 * at a trust anchor matched by subject and key. Validity is checked at the best known signing time.
 */
import { CertificateInfo, sameName, verifyCertificateSignature } from '../cms';
import { say } from './messages';
import type { Message } from './report';
import { TrustStore } from './trust-store';

export interface ChainResult {
  path: CertificateInfo[];
  anchor?: CertificateInfo;
  problems: Message[];
  expiredAt?: Date;
}

function issuedBy(child: CertificateInfo, parent: CertificateInfo): boolean {
  if (!sameName(child.issuerDer, parent.subjectDer)) return false;
  // Content-addressed memo: the same link is checked again for every document signed by this chain.
  const memoKey = `issued-by:${parent.sha256}`;
  const known = child.memo.get(memoKey);
  if (known) return known[0] === 1;
  const ok = verifyCertificateSignature(child, parent);
  child.memo.set(memoKey, Buffer.from([ok ? 1 : 0]));
  return ok;
}

export function buildChain(leaf: CertificateInfo, pool: CertificateInfo[], trust: TrustStore, at: Date): ChainResult {
  const path: CertificateInfo[] = [leaf];
  const problems: Message[] = [];
  const candidates = [...pool, ...trust.certificates];
  let anchor: CertificateInfo | undefined;
  for (let depth = 0; depth < 12; depth++) {
    const current = path[path.length - 1];
    anchor = trust.match(current);
    if (anchor) break;
    const issuer = candidates.find((c) => c.sha256 !== current.sha256 && !path.some((p) => p.sha256 === c.sha256) && issuedBy(current, c));
    if (!issuer) break;
    path.push(issuer);
  }
  if (!anchor) {
    problems.push(say('NO_TRUSTED_CHAIN'));
    return { path, problems };
  }
  let expiredAt: Date | undefined;
  path.forEach((cert, i) => {
    if (at < cert.notBefore || at > cert.notAfter) {
      problems.push(say('CERT_OUTSIDE_VALIDITY', { subject: cert.subject }));
      expiredAt = cert.notAfter;
    }
    if (i > 0 && !trust.match(cert)) {
      if (!cert.isCa) problems.push(say('NOT_A_CA', { subject: cert.subject }));
      if (cert.keyUsage && !cert.keyUsage.includes('keyCertSign')) {
        problems.push(say('CA_KEY_USAGE', { subject: cert.subject }));
      }
      if (cert.pathLen !== undefined && i - 1 > cert.pathLen) {
        problems.push(say('PATH_LEN', { subject: cert.subject }));
      }
    }
  });
  if (leaf.keyUsage && !leaf.keyUsage.includes('digitalSignature') && !leaf.keyUsage.includes('nonRepudiation')) {
    problems.push(say('LEAF_KEY_USAGE'));
  }
  return { path, anchor, problems, expiredAt };
}
