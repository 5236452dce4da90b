import { createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { children, content, oidString, parseCertificate, readCertificates, readSignedData, readTlv, verifyCertificateSignature } from '../../../src/cms';
import { importPublicKey, rsaModulusBits } from '../../../src/cms/public-key';
import { findSignatures, PdfFile } from '../../../src/pdf';
import { CORPUS, PKI } from '../../helpers/fixtures';

/**
 * Kyso reads certificates without OpenSSL's decoder where it can (names, keys, the issuer's signature).
 * OpenSSL, through Node's X509Certificate, is the oracle: over every certificate of the test PKI, the
 * Vietnamese roots and the signatures of the shared corpus, both must give the same names, keys and
 * signature verdicts.
 */
function pdfsUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return pdfsUnder(full);
    return name.toLowerCase().endsWith('.pdf') ? [full] : [];
  });
}

function corpusCertificates(): Buffer[] {
  const found: Buffer[] = [];
  for (const file of pdfsUnder(CORPUS)) {
    try {
      for (const sig of findSignatures(PdfFile.parse(readFileSync(file)))) {
        if (sig.contents) found.push(...readSignedData(sig.contents).certificates);
      }
    } catch {
      // a file the reader refuses holds no certificate for this comparison
    }
  }
  return found;
}

const pemFiles = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.pem') && !n.includes('chain')).map((n) => path.join(dir, n));
const all = [
  ...[...pemFiles(PKI), ...pemFiles(path.join(CORPUS, '..', 'certs', 'vn'))].flatMap((f) => readCertificates(readFileSync(f))),
  ...corpusCertificates(),
];
const unique = [...new Map(all.map((der) => [der.toString('base64'), der])).values()];
const readable = unique.flatMap((der) => {
  try {
    return [{ der, x509: new X509Certificate(der) }];
  } catch {
    return [];
  }
});

describe('reading certificates without OpenSSL\'s decoder', () => {
  it('when the certificates are gathered, then there are enough of every kind to compare', () => {
    expect(readable.length).toBeGreaterThan(100);
    const kinds = new Set(readable.map(({ x509 }) => x509.publicKey.asymmetricKeyType));
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['ec', 'ed448', 'rsa']));
  });

  it('when a certificate is parsed, then its subject and issuer read as OpenSSL prints them', () => {
    const differing = readable.filter(({ der, x509 }) => {
      const info = parseCertificate(der);
      return info.subject !== (x509.subject ?? '').split('\n').reverse().join(', ') || info.issuer !== (x509.issuer ?? '').split('\n').reverse().join(', ');
    });
    expect(differing.map(({ x509 }) => x509.subject)).toEqual([]);
  });

  it('when a certificate is parsed, then its key is the key OpenSSL reads, with the same size', () => {
    for (const { der, x509 } of readable) {
      const info = parseCertificate(der);
      expect(info.publicKey.equals(x509.publicKey)).toBe(true);
      if (info.keyType === 'rsa') expect(info.keyBits).toBe(x509.publicKey.asymmetricKeyDetails?.modulusLength);
    }
  });

  it('when any certificate is checked against any certificate of the same name as its issuer, then the verdict is OpenSSL\'s', () => {
    const infos = readable.map(({ der }) => parseCertificate(der));
    let pairs = 0;
    let verified = 0;
    for (const child of infos) {
      for (const parent of infos) {
        if (child.issuer !== parent.subject) continue;
        pairs += 1;
        const expected = child.x509.verify(parent.publicKey);
        expect(`${child.subject} by ${parent.subject}: ${verifyCertificateSignature(child, parent)}`).toBe(`${child.subject} by ${parent.subject}: ${expected}`);
        if (expected) verified += 1;
      }
    }
    expect(verified).toBeGreaterThan(20);
    expect(pairs).toBeGreaterThan(verified); // same-name impostors are refused too
  });

  it('when the signature value is altered, or the two algorithm fields differ, then the certificate does not verify, as with OpenSSL', () => {
    const child = parseCertificate(readFileSync(path.join(PKI, 'official-rsa.der')));
    const issuer = parseCertificate(readFileSync(path.join(PKI, 'issuing-ca.der')));
    expect(verifyCertificateSignature(child, issuer)).toBe(true);
    const flipped = Buffer.from(child.der);
    flipped[flipped.length - 5] ^= 0x01;
    const altered = parseCertificate(flipped);
    expect(verifyCertificateSignature(altered, issuer)).toBe(false);
    expect(altered.x509.verify(issuer.publicKey)).toBe(false);
    // the outer algorithm says SHA-384 while the signed part says SHA-256: OpenSSL refuses it before any check
    const sha256WithRsa = Buffer.from('06092a864886f70d01010b', 'hex');
    const outer = child.der.lastIndexOf(sha256WithRsa);
    const mismatched = Buffer.from(child.der);
    mismatched[outer + sha256WithRsa.length - 1] = 0x0c;
    const info = parseCertificate(mismatched);
    expect(info.signed).toBeUndefined();
    expect(verifyCertificateSignature(info, issuer)).toBe(false);
    expect(info.x509.verify(issuer.publicKey)).toBe(false);
  });

  it('when a certificate\'s serial number is padded (a non-minimal INTEGER), then it is refused as OpenSSL refuses it', () => {
    const der = readFileSync(path.join(PKI, 'official-rsa.der'));
    const serialAt = der.indexOf(Buffer.from([0xa0, 0x03, 0x02, 0x01, 0x02, 0x02])) + 5;
    const length = der[serialAt + 1];
    const padded = Buffer.concat([der.subarray(0, serialAt), Buffer.from([0x02, length + 1, 0x00]), der.subarray(serialAt + 2)]);
    // lengths of the enclosing SEQUENCEs (two-byte long form) grow by one
    padded.writeUInt16BE(padded.readUInt16BE(2) + 1, 2);
    padded.writeUInt16BE(padded.readUInt16BE(6) + 1, 6);
    expect(padded.subarray(serialAt, serialAt + 5).toString('hex')).toBe('0203001000'); // serial 0x1000, padded
    expect(() => new X509Certificate(padded)).toThrow();
    expect(() => parseCertificate(padded)).toThrow('the certificate cannot be parsed');
  });
});

describe('importPublicKey', () => {
  it('when a key of each kind is read from its SubjectPublicKeyInfo, then it equals the key OpenSSL decodes', () => {
    const kinds: Array<[string, () => Buffer]> = [
      ['rsa 2048', () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' })],
      ['rsa 3 bits short of 3072', () => generateKeyPairSync('rsa', { modulusLength: 3069 }).publicKey.export({ type: 'spki', format: 'der' })],
      ['P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' })],
      ['P-384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'der' })],
      ['P-521', () => generateKeyPairSync('ec', { namedCurve: 'P-521' }).publicKey.export({ type: 'spki', format: 'der' })],
      ['brainpoolP256r1 (read by OpenSSL)', () => generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1' }).publicKey.export({ type: 'spki', format: 'der' })],
      ['Ed25519', () => generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' })],
      ['Ed448', () => generateKeyPairSync('ed448').publicKey.export({ type: 'spki', format: 'der' })],
      ['RSASSA-PSS (read by OpenSSL)', () => generateKeyPairSync('rsa-pss', { modulusLength: 2048, hashAlgorithm: 'sha256', mgf1HashAlgorithm: 'sha256', saltLength: 32 } as { modulusLength: number }).publicKey.export({ type: 'spki', format: 'der' })],
    ];
    for (const [name, make] of kinds) {
      const spki = make();
      const expected = createPublicKey({ key: spki, format: 'der', type: 'spki' });
      const info = spkiAlgorithm(spki);
      const key = importPublicKey(spki, info.oid, info.params);
      expect(`${name}: ${key.equals(expected)} ${key.asymmetricKeyType}`).toBe(`${name}: true ${expected.asymmetricKeyType}`);
      if (expected.asymmetricKeyType === 'rsa') expect(rsaModulusBits(spki)).toBe(expected.asymmetricKeyDetails?.modulusLength);
    }
  });

  it('when an EC point is not on its curve, then the key is refused', () => {
    const spki = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
    spki[spki.length - 1] ^= 0x01;
    const info = spkiAlgorithm(spki);
    expect(() => importPublicKey(spki, info.oid, info.params)).toThrow();
  });
});

/** The algorithm OID and parameters of a SubjectPublicKeyInfo. */
function spkiAlgorithm(spki: Buffer): { oid: string; params?: Buffer } {
  const top = readTlv(spki, 0);
  const algorithm = top && children(spki, top)?.[0];
  const [oid, params] = (algorithm && children(spki, algorithm)) ?? [];
  return { oid: oidString(content(spki, oid)), params: params ? spki.subarray(params.start, params.end) : undefined };
}
