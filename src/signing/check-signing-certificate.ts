/**
 * Refuses to sign with a certificate that cannot make a valid signature (Circular 15/2025: check the
 * certificate before signing): outside its validity period, or without digitalSignature/nonRepudiation
 * in keyUsage (RFC 5280 §4.2.1.3), or with a key below the national minimum (RSA 2048, EC 256).
 */
import { CertificateInfo } from '../cms';
import { AppError } from '../errors';

export function checkSigningCertificate(cert: CertificateInfo, at: Date): void {
  if (at < cert.notBefore) {
    throw new AppError('CERT_NOT_YET_VALID', `the signing certificate is valid only from ${cert.notBefore.toISOString()}`, {
      details: { subject: cert.subject },
    });
  }
  if (at > cert.notAfter) {
    throw new AppError('CERT_EXPIRED', `the signing certificate expired on ${cert.notAfter.toISOString()}`, {
      details: { subject: cert.subject },
    });
  }
  if (cert.keyUsage && !cert.keyUsage.includes('digitalSignature') && !cert.keyUsage.includes('nonRepudiation')) {
    throw new AppError('CERT_KEY_USAGE', 'the certificate does not allow digital signatures (keyUsage)', {
      details: { subject: cert.subject, keyUsage: cert.keyUsage },
    });
  }
  const minimum = cert.keyType === 'rsa' ? 2048 : cert.keyType === 'ec' ? 256 : 0;
  if (cert.keyBits < minimum) {
    throw new AppError('CERT_UNSUPPORTED_KEY', `the key is too small (${cert.keyType} ${cert.keyBits} bits)`);
  }
}
