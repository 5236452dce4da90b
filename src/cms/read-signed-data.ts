/**
 * Reads a CMS ContentInfo(SignedData) (RFC 5652 §5) into a view of what a validator needs, every part as
 * the bytes found (never re-encoded): the signed attributes exactly as signed, certificates and CRLs for
 * the caches, unsigned attributes (a timestamp token is read once, by its own reader). DER and the BER
 * that signers write (indefinite lengths, a constructed eContent) are read with the structure reader of
 * der.ts; anything else it cannot place goes through asn1js/PKI.js. Trailing
 * bytes after the ContentInfo (the zero padding of a PDF /Contents) are ignored.
 */
import type * as Asn1js from 'asn1js';
import type * as Pkijs from 'pkijs';
import { asn1js, pkijs } from './asn1-modules';
import { children, content, oidString, readTlv, Tlv, whole } from './der';

export interface RawAttribute {
  type: string;
  /** Each value's DER as found. */
  values: Buffer[];
}

export interface SignerInfoView {
  sid: { issuer: Buffer; serial: Buffer } | { subjectKeyId: Buffer };
  digestAlgorithm: string;
  signatureAlgorithm: string;
  /** DER of the signature algorithm's parameters (RSASSA-PSS-params), if any. */
  signatureParams?: Buffer;
  signature: Buffer;
  /** The signed attributes as the DER SET that was signed (RFC 5652 §5.4), or undefined when absent. */
  signedAttributesDer?: Buffer;
  signedAttributes: RawAttribute[];
  unsignedAttributes: RawAttribute[];
}

export interface SignedDataView {
  eContentType: string;
  eContent?: Buffer;
  certificates: Buffer[];
  crls: Buffer[];
  signerInfos: SignerInfoView[];
}

const SIGNED_DATA = '1.2.840.113549.1.7.2';

function attributesDer(buf: Buffer, set: Tlv): RawAttribute[] | undefined {
  const out: RawAttribute[] = [];
  for (const attr of children(buf, set) ?? []) {
    const [oid, values] = children(buf, attr) ?? [];
    if (!oid || oid.tag !== 0x06 || !values || values.tag !== 0x31) return undefined;
    const items = children(buf, values);
    if (!items) return undefined;
    out.push({ type: oidString(content(buf, oid)), values: items.map((v) => whole(buf, v)) });
  }
  return out;
}

function algorithmDer(buf: Buffer, t: Tlv | undefined): { oid: string; params?: Buffer } | undefined {
  const parts = t && t.tag === 0x30 ? children(buf, t) : undefined;
  if (!parts?.[0] || parts[0].tag !== 0x06) return undefined;
  return { oid: oidString(content(buf, parts[0])), params: parts[1] && parts[1].tag !== 0x05 ? whole(buf, parts[1]) : undefined };
}

function signerInfoDer(buf: Buffer, t: Tlv): SignerInfoView | undefined {
  const parts = children(buf, t);
  if (!parts || parts.length < 5) return undefined;
  const [, sidTlv, digestTlv] = parts;
  let i = 3;
  const signedTlv = parts[i]?.tag === 0xa0 ? parts[i++] : undefined;
  const signatureAlgorithm = algorithmDer(buf, parts[i++]);
  const signatureTlv = parts[i++];
  const unsignedTlv = parts[i]?.tag === 0xa1 ? parts[i] : undefined;
  const digest = algorithmDer(buf, digestTlv);
  if (!digest || !signatureAlgorithm || signatureTlv?.tag !== 0x04) return undefined;
  let sid: SignerInfoView['sid'];
  if (sidTlv.tag === 0x30) {
    const [issuer, serial] = children(buf, sidTlv) ?? [];
    if (!issuer || serial?.tag !== 0x02) return undefined;
    sid = { issuer: whole(buf, issuer), serial: content(buf, serial) };
  } else if (sidTlv.tag === 0x80) sid = { subjectKeyId: content(buf, sidTlv) };
  else return undefined;
  const signedAttributes = signedTlv ? attributesDer(buf, signedTlv) : [];
  const unsignedAttributes = unsignedTlv ? attributesDer(buf, unsignedTlv) : [];
  if (!signedAttributes || !unsignedAttributes) return undefined;
  return {
    sid,
    digestAlgorithm: digest.oid,
    signatureAlgorithm: signatureAlgorithm.oid,
    signatureParams: signatureAlgorithm.params,
    signature: content(buf, signatureTlv),
    // [0] IMPLICIT SET OF Attribute: the signature is over the same content octets tagged as a SET.
    signedAttributesDer: signedTlv ? Buffer.concat([Buffer.from([0x31]), buf.subarray(signedTlv.start + 1, signedTlv.end)]) : undefined,
    signedAttributes,
    unsignedAttributes,
  };
}

function readDer(der: Buffer): SignedDataView | undefined {
  const contentInfo = readTlv(der, 0);
  if (!contentInfo || contentInfo.tag !== 0x30) return undefined;
  const [oid, explicit] = children(der, contentInfo) ?? [];
  if (!oid || oid.tag !== 0x06 || oidString(content(der, oid)) !== SIGNED_DATA || explicit?.tag !== 0xa0) return undefined;
  const [signedData] = children(der, explicit) ?? [];
  const parts = signedData?.tag === 0x30 ? children(der, signedData) : undefined;
  if (!parts || parts.length < 4) return undefined;
  const encap = children(der, parts[2]);
  if (!encap?.[0] || encap[0].tag !== 0x06) return undefined;
  let eContent: Buffer | undefined;
  if (encap[1]) {
    const octets = encap[1].tag === 0xa0 ? children(der, encap[1])?.[0] : undefined;
    if (octets?.tag === 0x04) eContent = content(der, octets);
    else if (octets?.tag === 0x24) {
      // A constructed OCTET STRING (BER): its primitive pieces, in order (deeper nesting goes to asn1js).
      const pieces = children(der, octets);
      if (!pieces || pieces.some((p) => p.tag !== 0x04)) return undefined;
      eContent = Buffer.concat(pieces.map((p) => content(der, p)));
    } else return undefined;
  }
  const certSet = parts.find((p) => p.tag === 0xa0);
  const crlSet = parts.find((p) => p.tag === 0xa1);
  const infos = parts[parts.length - 1];
  if (infos.tag !== 0x31) return undefined;
  const signerInfos: SignerInfoView[] = [];
  for (const t of children(der, infos) ?? []) {
    const view = signerInfoDer(der, t);
    if (!view) return undefined;
    signerInfos.push(view);
  }
  const items = (set: Tlv | undefined): Buffer[] => (set ? (children(der, set) ?? []).filter((c) => c.tag === 0x30).map((c) => whole(der, c)) : []);
  return { eContentType: oidString(content(der, encap[0])), eContent, certificates: items(certSet), crls: items(crlSet), signerInfos };
}

function readBer(der: Buffer): SignedDataView {
  const asn1 = asn1js.fromBER(new Uint8Array(der).buffer);
  if (asn1.offset === -1) throw new Error(asn1.result.error);
  const info = new pkijs.ContentInfo({ schema: asn1.result });
  if (info.contentType !== SIGNED_DATA) throw new Error('not SignedData');
  // Certificates and CRLs as found in the tree (re-encoding could change a non-DER certificate's bytes).
  const items = ((info.content as Asn1js.Sequence).valueBlock?.value ?? []) as Asn1js.BaseBlock[];
  const asFound = (tagNumber: number): Buffer[] => {
    const set = items.find((v) => v.idBlock.tagClass === 3 && v.idBlock.tagNumber === tagNumber) as Asn1js.Constructed | undefined;
    return (set?.valueBlock.value ?? []).filter((c) => c.idBlock.tagClass === 1 && c.idBlock.tagNumber === 16).map((c) => Buffer.from(c.valueBeforeDecodeView));
  };
  const signed = new pkijs.SignedData({ schema: info.content });
  const ber = (v: { toBER(): ArrayBuffer }): Buffer => Buffer.from(v.toBER());
  const attributes = (list?: Pkijs.Attribute[]): RawAttribute[] => (list ?? []).map((a) => ({ type: a.type, values: a.values.map(ber) }));
  const eContent = signed.encapContentInfo.eContent;
  return {
    eContentType: signed.encapContentInfo.eContentType,
    eContent: eContent ? Buffer.from(eContent.valueBlock.valueHexView.byteLength ? eContent.valueBlock.valueHexView : concatOctets(eContent)) : undefined,
    certificates: asFound(0),
    crls: asFound(1),
    signerInfos: signed.signerInfos.map((si) => ({
      sid: si.sid instanceof pkijs.IssuerAndSerialNumber
        ? { issuer: ber(si.sid.issuer.toSchema()), serial: Buffer.from(si.sid.serialNumber.valueBlock.valueHexView) }
        : { subjectKeyId: Buffer.from(((si.sid as Asn1js.OctetString).valueBlock?.valueHexView ?? new Uint8Array()) as Uint8Array) },
      digestAlgorithm: si.digestAlgorithm.algorithmId,
      signatureAlgorithm: si.signatureAlgorithm.algorithmId,
      signatureParams: si.signatureAlgorithm.algorithmParams instanceof asn1js.Sequence ? ber(si.signatureAlgorithm.algorithmParams) : undefined,
      signature: Buffer.from(si.signature.valueBlock.valueHexView),
      signedAttributesDer: si.signedAttrs && si.signedAttrs.attributes.length > 0
        ? Buffer.concat([Buffer.from([0x31]), Buffer.from(si.signedAttrs.encodedValue).subarray(1)])
        : undefined,
      signedAttributes: attributes(si.signedAttrs?.attributes),
      unsignedAttributes: attributes(si.unsignedAttrs?.attributes),
    })),
  };
}

function concatOctets(value: Asn1js.OctetString): Uint8Array {
  // Constructed (BER) OCTET STRING: concatenate the pieces.
  const parts = (value.valueBlock.value ?? []) as Asn1js.OctetString[];
  return Buffer.concat(parts.map((p) => Buffer.from(p.valueBlock.valueHexView)));
}

/** The SignedData view, or an error when the bytes are not a readable ContentInfo(SignedData). */
export function readSignedData(der: Buffer): SignedDataView {
  return readDer(der) ?? readBer(der);
}
