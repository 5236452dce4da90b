/**
 * Builds CAdES signatures for PAdES (ETSI EN 319 122-1 §5.2, EN 319 142-1 §6.3): a detached CMS
 * SignedData whose signed attributes are exactly contentType, messageDigest and signingCertificateV2
 * (RFC 5035). No signingTime: PAdES puts the claimed time in the signature dictionary's /M.
 */
import { createHash } from 'node:crypto';
import type * as Asn1js from 'asn1js';
import type * as Pkijs from 'pkijs';
import { asn1js, pkijs } from './asn1-modules';
import {
  digestAlgorithmIdentifier,
  OID,
  SignatureScheme,
  signatureAlgorithmIdentifier,
  SigningDigestAlgorithm,
} from './algorithms';
import { parseCertificate } from './certificate';

/**
 * An already DER-encoded element placed inside an asn1js structure byte for byte (asn1js's own RawData
 * ignores the writer of an enclosing constructed value, so it cannot be nested).
 */
class PreEncoded {
  constructor(private readonly bytes: Buffer) {}

  toBER(_sizeOnly?: boolean, writer?: Asn1js.ViewWriter): ArrayBuffer {
    const copy = new Uint8Array(this.bytes).buffer;
    if (writer) {
      writer.write(copy);
      return new ArrayBuffer(0);
    }
    return copy;
  }
}

const raw = (bytes: Buffer): Asn1js.BaseBlock => new PreEncoded(bytes) as unknown as Asn1js.BaseBlock;

export interface SignedAttributesInput {
  /** Digest of the signed byte ranges. */
  contentDigest: Buffer;
  digestAlgorithm: SigningDigestAlgorithm;
  signerCertificate: Buffer;
  /** The content type signed (RFC 5652 §11.1): id-data for PAdES, id-ct-TSTInfo for a time-stamp token. */
  contentType?: string;
}

/** ESSCertIDv2 with issuerSerial (RFC 5035 §4); hashAlgorithm omitted when SHA-256 (its DEFAULT). */
function signingCertificateV2(cert: Buffer, digest: SigningDigestAlgorithm): Asn1js.AsnType {
  const info = parseCertificate(cert);
  const cached = info.memo.get(`scv2:${digest}`);
  if (cached) return raw(cached);
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
  const der = Buffer.from(new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertId] })] }).toBER());
  info.memo.set(`scv2:${digest}`, der);
  return raw(der);
}

function attribute(type: string, value: Asn1js.AsnType): Pkijs.Attribute {
  return new pkijs.Attribute({ type, values: [value] });
}

/** The signed attributes in DER SET order (X.690 §11.6), and the exact bytes the signer must sign. */
export function buildSignedAttributes(input: SignedAttributesInput): Buffer {
  const attributes = [
    attribute(OID.contentType, new asn1js.ObjectIdentifier({ value: input.contentType ?? OID.data })),
    attribute(OID.messageDigest, new asn1js.OctetString({ valueHex: input.contentDigest })),
    attribute(OID.signingCertificateV2, signingCertificateV2(input.signerCertificate, input.digestAlgorithm)),
  ];
  const encoded = attributes.map((a) => Buffer.from(a.toSchema().toBER()));
  encoded.sort(Buffer.compare);
  return Buffer.from(new asn1js.Set({ value: encoded.map(raw) }).toBER());
}

export interface SignedDataInput {
  /** The DER SET of signed attributes exactly as signed (from buildSignedAttributes). */
  signedAttributes: Buffer;
  signatureValue: Buffer;
  digestAlgorithm: SigningDigestAlgorithm;
  scheme: SignatureScheme;
  /** Leaf first; every certificate is embedded (ETSI EN 319 142-1 §6.3 f). */
  certificates: Buffer[];
  unsignedAttributes?: Pkijs.Attribute[];
  /** Encapsulated content (a time-stamp token's TSTInfo); PAdES signatures are detached and have none. */
  encapsulated?: { type: string; content: Buffer };
}

/**
 * SignedData (RFC 5652 §5) assembled with asn1js around pre-encoded parts: certificates, the signer's
 * issuer and serial, and the signed attributes go in byte for byte, so what was signed is what is sent.
 */
export function buildSignedData(input: SignedDataInput): Buffer {
  const leaf = parseCertificate(input.certificates[0]);
  // [0] IMPLICIT SET OF Attribute: same content octets as the signed DER SET, different tag (§5.4).
  const signedAttrs = Buffer.from(input.signedAttributes);
  signedAttrs[0] = 0xa0;
  const signerInfo = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 1 }),
      new asn1js.Sequence({ value: [raw(leaf.issuerDer), raw(leaf.serialDer)] }),
      digestAlgorithmIdentifier(input.digestAlgorithm).toSchema(),
      raw(signedAttrs),
      signatureAlgorithmIdentifier(input.scheme, input.digestAlgorithm).toSchema(),
      new asn1js.OctetString({ valueHex: input.signatureValue }),
      ...(input.unsignedAttributes?.length
        ? [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value: input.unsignedAttributes.map((a) => a.toSchema()) })]
        : []),
    ],
  });
  const signedData = new asn1js.Sequence({
    value: [
      // RFC 5652 §5.1: version 3 when the encapsulated content is not id-data (a TSTInfo).
      new asn1js.Integer({ value: input.encapsulated && input.encapsulated.type !== OID.data ? 3 : 1 }),
      new asn1js.Set({ value: [digestAlgorithmIdentifier(input.digestAlgorithm).toSchema()] }),
      new asn1js.Sequence({
        value: input.encapsulated
          ? [
            new asn1js.ObjectIdentifier({ value: input.encapsulated.type }),
            new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.OctetString({ valueHex: input.encapsulated.content })] }),
          ]
          : [new asn1js.ObjectIdentifier({ value: OID.data })],
      }),
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: input.certificates.map(raw) }),
      new asn1js.Set({ value: [signerInfo] }),
    ],
  });
  const contentInfo = new asn1js.Sequence({
    value: [
      new asn1js.ObjectIdentifier({ value: OID.signedData }),
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [signedData] }),
    ],
  });
  return Buffer.from(contentInfo.toBER(false));
}
