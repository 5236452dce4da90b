/**
 * Builds CAdES signatures for PAdES (ETSI EN 319 122-1 §5.2, EN 319 142-1 §6.3): a detached CMS
 * SignedData whose signed attributes are exactly contentType, messageDigest and signingCertificateV2
 * (RFC 5035). No signingTime: PAdES puts the claimed time in the signature dictionary's /M.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import {
  digestAlgorithmIdentifier,
  DIGEST_OIDS,
  OID,
  SignatureScheme,
  signatureAlgorithmIdentifier,
  SigningDigestAlgorithm,
} from './algorithms';
import { parseCertificate } from './certificate';

export interface SignedAttributesInput {
  /** Digest of the signed byte ranges. */
  contentDigest: Buffer;
  digestAlgorithm: SigningDigestAlgorithm;
  signerCertificate: Buffer;
}

/** ESSCertIDv2 with issuerSerial (RFC 5035 §4); hashAlgorithm omitted when SHA-256 (its DEFAULT). */
function signingCertificateV2(cert: Buffer, digest: SigningDigestAlgorithm): asn1js.Sequence {
  const info = parseCertificate(cert);
  const certHash = createHash(digest).update(cert).digest();
  const issuerSerial = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [
          new asn1js.Constructed({
            idBlock: { tagClass: 3, tagNumber: 4 },
            value: [asn1js.fromBER(info.issuerDer).result],
          }),
        ],
      }),
      asn1js.fromBER(info.serialDer).result,
    ],
  });
  const essCertId = new asn1js.Sequence({
    value: [
      ...(digest === 'sha256' ? [] : [digestAlgorithmIdentifier(digest).toSchema()]),
      new asn1js.OctetString({ valueHex: certHash }),
      issuerSerial,
    ],
  });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertId] })] });
}

function attribute(type: string, value: asn1js.AsnType): pkijs.Attribute {
  return new pkijs.Attribute({ type, values: [value] });
}

/** The signed attributes in DER SET order (X.690 §11.6), and the exact bytes the signer must sign. */
export function buildSignedAttributes(input: SignedAttributesInput): { attributes: pkijs.Attribute[]; der: Buffer } {
  const attributes = [
    attribute(OID.contentType, new asn1js.ObjectIdentifier({ value: OID.data })),
    attribute(OID.messageDigest, new asn1js.OctetString({ valueHex: input.contentDigest })),
    attribute(OID.signingCertificateV2, signingCertificateV2(input.signerCertificate, input.digestAlgorithm)),
  ];
  const encoded = attributes.map((a) => ({ a, der: Buffer.from(a.toSchema().toBER()) }));
  encoded.sort((x, y) => Buffer.compare(x.der, y.der));
  const der = Buffer.from(new asn1js.Set({ value: encoded.map((e) => e.a.toSchema()) }).toBER());
  return { attributes: encoded.map((e) => e.a), der };
}

export interface SignedDataInput {
  signedAttributes: pkijs.Attribute[];
  signatureValue: Buffer;
  digestAlgorithm: SigningDigestAlgorithm;
  scheme: SignatureScheme;
  /** Leaf first; every certificate is embedded (ETSI EN 319 142-1 §6.3 f). */
  certificates: Buffer[];
  unsignedAttributes?: pkijs.Attribute[];
}

export function buildSignedData(input: SignedDataInput): Buffer {
  const leaf = pkijs.Certificate.fromBER(input.certificates[0]);
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: leaf.issuer, serialNumber: leaf.serialNumber }),
    digestAlgorithm: digestAlgorithmIdentifier(input.digestAlgorithm),
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: input.signedAttributes }),
    signatureAlgorithm: signatureAlgorithmIdentifier(input.scheme, input.digestAlgorithm),
    signature: new asn1js.OctetString({ valueHex: input.signatureValue }),
  });
  // PKI.js encodes an unsignedAttrs member whenever the property exists, so set it only when non-empty.
  if (input.unsignedAttributes?.length) {
    signerInfo.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 1, attributes: input.unsignedAttributes });
  }
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [digestAlgorithmIdentifier(input.digestAlgorithm)],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates: input.certificates.map((c) => pkijs.Certificate.fromBER(c)),
    signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return Buffer.from(contentInfo.toSchema().toBER(false));
}

export function digestOid(digest: SigningDigestAlgorithm): string {
  return DIGEST_OIDS[digest];
}
