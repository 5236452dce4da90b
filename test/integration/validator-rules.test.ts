/**
 * The general rules of PDF signature validation, each shown by hand-made PDFs on both sides: the change
 * or structure the rule allows, and the one it refuses.
 */
import { createHash, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { OID } from '../../src/cms';
import { createInMemoryFetcher, createInMemoryTimestampAuthority, TimestampAuthority } from '../../src/network';
import { addDss, name, PdfDict, PdfFile, PdfObject, PdfRef, PdfStream, PdfString, UpdatedObject } from '../../src/pdf';
import { addDocumentTimestamp, joinParts, signPdf } from '../../src/signing';
import { createValidationContext, DocumentReport, TrustStore, validatePdf } from '../../src/validation';
import { pkiFile, ROOT } from '../helpers/fixtures';
import { buildObjectStreamPdf } from '../helpers/compression-bomb';
import { addAnnotation, congVan, handSign, officialSigner, replaceBytes, sealSigner, signatureField, update } from '../helpers/hand-made-pdf';

const trust = new TrustStore();
trust.add(pkiFile('root-ca.der'));
// Revocation answers from memory: the test CAs' CRLs at the URLs their certificates name.
const fetcher = createInMemoryFetcher({
  'http://127.0.0.1:39082/issuing-ca.crl': pkiFile('issuing-ca.crl'), 'http://127.0.0.1:39082/root-ca.crl': pkiFile('root-ca.crl'),
});
const context = createValidationContext({ trust, fetcher });
const validate = (pdf: Buffer): Promise<DocumentReport> => validatePdf(pdf, context);
const tsa = createInMemoryTimestampAuthority({
  certificates: [pkiFile('tsa.der'), pkiFile('issuing-ca.der')], key: createPrivateKey(pkiFile('tsa.key')),
});
/** A TSA that answers with a token for something else than what it was asked to stamp. */
const lyingTsa: TimestampAuthority = { name: 'lying TSA', timestamp: (_imprint, digest) => tsa.timestamp(createHash(digest).update('another signature').digest(), digest) };
const codes = (report: DocumentReport, i = 0): string[] => report.signatures[i].messages.map((m) => m.code);
const verdict = (report: DocumentReport, i = 0): [string, string | null] => [report.signatures[i].indication, report.signatures[i].subIndication];

/** Replaces one OID (DER, with tag and length) by another of the same length inside the CMS. */
const oid = (dotted: string): Buffer => {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const body = [40 * a + b];
  for (const n of rest) {
    const bytes = [n & 0x7f];
    for (let v = n >>> 7; v > 0; v >>>= 7) bytes.unshift((v & 0x7f) | 0x80);
    body.push(...bytes);
  }
  return Buffer.from([0x06, body.length, ...body]);
};
const inField = (fieldName: string, extra: Array<[string, never]> = []) => (file: PdfFile, sigRef: PdfRef, allocate: () => PdfRef) => signatureField(file, sigRef, allocate, fieldName, extra);

/** A công văn with two text fields, a choice field and an empty signature field locked by `lock`. */
function form(lock?: Array<[string, unknown]>): Buffer {
  return update(congVan(), (file, allocate) => {
    const pageRef = file.pageRefs()[0];
    const [soVanBan, ghiChu, doMat, sigField] = [allocate(), allocate(), allocate(), allocate()];
    const widget = (entries: Array<[string, unknown]>, y: number) => new PdfDict([
      ...entries, ['Type', name('Annot')], ['Subtype', name('Widget')], ['Rect', [72, y, 300, y + 20]], ['P', pageRef], ['F', 4],
    ] as Array<[string, never]>);
    return [
      { ref: soVanBan, value: widget([['FT', name('Tx')], ['T', PdfString.fromText('SoVanBan')], ['V', PdfString.fromText('125/UBND-VP')]], 100) },
      { ref: ghiChu, value: widget([['FT', name('Tx')], ['T', PdfString.fromText('GhiChu')], ['V', PdfString.fromText('')]], 130) },
      {
        ref: doMat,
        value: widget([['FT', name('Ch')], ['Ff', 131072], ['T', PdfString.fromText('DoMat')], ['Opt', [PdfString.fromText('Thường'), PdfString.fromText('Mật'), PdfString.fromText('Tối mật')]],
          ['V', PdfString.fromText('Thường')], ['I', [0]]], 160),
      },
      {
        ref: sigField,
        value: widget([['FT', name('Sig')], ['T', PdfString.fromText('ChuKyLanhDao')], ...(lock ? [['Lock', new PdfDict([['Type', name('SigFieldLock')], ...lock] as Array<[string, never]>)]] : [])] as Array<[string, unknown]>, 200),
      },
      { ref: file.trailer.get('Root') as PdfRef, value: file.catalog().clone().set('AcroForm', new PdfDict([['Fields', [soVanBan, ghiChu, doMat, sigField]], ['SigFlags', 3]])) },
      { ref: pageRef, value: (file.resolveDict(pageRef) as PdfDict).clone().set('Annots', [soVanBan, ghiChu, doMat, sigField]) },
    ];
  });
}

const fieldRef = (file: PdfFile, fieldName: string): PdfRef =>
  (file.resolve(file.resolveDict(file.catalog().get('AcroForm'))?.get('Fields')) as PdfRef[]).find((f) => (file.resolveDict(f)?.get('T') as PdfString).toText() === fieldName) as PdfRef;
const signForm = async (pdf: Buffer): Promise<Buffer> => joinParts(await signPdf(pdf, officialSigner(), { fieldName: 'ChuKyLanhDao' }));
const appearance = (file: PdfFile, allocate: () => PdfRef, text: string): [PdfRef, { ref: PdfRef; value: PdfStream }] => {
  const ref = allocate();
  return [ref, { ref, value: new PdfStream(new PdfDict([['Type', name('XObject')], ['Subtype', name('Form')], ['BBox', [0, 0, 228, 20]]]), Buffer.from(`BT /Helv 12 Tf 2 6 Td (${text}) Tj ET`)) }];
};

/** A công văn certified (DocMDP, /Perms) at permission level `p` in a field "ChungNhan". */
const certifiedAt = (p: number): Promise<Buffer> => handSign(congVan(), {
  entries: [['Reference', [new PdfDict([['Type', name('SigRef')], ['TransformMethod', name('DocMDP')],
    ['TransformParams', new PdfDict([['Type', name('TransformParams')], ['P', p], ['V', name('1.2')]])]])]]],
  place: (file, sigRef, allocate) => {
    const objects = signatureField(file, sigRef, allocate, 'ChungNhan');
    (objects[1].value as PdfDict).set('Perms', new PdfDict([['DocMDP', sigRef]]));
    return objects;
  },
});

/** A signature field on page 1 (its value `value`, if any), drawn at `rect` with the text "DA DUYET". */
const drawnField = (fieldName: string, rect: number[], value?: PdfRef) => (file: PdfFile, allocate: () => PdfRef): UpdatedObject[] => {
  const pageRef = file.pageRefs()[0];
  const [ap, stream] = appearance(file, allocate, 'DA DUYET');
  const field = allocate();
  const form = file.resolveDict(file.catalog().get('AcroForm'))?.clone() ?? new PdfDict([['SigFlags', 3]]);
  const page = (file.resolveDict(pageRef) as PdfDict).clone();
  return [
    stream,
    {
      ref: field,
      value: new PdfDict([
        ['FT', name('Sig')], ['T', PdfString.fromText(fieldName)], ['Type', name('Annot')], ['Subtype', name('Widget')], ['Rect', rect], ['F', 4], ['P', pageRef],
        ['AP', new PdfDict([['N', ap]])], ...(value ? [['V', value] as [string, PdfRef]] : []),
      ]),
    },
    { ref: file.trailer.get('Root') as PdfRef, value: file.catalog().clone().set('AcroForm', form.set('Fields', [...((file.resolve(form.get('Fields')) as PdfObject[] | undefined) ?? []), field])) },
    { ref: pageRef, value: page.set('Annots', [...((file.resolve(page.get('Annots')) as PdfObject[] | undefined) ?? []), field]) },
  ];
};

describe('the signing-certificate attribute binds the signature to its certificate (RFC 5035)', () => {
  it('when signingCertificateV2 names the signer\'s own certificate, then the signature passes', async () => {
    const report = await validate(await handSign(congVan(), { place: inField('Sig1') }));
    expect([verdict(report), codes(report).filter((c) => c.startsWith('SIGNING_CERT'))]).toEqual([['TOTAL_PASSED', null], []]);
  });

  it('when signingCertificateV2 names another certificate, then the signer is not identified: INDETERMINATE/NO_SIGNING_CERTIFICATE_FOUND', async () => {
    const report = await validate(await handSign(congVan(), { place: inField('Sig1'), namedCertificate: pkiFile('official-rsa.der') }));
    expect(verdict(report)).toEqual(['INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND']);
    expect(codes(report)).toContain('SIGNING_CERT_MISMATCH');
  });
});

describe('rule 1: a signature value is verified with the hash its signatureAlgorithm names', () => {
  const sha512WithRsa = oid('1.2.840.113549.1.1.13');

  it('when the algorithm says SHA-256 but the value was made with the digestAlgorithm SHA-512, then it is TOTAL_FAILED/SIG_CRYPTO_FAILURE', async () => {
    const pdf = await handSign(congVan(), { place: inField('Sig1'), digest: 'sha512', rewriteCms: (cms) => replaceBytes(cms, sha512WithRsa, oid('1.2.840.113549.1.1.11')) });
    const report = await validate(pdf);
    expect(verdict(report)).toEqual(['TOTAL_FAILED', 'SIG_CRYPTO_FAILURE']);
    expect(report.signatures[0].messages.find((m) => m.code === 'ALGORITHM_BINDING')?.en).toBe('the signature algorithm names sha256 but the value only verifies with sha512: the algorithm was substituted');
  });

  it('when the algorithm is the bare rsaEncryption key OID, then the digestAlgorithm is the hash and the signature passes', async () => {
    const pdf = await handSign(congVan(), { place: inField('Sig1'), digest: 'sha512', rewriteCms: (cms) => replaceBytes(cms, sha512WithRsa, oid(OID.rsaEncryption)) });
    const report = await validate(pdf);
    expect(verdict(report)).toEqual(['TOTAL_PASSED', null]);
    expect(report.signatures[0].signatureAlgorithm).toBe(`sha512 (${OID.rsaEncryption})`);
  });

  it('when the algorithm names SHA-512 as it was made, then it passes', async () => {
    expect(verdict(await validate(await handSign(congVan(), { place: inField('Sig1'), digest: 'sha512' })))).toEqual(['TOTAL_PASSED', null]);
  });

  it('when the algorithm is one Kyso does not know, then it is INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE', async () => {
    const pdf = await handSign(congVan(), { place: inField('Sig1'), digest: 'sha512', rewriteCms: (cms) => replaceBytes(cms, sha512WithRsa, oid('1.2.840.113549.1.1.99')) });
    const report = await validate(pdf);
    expect(verdict(report)).toEqual(['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE']);
    expect(codes(report)).toContain('SIG_ALG_UNSUPPORTED');
  });
});

describe('rule 2: a choice field filled after signing', () => {
  it('when /I changes together with /V and the appearance, then it is form filling and the signature passes', async () => {
    const signed = await signForm(form());
    const filled = update(signed, (file, allocate) => {
      const ref = fieldRef(file, 'DoMat');
      const [ap, stream] = appearance(file, allocate, 'Mat');
      return [stream, { ref, value: (file.resolveDict(ref) as PdfDict).clone().set('V', PdfString.fromText('Mật')).set('I', [1]).set('AP', new PdfDict([['N', ap]])) }];
    });
    const report = await validate(filled);
    expect([report.signatures[0].modificationsAfter, report.signatures[0].modificationsAllowed, report.indication]).toEqual(['FORM_FILLING', true, 'TOTAL_PASSED']);
  });

  it('when /I changes without /V, then the selection shown differs from the value: OTHER', async () => {
    const signed = await signForm(form());
    const changed = update(signed, (file) => {
      const ref = fieldRef(file, 'DoMat');
      return [{ ref, value: (file.resolveDict(ref) as PdfDict).clone().set('I', [2]) }];
    });
    const report = await validate(changed);
    expect([report.signatures[0].modificationsAfter, verdict(report)]).toEqual(['OTHER', ['TOTAL_FAILED', 'FORMAT_FAILURE']]);
  });
});

describe('rule 3: usage-rights signatures (/Perms /UR3)', () => {
  const ur3 = (granted: Array<[string, unknown]>) => handSign(congVan(), {
    entries: [['Reference', [new PdfDict([['Type', name('SigRef')], ['TransformMethod', name('UR3')],
      ['TransformParams', new PdfDict([['Type', name('TransformParams')], ['V', name('2.2')], ...granted] as Array<[string, never]>)]])]]],
    place: (file, sigRef) => [{ ref: file.trailer.get('Root') as PdfRef, value: file.catalog().clone().set('Perms', new PdfDict([['UR3', sigRef]])) }],
  });

  it('when the catalog names a UR3 signature, then its cryptography is verified and it is reported as usage-rights, not hidden', async () => {
    const report = await validate(await ur3([['Form', [name('FillIn')]]]));
    expect(report.signatures.map((s) => [s.type, s.field, s.indication, s.intact])).toEqual([['usage-rights', '(/Perms /UR3)', 'TOTAL_PASSED', true]]);
    expect(codes(report)).toEqual(['USAGE_RIGHTS_SIGNATURE', 'SIGNATURE_VALID']);
  });

  it('when a signature dictionary is reached from nothing at all, then it is still a hidden signature', async () => {
    const report = await validate(await handSign(congVan(), { place: () => [] }));
    expect([report.signatures[0].type, verdict(report), codes(report)[0]]).toEqual(['signature', ['TOTAL_FAILED', 'FORMAT_FAILURE'], 'SIGNATURE_NOT_IN_A_FIELD']);
  });

  it('when the hidden dictionary spells /ByteRange with a name escape, then it is found all the same', async () => {
    const plain = await handSign(congVan(), { place: () => [], entries: [['Zz', name('abcd')]] });
    // /Byte#52ange is the name ByteRange (§7.3.5); two bytes shorter elsewhere in the same object keep every offset.
    const text = plain.toString('latin1');
    const at = text.lastIndexOf('/ByteRange');
    const escaped = Buffer.from(text.slice(0, at) + text.slice(at).replace('/ByteRange', '/Byte#52ange').replace('/Zz /abcd', '/Zz /ab'), 'latin1');
    expect(escaped.length).toBe(plain.length);
    const report = await validate(escaped);
    expect(report.signatures.map((s) => [s.type, s.field.startsWith('(no field: object ')])).toEqual([['signature', true]]);
    expect(codes(report)).toContain('SIGNATURE_NOT_IN_A_FIELD');
  });

  it('when a signature dictionary hides in an object stream, then it is found, also with an escaped name, and other objects there are not signatures', async () => {
    const orphan = (key: string) => buildObjectStreamPdf({ streams: 2, decodedEach: 200, orphan: `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /${key} [0 10 20 30] /Contents <3000> >>` });
    for (const key of ['ByteRange', 'Byte#52ange']) {
      const report = await validate(orphan(key));
      expect(report.signatures.map((s) => [s.type, s.field])).toEqual([['signature', '(no field: object 14)']]);
      expect(report.indication).toBe('TOTAL_FAILED');
    }
    const plain = await validate(buildObjectStreamPdf({ streams: 2, decodedEach: 200, orphan: '<< /Type /Annot /Subtype /Text /Contents (ByteRange) >>' }));
    expect([plain.signatures.length, plain.indication]).toEqual([0, 'NO_SIGNATURE']);
  });

  it('when the UR3 transform grants no annotation rights and an annotation is added, then the usage-rights signature does not allow it', async () => {
    const annotated = addAnnotation(await ur3([['Form', [name('FillIn')]]]), 'Text', 'ghi chú');
    const report = await validate(annotated);
    expect([report.signatures[0].modificationsAfter, report.signatures[0].modificationsAllowed]).toEqual(['ANNOTATIONS', false]);
  });
});

describe('rule 4: a signature time-stamp binds to its signature value', () => {
  it('when the token stamps this signature value, then the signature is B-T and the timestamp is proof of existence', async () => {
    const report = await validate(joinParts(await signPdf(congVan(), sealSigner(), { tsa })));
    const sig = report.signatures[0];
    expect([sig.indication, sig.level, sig.timestamp?.intact, sig.timestamp?.trusted, sig.validationTime.source]).toEqual(['TOTAL_PASSED', 'B-T', true, true, 'timestamp']);
  });

  it('when the token was issued for something else, then it is HASH_FAILURE, no proof of existence, B-B, and the message calls it forged', async () => {
    const report = await validate(joinParts(await signPdf(congVan(), sealSigner(), { tsa: lyingTsa })));
    const sig = report.signatures[0];
    expect([sig.indication, sig.subIndication, sig.level, sig.timestamp?.intact, sig.timestamp?.trusted, sig.validationTime.source])
      .toEqual(['TOTAL_FAILED', 'HASH_FAILURE', 'B-B', false, false, 'claimed']);
    expect(sig.messages.find((m) => m.code === 'TST_FORGED')?.en).toContain('forged or transplanted token');
  });

  it('when a document timestamp was issued for other bytes than its byte ranges, then it is TOTAL_FAILED/HASH_FAILURE', async () => {
    const signed = joinParts(await signPdf(congVan(), sealSigner()));
    const report = await validate((await addDocumentTimestamp(signed, lyingTsa)).pdf);
    expect([report.signatures[1].type, ...verdict(report, 1)]).toEqual(['document-timestamp', 'TOTAL_FAILED', 'HASH_FAILURE']);
    expect(codes(report, 1)).toContain('TST_IMPRINT');
  });
});

describe('rule 5: objects reachable only from the DSS are LTA updates', () => {
  const withDss = async (): Promise<Buffer> => {
    const signed = joinParts(await signPdf(congVan(), sealSigner()));
    return Buffer.concat([signed, addDss(PdfFile.parse(signed), { certificates: [pkiFile('issuing-ca.der')], ocsps: [], crls: [pkiFile('issuing-ca.crl')] }).update]);
  };

  it('when a second tool rewrites the Certs array, adds VRI entries and new streams, then the signature stays clean (LTA_UPDATES)', async () => {
    const extendedTwice = update(await withDss(), (file, allocate) => {
      const dssRef = file.catalog().get('DSS') as PdfRef;
      const dss = (file.resolveDict(dssRef) as PdfDict).clone();
      const [cert, certs, vri, entry] = [allocate(), allocate(), allocate(), allocate()];
      return [
        { ref: cert, value: new PdfStream(new PdfDict(), pkiFile('root-ca.der')) },
        { ref: certs, value: [...(file.resolve(dss.get('Certs')) as PdfRef[]), cert] },
        { ref: entry, value: new PdfDict([['Cert', [cert]], ['TU', PdfString.fromText('D:20261130090000Z')]]) },
        { ref: vri, value: new PdfDict([['ABCDEF0123456789ABCDEF0123456789ABCDEF01', entry]]) },
        { ref: dssRef, value: dss.set('Certs', certs).set('VRI', vri) },
      ];
    });
    const report = await validate(extendedTwice);
    expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['LTA_UPDATES', 'TOTAL_PASSED']);
  });

  it('when a stream the page draws is pulled into the DSS and rewritten, then it is OTHER', async () => {
    const attacked = update(await withDss(), (file) => {
      const dssRef = file.catalog().get('DSS') as PdfRef;
      const page = file.resolveDict(file.pageRefs()[0]) as PdfDict;
      const contents = file.resolve(page.get('Contents'));
      const content = (Array.isArray(contents) ? contents[0] : page.get('Contents')) as PdfRef;
      const dss = (file.resolveDict(dssRef) as PdfDict).clone();
      return [
        { ref: content, value: new PdfStream(new PdfDict(), Buffer.from('BT /F1 24 Tf 72 700 Td (Da thay noi dung) Tj ET')) },
        { ref: dssRef, value: dss.set('Certs', [...(file.resolve(dss.get('Certs')) as PdfRef[]), content]) },
      ];
    });
    const report = await validate(attacked);
    expect(report.error).toBeUndefined();
    expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['OTHER', 'TOTAL_FAILED']);
  });
});

describe('rule 6: PDF 2.0 lock permissions (/P in /Lock and FieldMDP)', () => {
  const lockP = (p: number) => form([['Action', name('Include')], ['Fields', [PdfString.fromText('SoVanBan')]], ['P', p]]);

  it('when the lock says P=1, then the signature records it and a later signature is not allowed', async () => {
    const signed = await signForm(lockP(1));
    const params = ((PdfFile.parse(signed).resolveDict(fieldRef(PdfFile.parse(signed), 'ChuKyLanhDao'))?.get('V') as PdfRef));
    const sigDict = PdfFile.parse(signed).resolveDict(params) as PdfDict;
    expect(((sigDict.get('Reference') as PdfDict[])[0].get('TransformParams') as PdfDict).get('P')).toBe(1);
    const report = await validate(joinParts(await signPdf(signed, sealSigner())));
    expect([report.signatures[0].modificationsAfter, report.signatures[0].modificationsAllowed, ...verdict(report)]).toEqual(['FORM_FILLING', false, 'TOTAL_FAILED', 'FORMAT_FAILURE']);
  });

  it('when the lock says P=2, then filling an unlocked field passes and adding an annotation does not', async () => {
    const signed = await signForm(lockP(2));
    const filled = update(signed, (file) => {
      const ref = fieldRef(file, 'GhiChu');
      return [{ ref, value: (file.resolveDict(ref) as PdfDict).clone().set('V', PdfString.fromText('Đã xem')) }];
    });
    expect((await validate(filled)).indication).toBe('TOTAL_PASSED');
    const annotated = addAnnotation(signed, 'Text');
    const report = await validate(annotated);
    expect([report.signatures[0].modificationsAfter, report.signatures[0].modificationsAllowed]).toEqual(['ANNOTATIONS', false]);
  });

  it('when a later signature asks for a wider /P, then it is ignored with a warning and the narrower level still holds', async () => {
    const first = await signForm(lockP(2));
    const second = await handSign(first, {
      entries: [['Reference', [new PdfDict([['Type', name('SigRef')], ['TransformMethod', name('FieldMDP')],
        ['TransformParams', new PdfDict([['Type', name('TransformParams')], ['Action', name('All')], ['P', 3], ['V', name('1.2')]])]])]]],
      place: inField('Sig2'),
    });
    const annotated = addAnnotation(second, 'Square');
    const report = await validate(annotated);
    expect(codes(report, 1)).toContain('PERMISSION_WIDENING_IGNORED');
    expect(report.signatures[1].messages.find((m) => m.code === 'PERMISSION_WIDENING_IGNORED')?.en).toBe('this signature\'s /P 3 is wider than the level in effect (/P 2) and is ignored');
    expect([report.signatures[1].modificationsAfter, report.signatures[1].modificationsAllowed, report.indication]).toEqual(['ANNOTATIONS', false, 'TOTAL_FAILED']);
  });
});

describe('filling a form does not show or hide its fields', () => {
  const withFlags = (pdf: Buffer, fieldName: string, flags: number): Buffer => update(pdf, (file) => {
    const ref = fieldRef(file, fieldName);
    return [{ ref, value: (file.resolveDict(ref) as PdfDict).clone().set('F', flags) }];
  });

  it('when a filled field is hidden (Hidden or NoView) after signing, then what the signer saw is gone: OTHER', async () => {
    const signed = await signForm(form());
    for (const flags of [4 | 2, 4 | 32]) {
      const report = await validate(withFlags(signed, 'SoVanBan', flags));
      expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['OTHER', 'TOTAL_FAILED']);
      expect(report.signatures[0].messages.find((m) => m.code === 'MODIFIED_AFTER_SIGNING')?.en).toMatch(/^changed after signing \(OTHER\): OTHER: form field object \d+ was shown or hidden$/);
    }
  });

  it('when only its Print or Locked flag changes, then it is still form filling', async () => {
    const signed = await signForm(form());
    for (const flags of [0, 4 | 128]) {
      const report = await validate(withFlags(signed, 'SoVanBan', flags));
      expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['FORM_FILLING', 'TOTAL_PASSED']);
    }
  });
});

describe('the form\'s default resources after signing', () => {
  const font = (base: string): PdfDict => new PdfDict([['Type', name('Font')], ['Subtype', name('Type1')], ['BaseFont', name(base)]]);
  /** The form, whose /DR names Helvetica /Helv, signed. */
  const signedWithResources = async (): Promise<Buffer> => signForm(update(form(), (file, allocate) => {
    const helv = allocate();
    const formDict = (file.resolveDict(file.catalog().get('AcroForm')) as PdfDict).clone().set('DR', new PdfDict([['Font', new PdfDict([['Helv', helv]])]]));
    return [{ ref: helv, value: font('Helvetica') }, { ref: file.trailer.get('Root') as PdfRef, value: file.catalog().clone().set('AcroForm', formDict) }];
  }));
  const withFonts = (pdf: Buffer, fonts: (file: PdfFile, added: PdfRef) => Array<[string, PdfRef]>): Buffer => update(pdf, (file, allocate) => {
    const added = allocate();
    const formDict = (file.resolveDict(file.catalog().get('AcroForm')) as PdfDict).clone();
    formDict.set('DR', new PdfDict([['Font', new PdfDict(fonts(file, added))]])).set('NeedAppearances', true);
    return [{ ref: added, value: font('Times-Roman') }, { ref: file.trailer.get('Root') as PdfRef, value: file.catalog().clone().set('AcroForm', formDict) }];
  });
  const helvOf = (file: PdfFile): PdfRef => file.resolveDict(file.resolveDict(file.resolveDict(file.catalog().get('AcroForm'))?.get('DR'))?.get('Font'))?.get('Helv') as PdfRef;

  it('when a font is put under a name the fields were drawn with, then values redrawn would show other glyphs: OTHER', async () => {
    const report = await validate(withFonts(await signedWithResources(), (_file, added) => [['Helv', added]]));
    expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['OTHER', 'TOTAL_FAILED']);
    expect(report.signatures[0].messages.find((m) => m.code === 'MODIFIED_AFTER_SIGNING')?.en).toBe('changed after signing (OTHER): OTHER: a font the form\'s fields are drawn with was replaced; FORM_FILLING: form dictionary updated');
  });

  it('when a font is added under a new name, then it is form filling', async () => {
    const report = await validate(withFonts(await signedWithResources(), (file, added) => [['Helv', helvOf(file)], ['TiRo', added]]));
    expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['FORM_FILLING', 'TOTAL_PASSED']);
  });
});

describe('name trees added to the catalog after an approval signature', () => {
  const withNames = (pdf: Buffer, tree: string, value: (allocate: () => PdfRef) => { ref: PdfRef; value: PdfDict }): Buffer => update(pdf, (file, allocate) => {
    const entry = value(allocate);
    const names = new PdfDict([[tree, new PdfDict([['Names', [PdfString.fromText('muc-1'), entry.ref]]])]]);
    return [entry, { ref: file.trailer.get('Root') as PdfRef, value: file.catalog().clone().set('Names', names) }];
  });

  it('when a document-level script is added (it runs on opening and can change what fields show), then it is OTHER', async () => {
    const signed = joinParts(await signPdf(congVan(), sealSigner()));
    const report = await validate(withNames(signed, 'JavaScript', (allocate) => ({ ref: allocate(), value: new PdfDict([['S', name('JavaScript')], ['JS', PdfString.fromText('this.getField("SoVanBan").value = "999"')]]) })));
    expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['OTHER', 'TOTAL_FAILED']);
    expect(report.signatures[0].messages.find((m) => m.code === 'MODIFIED_AFTER_SIGNING')?.en).toBe('changed after signing (OTHER): OTHER: catalog name tree /JavaScript changed');
  });

  it('when a node of the document\'s script name tree (/Kids and string /Limits, as a number tree\'s) is rewritten, then it is OTHER, not a structure update', async () => {
    const js = (code: string) => new PdfDict([['S', name('JavaScript')], ['JS', PdfString.fromText(code)]]);
    const limits = [PdfString.fromText('a'), PdfString.fromText('z')];
    let middle = new PdfRef(0, 0);
    const signed = joinParts(await signPdf(update(congVan(), (file, allocate) => {
      const [root, leaf, action] = [allocate(), allocate(), allocate()];
      middle = allocate();
      return [
        { ref: action, value: js('app.alert("Xin chao")') },
        { ref: leaf, value: new PdfDict([['Limits', limits], ['Names', [PdfString.fromText('a'), action]]]) },
        { ref: middle, value: new PdfDict([['Kids', [leaf]], ['Limits', limits]]) },
        { ref: root, value: new PdfDict([['Kids', [middle]]]) },
        { ref: file.trailer.get('Root') as PdfRef, value: file.catalog().clone().set('Names', new PdfDict([['JavaScript', root]])) },
      ];
    }), sealSigner()));
    const rewritten = update(signed, (file, allocate) => {
      const [leaf, action] = [allocate(), allocate()];
      return [
        { ref: action, value: js('this.getField("SoVanBan").value = "999"') },
        { ref: leaf, value: new PdfDict([['Limits', limits], ['Names', [PdfString.fromText('a'), action]]]) },
        { ref: middle, value: new PdfDict([['Kids', [leaf]], ['Limits', limits]]) },
      ];
    });
    const report = await validate(rewritten);
    expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['OTHER', 'TOTAL_FAILED']);
  });

  it('when an attachment is added, then it is an annotation-level change, which an approval signature allows', async () => {
    const signed = joinParts(await signPdf(congVan(), sealSigner()));
    const report = await validate(withNames(signed, 'EmbeddedFiles', (allocate) => ({ ref: allocate(), value: new PdfDict([['Type', name('Filespec')], ['F', PdfString.fromText('phu-luc.txt')]]) })));
    expect([report.signatures[0].modificationsAfter, report.signatures[0].modificationsAllowed, report.indication]).toEqual(['ANNOTATIONS', true, 'TOTAL_PASSED']);
  });
});

describe('an indirect array appended to after signing is judged by what refers to it', () => {
  /** congVan with page 1's /Contents (and /Annots, empty) as indirect arrays, signed. */
  const signedWithArrays = async (): Promise<{ pdf: Buffer; contents: PdfRef; annots: PdfRef }> => {
    let contents = new PdfRef(0, 0);
    let annots = new PdfRef(0, 0);
    const base = update(congVan(), (file, allocate) => {
      const pageRef = file.pageRefs()[0];
      const page = (file.resolveDict(pageRef) as PdfDict).clone();
      const own = file.resolve(page.get('Contents'));
      contents = allocate();
      annots = allocate();
      return [
        { ref: contents, value: Array.isArray(own) ? own : [page.get('Contents') as PdfRef] },
        { ref: annots, value: [] },
        { ref: pageRef, value: page.set('Contents', contents).set('Annots', annots) },
      ];
    });
    return { pdf: await handSign(base, { place: inField('Sig1') }), contents, annots };
  };

  it('when a page\'s indirect /Contents array gets another content stream, then new content is drawn: OTHER', async () => {
    const { pdf, contents } = await signedWithArrays();
    const changed = update(pdf, (file, allocate) => {
      const stream = allocate();
      return [
        { ref: stream, value: new PdfStream(new PdfDict(), Buffer.from('BT /F1 30 Tf 100 500 Td (DA SUA) Tj ET')) },
        { ref: contents, value: [...(file.resolve(contents) as PdfObject[]), stream] },
      ];
    });
    const report = await validate(changed);
    expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['OTHER', 'TOTAL_FAILED']);
  });

  it('when a page\'s indirect /Annots array gets a comment, then it is an annotation added, which an approval signature allows', async () => {
    const { pdf, annots } = await signedWithArrays();
    const commented = update(pdf, (file, allocate) => {
      const note = allocate();
      return [
        { ref: note, value: new PdfDict([['Type', name('Annot')], ['Subtype', name('Text')], ['Rect', [10, 10, 30, 30]], ['Contents', PdfString.fromText('Đã xem')]]) },
        { ref: annots, value: [...(file.resolve(annots) as PdfObject[]), note] },
      ];
    });
    const report = await validate(commented);
    expect([report.signatures[0].modificationsAfter, report.signatures[0].modificationsAllowed, report.indication]).toEqual(['ANNOTATIONS', true, 'TOTAL_PASSED']);
  });
});

describe('the document information dictionary is the one the signed revision named', () => {
  /** An update that rewrites page 1 with new content and names the page as the trailer's /Info. */
  const pageAsInfo = (pdf: Buffer): Buffer => {
    const changed = update(pdf, (file, allocate) => {
      const stream = allocate();
      const pageRef = file.pageRefs()[0];
      return [
        { ref: stream, value: new PdfStream(new PdfDict(), Buffer.from('BT /F1 30 Tf 100 500 Td (DA SUA) Tj ET')) },
        { ref: pageRef, value: (file.resolveDict(pageRef) as PdfDict).clone().set('Contents', stream) },
      ];
    });
    const pageNum = PdfFile.parse(pdf).pageRefs()[0].num;
    const at = changed.lastIndexOf('/Info ');
    const end = changed.indexOf('R', at) + 1;
    return Buffer.concat([changed.subarray(0, at), Buffer.from(`/Info ${pageNum} 0 R`), changed.subarray(end)]);
  };

  it('when a later trailer names a page as its /Info and the page is rewritten, then the page change is still OTHER', async () => {
    const signed = joinParts(await signPdf(congVan(), sealSigner()));
    const forged = pageAsInfo(signed);
    expect((PdfFile.parse(forged).trailer.get('Info') as PdfRef).num).toBe(PdfFile.parse(signed).pageRefs()[0].num);
    const report = await validate(forged);
    expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['OTHER', 'TOTAL_FAILED']);
  });

  it('when a later trailer adds /Encrypt (every string and stream, the signed ones too, read through a key), then it is OTHER', async () => {
    const signed = joinParts(await signPdf(congVan(), sealSigner()));
    const encrypted = update(signed, (file, allocate) => [{ ref: allocate(), value: new PdfDict([['Filter', name('Standard')], ['V', 4], ['R', 4], ['Length', 128]]) }]);
    const encryptNum = PdfFile.parse(encrypted).size - 1;
    const at = encrypted.lastIndexOf('/Prev ');
    const report = await validate(Buffer.concat([encrypted.subarray(0, at), Buffer.from(`/Encrypt ${encryptNum} 0 R `), encrypted.subarray(at)]));
    expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['OTHER', 'TOTAL_FAILED']);
    expect(report.signatures[0].messages.find((m) => m.code === 'MODIFIED_AFTER_SIGNING')?.en).toBe('changed after signing (OTHER): OTHER: the document\'s encryption was changed');
  });

  it('when the information dictionary the signed revision named is updated, then it is an LTA update', async () => {
    const signed = joinParts(await signPdf(congVan(), sealSigner()));
    const updated = update(signed, (file) => {
      const info = file.trailer.get('Info') as PdfRef;
      return [{ ref: info, value: (file.resolveDict(info) as PdfDict).clone().set('Title', PdfString.fromText('Công văn số 125')) }];
    });
    const report = await validate(updated);
    expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['LTA_UPDATES', 'TOTAL_PASSED']);
  });
});

describe('a stream typed as metadata', () => {
  /** congVan whose page 1 also draws form XObject /KysoX, a stream that calls itself /Type /Metadata, signed. */
  const signedWithMetadataXObject = async (): Promise<{ pdf: Buffer; xobject: PdfRef }> => {
    let xobject = new PdfRef(0, 0);
    const base = update(congVan(), (file, allocate) => {
      const pageRef = file.pageRefs()[0];
      const page = (file.resolveDict(pageRef) as PdfDict).clone();
      xobject = allocate();
      const draw = allocate();
      const resources = (file.resolveDict(page.get('Resources')) as PdfDict).clone();
      resources.set('XObject', new PdfDict([['KysoX', xobject]]));
      const own = file.resolve(page.get('Contents'));
      return [
        { ref: xobject, value: new PdfStream(new PdfDict([['Type', name('Metadata')], ['Subtype', name('Form')], ['BBox', [0, 0, 200, 50]]]), Buffer.from('BT /F1 12 Tf 0 0 Td (125/UBND) Tj ET')) },
        { ref: draw, value: new PdfStream(new PdfDict(), Buffer.from('q 1 0 0 1 300 700 cm /KysoX Do Q')) },
        { ref: pageRef, value: page.set('Resources', resources).set('Contents', [...(Array.isArray(own) ? own : [page.get('Contents') as PdfRef]), draw]) },
      ];
    });
    return { pdf: joinParts(await signPdf(base, sealSigner())), xobject };
  };

  it('when a page draws it and it is rewritten after signing, then it is content: OTHER', async () => {
    const { pdf, xobject } = await signedWithMetadataXObject();
    const changed = update(pdf, (file) => [{ ref: xobject, value: new PdfStream((file.resolve(xobject) as PdfStream).dict, Buffer.from('BT /F1 12 Tf 0 0 Td (999/UBND) Tj ET')) }]);
    const report = await validate(changed);
    expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['OTHER', 'TOTAL_FAILED']);
  });

  it('when a page\'s content stream claims another /Type (Font, Pages, Page, StructElem, Annot, DSS) and is rewritten, then it is still content: OTHER', async () => {
    for (const type of ['Font', 'Pages', 'Page', 'StructElem', 'Annot', 'DSS']) {
      let content = new PdfRef(0, 0);
      const signed = joinParts(await signPdf(update(congVan(), (file, allocate) => {
        const pageRef = file.pageRefs()[0];
        const page = (file.resolveDict(pageRef) as PdfDict).clone();
        const own = file.resolve(page.get('Contents'));
        content = allocate();
        return [
          { ref: content, value: new PdfStream(new PdfDict([['Type', name(type)], ['Name', name('F9')]]), Buffer.from('BT /F1 12 Tf 300 700 Td (125/UBND) Tj ET')) },
          { ref: pageRef, value: page.set('Contents', [...(Array.isArray(own) ? own : [page.get('Contents') as PdfRef]), content]) },
        ];
      }), sealSigner()));
      const changed = update(signed, (file) => [{ ref: content, value: new PdfStream((file.resolve(content) as PdfStream).dict, Buffer.from('BT /F1 12 Tf 300 700 Td (999/UBND) Tj ET')) }]);
      const report = await validate(changed);
      expect({ type, verdict: [report.signatures[0].modificationsAfter, report.indication] }).toEqual({ type, verdict: ['OTHER', 'TOTAL_FAILED'] });
    }
  });

  it('when a page\'s resources are a dictionary claiming another /Type (Pages, Page, Annot, DSS, StructElem) and they are rewritten, then they are still resources: OTHER', async () => {
    for (const type of ['Pages', 'Page', 'Annot', 'DSS', 'StructElem']) {
      let resources = new PdfRef(0, 0);
      const signed = joinParts(await signPdf(update(congVan(), (file, allocate) => {
        const pageRef = file.pageRefs()[0];
        const page = (file.resolveDict(pageRef) as PdfDict).clone();
        resources = allocate();
        return [
          { ref: resources, value: (file.resolveDict(page.get('Resources')) as PdfDict).clone().set('Type', name(type)) },
          { ref: pageRef, value: page.set('Resources', resources) },
        ];
      }), sealSigner()));
      const changed = update(signed, (file, allocate) => {
        const font = allocate();
        const fonts = (file.resolveDict((file.resolveDict(resources) as PdfDict).get('Font')) as PdfDict).clone();
        const [firstName] = [...fonts.map.keys()];
        return [
          { ref: font, value: new PdfDict([['Type', name('Font')], ['Subtype', name('Type1')], ['BaseFont', name('Symbol')]]) },
          { ref: resources, value: (file.resolveDict(resources) as PdfDict).clone().set('Font', fonts.set(firstName, font)) },
        ];
      });
      const report = await validate(changed);
      expect({ type, verdict: [report.signatures[0].modificationsAfter, report.indication] }).toEqual({ type, verdict: ['OTHER', 'TOTAL_FAILED'] });
    }
  });

  it('when a page\'s resources typed /StructElem are also made a child (/K) of the structure tree, then they are still resources: OTHER', async () => {
    let resources = new PdfRef(0, 0);
    const signed = joinParts(await signPdf(update(congVan(), (file, allocate) => {
      const pageRef = file.pageRefs()[0];
      const page = (file.resolveDict(pageRef) as PdfDict).clone();
      resources = allocate();
      const root = allocate();
      return [
        { ref: resources, value: (file.resolveDict(page.get('Resources')) as PdfDict).clone().set('Type', name('StructElem')) },
        { ref: root, value: new PdfDict([['Type', name('StructTreeRoot')], ['K', [resources]]]) },
        { ref: pageRef, value: page.set('Resources', resources) },
        { ref: file.trailer.get('Root') as PdfRef, value: file.catalog().clone().set('StructTreeRoot', root) },
      ];
    }), sealSigner()));
    const changed = update(signed, (file) => [{ ref: resources, value: (file.resolveDict(resources) as PdfDict).clone().set('ProcSet', [name('PDF'), name('Text')]) }]);
    const report = await validate(changed);
    expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['OTHER', 'TOTAL_FAILED']);
  });

  it('when a structure element is updated, then it is form filling', async () => {
    let element = new PdfRef(0, 0);
    const signed = joinParts(await signPdf(update(congVan(), (file, allocate) => {
      const root = allocate();
      element = allocate();
      return [
        { ref: element, value: new PdfDict([['Type', name('StructElem')], ['S', name('P')], ['P', root]]) },
        { ref: root, value: new PdfDict([['Type', name('StructTreeRoot')], ['K', [element]]]) },
        { ref: file.trailer.get('Root') as PdfRef, value: file.catalog().clone().set('StructTreeRoot', root) },
      ];
    }), sealSigner()));
    const updated = update(signed, (file) => [{ ref: element, value: (file.resolveDict(element) as PdfDict).clone().set('Alt', PdfString.fromText('Đoạn văn')) }]);
    const report = await validate(updated);
    expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['FORM_FILLING', 'TOTAL_PASSED']);
  });

  it('when it is the catalog\'s XMP metadata and it is rewritten, then nothing shown changed', async () => {
    const signed = joinParts(await signPdf(update(congVan(), (file, allocate) => {
      const xmp = allocate();
      return [
        { ref: xmp, value: new PdfStream(new PdfDict([['Type', name('Metadata')], ['Subtype', name('XML')]]), Buffer.from('<x:xmpmeta xmlns:x="adobe:ns:meta/"/>')) },
        { ref: file.trailer.get('Root') as PdfRef, value: file.catalog().clone().set('Metadata', xmp) },
      ];
    }), sealSigner()));
    const rewritten = update(signed, (file) => {
      const xmp = file.catalog().get('Metadata') as PdfRef;
      return [{ ref: xmp, value: new PdfStream((file.resolve(xmp) as PdfStream).dict, Buffer.from('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>')) }];
    });
    const report = await validate(rewritten);
    expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['NONE', 'TOTAL_PASSED']);
  });
});

describe('rule 7: removing form fields is not form filling', () => {
  const remove = (pdf: Buffer, fieldName: string): Buffer => update(pdf, (file) => {
    const formRef = file.catalog().get('AcroForm');
    const form = (file.resolveDict(formRef) as PdfDict).clone();
    const ref = fieldRef(file, fieldName);
    const pageRef = file.pageRefs()[0];
    const page = (file.resolveDict(pageRef) as PdfDict).clone();
    const fields = (file.resolve(form.get('Fields')) as PdfRef[]).filter((f) => f.num !== ref.num);
    const annots = (file.resolve(page.get('Annots')) as PdfRef[]).filter((f) => f.num !== ref.num);
    return [
      { ref: file.trailer.get('Root') as PdfRef, value: file.catalog().clone().set('AcroForm', form.set('Fields', fields)) },
      { ref: pageRef, value: page.set('Annots', annots) },
    ];
  });

  it('when an unlocked field is removed from /Fields and its widget from the page, then it is OTHER', async () => {
    const report = await validate(remove(await signForm(form()), 'GhiChu'));
    expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['OTHER', 'TOTAL_FAILED']);
    expect(report.signatures[0].messages.find((m) => m.code === 'MODIFIED_AFTER_SIGNING')?.en).toContain('GhiChu');
  });

  it('when a field the signature locks is removed, then the signature says the locked field was removed', async () => {
    const signed = await signForm(form([['Action', name('Include')], ['Fields', [PdfString.fromText('SoVanBan')]]]));
    const report = await validate(remove(signed, 'SoVanBan'));
    expect(report.signatures[0].messages.find((m) => m.code === 'LOCKED_FIELD_REMOVED')?.en).toBe('fields locked by this signature were removed: SoVanBan');
  });

  it('when a later revision frees the object of a field the signature locks, then that field was removed', async () => {
    const signed = await signForm(form([['Action', name('Include')], ['Fields', [PdfString.fromText('SoVanBan')]]]));
    const file = PdfFile.parse(signed);
    const freed = fieldRef(file, 'SoVanBan');
    const prev = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(signed.toString('latin1'))?.[1]);
    const section = `xref\n0 1\n0000000000 65535 f \n${freed.num} 1\n0000000000 ${String(freed.gen + 1).padStart(5, '0')} f \n`
      + `trailer\n<< /Size ${file.size} /Root ${(file.trailer.get('Root') as PdfRef).num} 0 R /Prev ${prev} >>\nstartxref\n${signed.length + 1}\n%%EOF\n`;
    const report = await validate(Buffer.concat([signed, Buffer.from(`\n${section}`, 'latin1')]));
    expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['OTHER', 'TOTAL_FAILED']);
    expect(report.signatures[0].messages.find((m) => m.code === 'LOCKED_FIELD_REMOVED')?.en).toBe('fields locked by this signature were removed: SoVanBan');
  });

  it('when the signature\'s own field is removed later, then the signature is still reported, placed where it showed', async () => {
    const signed = await signForm(form());
    const before = await validate(signed);
    const report = await validate(remove(signed, 'ChuKyLanhDao'));
    expect(before.signatures[0].appearance).toMatchObject({ page: 0 });
    expect(report.signatures.map((sig) => [sig.field, sig.appearance])).toEqual([['ChuKyLanhDao', before.signatures[0].appearance]]);
    expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['OTHER', 'TOTAL_FAILED']);
  });

  it('when the field is only filled, then it passes', async () => {
    const filled = update(await signForm(form()), (file) => {
      const ref = fieldRef(file, 'GhiChu');
      return [{ ref, value: (file.resolveDict(ref) as PdfDict).clone().set('V', PdfString.fromText('Đã xem')) }];
    });
    expect((await validate(filled)).indication).toBe('TOTAL_PASSED');
  });
});

describe('rule 8: no signature is dropped', () => {
  const twice = async (): Promise<Buffer> => joinParts(await signPdf(joinParts(await signPdf(congVan(), officialSigner(), { fieldName: 'LanhDao' })), sealSigner(), { fieldName: 'VanThu' }));

  it('when the last signature\'s /Contents is overwritten with digits, then both signatures are reported and that one is TOTAL_FAILED/FORMAT_FAILURE', async () => {
    const pdf = await twice();
    const start = pdf.lastIndexOf('/Contents <') + '/Contents '.length;
    const end = pdf.indexOf('>', start) + 1;
    const damaged = Buffer.from(pdf);
    damaged.write('1'.repeat(end - start), start, 'latin1');
    const report = await validate(damaged);
    expect(report.signatures.map((s) => [s.field, s.indication, s.subIndication])).toEqual([['LanhDao', 'TOTAL_PASSED', null], ['VanThu', 'TOTAL_FAILED', 'FORMAT_FAILURE']]);
    expect(report.indication).toBe('TOTAL_FAILED');
  });

  it('when the signature dictionary itself cannot be parsed, then the field is still reported, as unreadable', async () => {
    const pdf = await twice();
    const at = pdf.lastIndexOf('/ByteRange [');
    const damaged = Buffer.from(pdf);
    damaged.write('/ByteRange (', at, 'latin1');
    const report = await validate(damaged);
    expect(report.signatures.map((s) => [s.field, s.indication, s.subIndication])).toEqual([['LanhDao', 'TOTAL_PASSED', null], ['VanThu', 'TOTAL_FAILED', 'FORMAT_FAILURE']]);
    expect(codes(report, 1)).toContain('SIGNATURE_DICTIONARY_UNREADABLE');
  });

  it('when nothing is damaged, then both signatures pass', async () => {
    expect((await validate(await twice())).signatures.map((s) => s.indication)).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED']);
  });
});

describe('rule 9: coverage is measured against the file\'s real length', () => {
  it('when only end-of-line bytes follow %%EOF, then the signature covers the entire file', async () => {
    const signed = joinParts(await signPdf(congVan(), sealSigner()));
    const report = await validate(Buffer.concat([signed, Buffer.from('\r\n\r\n')]));
    expect([report.signatures[0].coverage, report.indication, report.bytesAfterLastRevision]).toEqual(['ENTIRE_FILE', 'TOTAL_PASSED', 0]);
  });

  it('when any other byte follows, then it is an unsigned change (OTHER) and the document fails', async () => {
    const signed = joinParts(await signPdf(congVan(), sealSigner()));
    const report = await validate(Buffer.concat([signed, Buffer.from('% them\n')]));
    expect([report.signatures[0].coverage, report.signatures[0].modificationsAfter, report.indication, report.bytesAfterLastRevision]).toEqual(['ENTIRE_REVISION', 'OTHER', 'TOTAL_FAILED', 7]);
    expect(report.messages.map((m) => m.code)).toEqual(['BYTES_AFTER_EOF']);
  });

  it('when the byte range includes several end-of-line bytes after %%EOF, then they belong to the revision', async () => {
    const report = await validate(await handSign(congVan(), { place: inField('Sig1'), trailingEol: '\n\r\n\n' }));
    expect([report.signatures[0].coverage, ...verdict(report)]).toEqual(['ENTIRE_FILE', 'TOTAL_PASSED', null]);
  });
});

describe('objects inside an object stream are compared by what they hold, wherever the stream moves', () => {
  /** Object stream `num` written again (at a new offset) holding object `objNum` as `body`. */
  const objectStream = (objNum: number, body: string): PdfStream => {
    const head = `${objNum} 0 `;
    return new PdfStream(new PdfDict([['Type', name('ObjStm')], ['N', 1], ['First', head.length]]), Buffer.from(head + body, 'latin1'));
  };
  // Two pages, each in its own object stream (objects 10 and 11, in streams 12 and 13); the signature's field goes on page 1.
  const signedTwoPages = (): Promise<Buffer> => handSign(buildObjectStreamPdf({ streams: 2, decodedEach: 200 }), { place: inField('Sig1') });

  it('when a later revision writes the stream of the untouched page 2 again with the same page, then nothing changed and the signature passes', async () => {
    const repacked = update(await signedTwoPages(), () => [{ ref: new PdfRef(13, 0), value: objectStream(11, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>') }]);
    const report = await validate(repacked);
    expect([report.signatures[0].modificationsAfter, ...verdict(report)]).toEqual(['NONE', 'TOTAL_PASSED', null]);
  });

  it('when a later revision writes that stream again with page 2 changed, then the change is OTHER and the document fails', async () => {
    const changed = update(await signedTwoPages(), () => [{ ref: new PdfRef(13, 0), value: objectStream(11, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] >>') }]);
    const report = await validate(changed);
    expect([report.signatures[0].modificationsAfter, report.signatures[0].modificationsAllowed, report.indication]).toEqual(['OTHER', false, 'TOTAL_FAILED']);
    expect(report.signatures[0].messages.find((m) => m.code === 'MODIFIED_AFTER_SIGNING')?.en).toBe('changed after signing (OTHER): OTHER: page object 11: /MediaBox changed');
  });
});

describe('a reference that pointed at nothing when signed', () => {
  /**
   * Page 1 draws, besides its own content, an object `gap` after the signed revision's highest number that
   * does not exist when signed (a reader draws nothing for it); with `below`, an object after it is written
   * too, so the signed revision's /Size covers the missing number.
   */
  const withDanglingContent = (below: boolean): { pdf: Buffer; missing: number } => {
    const file = PdfFile.parse(congVan());
    const missing = file.size + 1000;
    const pdf = update(congVan(), (f, allocate) => {
      const pageRef = f.pageRefs()[0];
      const page = (f.resolveDict(pageRef) as PdfDict).clone();
      const contents = f.resolve(page.get('Contents'));
      const own = Array.isArray(contents) ? contents : [page.get('Contents') as PdfRef];
      const extra = below ? [{ ref: new PdfRef(missing + 2, 0), value: new PdfDict([['Type', name('KysoPadding')]]) }] : [];
      allocate();
      return [{ ref: pageRef, value: page.set('Contents', [...own, new PdfRef(missing, 0)]) }, ...extra];
    });
    return { pdf, missing };
  };
  const defineContent = (pdf: Buffer, missing: number): Buffer => update(pdf, () => [
    { ref: new PdfRef(missing, 0), value: new PdfStream(new PdfDict(), Buffer.from('BT /F1 30 Tf 100 500 Td (DA DUYET) Tj ET')) },
  ]);

  for (const below of [true, false]) {
    it(`when a later revision defines the missing object (${below ? 'below' : 'beyond'} the signed /Size), then content appeared without a signed object changing: OTHER`, async () => {
      const { pdf, missing } = withDanglingContent(below);
      const signed = joinParts(await signPdf(pdf, sealSigner()));
      expect(PdfFile.parse(signed).size > missing).toBe(below);
      const report = await validate(defineContent(signed, missing));
      expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['OTHER', 'TOTAL_FAILED']);
      expect(report.signatures[0].messages.find((m) => m.code === 'MODIFIED_AFTER_SIGNING')?.en).toBe(`changed after signing (OTHER): OTHER: object ${missing}, referred to but missing when signed, was defined afterwards`);
    });
  }

  it('when only the signed revision\'s trailer referred to it (a writer\'s private entry), then defining it later changes nothing shown', async () => {
    const missing = PdfFile.parse(congVan()).size + 1000;
    const signed = await handSign(congVan(), { place: inField('Sig1'), trailerText: `/KysoPrivate [${missing} 0 R]` });
    expect(PdfFile.parse(signed).trailer.get('KysoPrivate')).toEqual([new PdfRef(missing, 0)]);
    const report = await validate(defineContent(signed, missing));
    expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['NONE', 'TOTAL_PASSED']);
  });

  it('when a later revision adds an object nothing referred to, then nothing changed', async () => {
    const signed = joinParts(await signPdf(congVan(), sealSigner()));
    const report = await validate(defineContent(signed, PdfFile.parse(signed).size + 3));
    expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['NONE', 'TOTAL_PASSED']);
  });
});

describe('a signature field added after a certification that allows signing (DocMDP P=2)', () => {
  const certifiedP2 = (): Promise<Buffer> => certifiedAt(2);
  it('when an empty signature field drawn on the page is added, then it is not signing (a "sneaky signature"): ANNOTATIONS, not allowed', async () => {
    const report = await validate(update(await certifiedP2(), drawnField('GiaMao', [100, 100, 300, 150])));
    expect([report.signatures[0].modificationsAfter, report.signatures[0].modificationsAllowed, report.indication]).toEqual(['ANNOTATIONS', false, 'TOTAL_FAILED']);
  });

  it('when the field added is signed in the same revision, then it is signing: FORM_FILLING, allowed', async () => {
    const report = await validate(await handSign(await certifiedP2(), { place: (file, sigRef, allocate) => drawnField('Sig2', [100, 100, 300, 150], sigRef)(file, allocate) }));
    expect(report.signatures.map((sig) => [sig.modificationsAfter, sig.modificationsAllowed, sig.indication])).toEqual([['FORM_FILLING', true, 'TOTAL_PASSED'], ['NONE', true, 'TOTAL_PASSED']]);
  });

  it('when a signed field\'s appearance is redrawn afterwards (a new stream, or its stream rewritten), then what was signed is shown otherwise: OTHER', async () => {
    const signed = await handSign(await certifiedP2(), { place: (file, sigRef, allocate) => drawnField('Sig2', [100, 100, 300, 150], sigRef)(file, allocate) });
    const sig2 = (file: PdfFile): PdfRef => fieldRef(file, 'Sig2');
    const newStream = update(signed, (file, allocate) => {
      const [ap, stream] = appearance(file, allocate, 'NGUOI KHAC');
      return [stream, { ref: sig2(file), value: (file.resolveDict(sig2(file)) as PdfDict).clone().set('AP', new PdfDict([['N', ap]])) }];
    });
    const rewritten = update(signed, (file) => {
      const apRef = file.resolveDict(file.resolveDict(sig2(file))?.get('AP'))?.get('N') as PdfRef;
      return [{ ref: apRef, value: new PdfStream((file.resolve(apRef) as PdfStream).dict, Buffer.from('BT /Helv 12 Tf 2 6 Td (NGUOI KHAC) Tj ET')) }];
    });
    for (const pdf of [newStream, rewritten]) {
      const report = await validate(pdf);
      // For the certification, the field was added and signed (signing is allowed); its own signature was redrawn.
      expect(report.signatures.map((sig) => [sig.field, sig.modificationsAfter, sig.modificationsAllowed])).toEqual([['ChungNhan', 'FORM_FILLING', true], ['Sig2', 'OTHER', false]]);
      expect([report.signatures[1].indication, report.indication]).toEqual(['TOTAL_FAILED', 'TOTAL_FAILED']);
    }
  });

  it('when a new widget of a field signed before is added (its /Parent that field), then it shows that signature where it was not made: for that signature an annotation, not allowed at P=2', async () => {
    const signed = await handSign(await certifiedP2(), { place: (file, sigRef, allocate) => drawnField('Sig2', [100, 100, 300, 150], sigRef)(file, allocate) });
    const extraWidget = update(signed, (file, allocate) => {
      const pageRef = file.pageRefs()[0];
      const [ap, stream] = appearance(file, allocate, 'DA DUYET');
      const widget = allocate();
      const page = (file.resolveDict(pageRef) as PdfDict).clone();
      return [
        stream,
        { ref: widget, value: new PdfDict([['Type', name('Annot')], ['Subtype', name('Widget')], ['Parent', fieldRef(file, 'Sig2')], ['Rect', [300, 600, 500, 650]], ['F', 4], ['P', pageRef], ['AP', new PdfDict([['N', ap]])]]) },
        { ref: pageRef, value: page.set('Annots', [...(file.resolve(page.get('Annots')) as PdfObject[]), widget]) },
      ];
    });
    const report = await validate(extraWidget);
    // For the certification every change since is the signing of Sig2; for Sig2, the widget is an annotation
    // added, which the certification's P=2 does not allow.
    expect(report.signatures.map((sig) => [sig.field, sig.modificationsAfter, sig.modificationsAllowed, sig.indication])).toEqual([
      ['ChungNhan', 'FORM_FILLING', true, 'TOTAL_PASSED'], ['Sig2', 'ANNOTATIONS', false, 'TOTAL_FAILED'],
    ]);
    expect(report.indication).toBe('TOTAL_FAILED');
  });

  it('when the signed field\'s widget is also put on another page, then its stamp shows where it was not signed: OTHER', async () => {
    const twoPages = readFileSync(path.join(ROOT, 'samples', 'bao-cao-nhieu-trang.pdf'));
    const signed = await handSign(twoPages, { place: (file, sigRef, allocate) => drawnField('Sig1', [100, 100, 300, 150], sigRef)(file, allocate) });
    const copied = update(signed, (file) => {
      const page2 = file.pageRefs()[1];
      const page = (file.resolveDict(page2) as PdfDict).clone();
      return [{ ref: page2, value: page.set('Annots', [...((file.resolve(page.get('Annots')) as PdfObject[] | undefined) ?? []), fieldRef(file, 'Sig1')]) }];
    });
    const report = await validate(copied);
    expect([report.signatures[0].modificationsAfter, report.indication]).toEqual(['OTHER', 'TOTAL_FAILED']);
    expect(report.signatures[0].messages.find((m) => m.code === 'MODIFIED_AFTER_SIGNING')?.en).toMatch(/^changed after signing \(OTHER\): OTHER: annotation object \d+ placed on page object \d+ as well$/);
  });

  it('when the empty field added has no area on the page, then nothing is drawn: FORM_FILLING, allowed', async () => {
    const report = await validate(update(await certifiedP2(), drawnField('ChoKy', [0, 0, 0, 0])));
    expect([report.signatures[0].modificationsAfter, report.signatures[0].modificationsAllowed, report.indication]).toEqual(['FORM_FILLING', true, 'TOTAL_PASSED']);
  });
});

describe('rule 11: a document timestamp is an LTA update at every DocMDP level', () => {
  const certified = (): Promise<Buffer> => certifiedAt(1);

  it('when a document certified with P=1 gets a document timestamp, then every signature stays valid', async () => {
    const stamped = (await addDocumentTimestamp(await certified(), tsa)).pdf;
    const report = await validate(stamped);
    expect(report.signatures.map((s) => [s.type, s.modificationsAfter, s.indication])).toEqual([['signature', 'LTA_UPDATES', 'TOTAL_PASSED'], ['document-timestamp', 'NONE', 'TOTAL_PASSED']]);
  });

  it('when a document timestamp\'s widget draws on the page, then it is not an LTA update but a signature field shown: not allowed at P=1', async () => {
    const stamped = await handSign(await certified(), {
      entries: [['Type', name('DocTimeStamp')], ['SubFilter', name('ETSI.RFC3161')]],
      place: (file, sigRef, allocate) => drawnField('DauThoiGian', [100, 100, 300, 150], sigRef)(file, allocate),
    });
    const report = await validate(stamped);
    expect([report.signatures[0].modificationsAfter, report.signatures[0].modificationsAllowed, report.signatures[0].indication]).toEqual(['FORM_FILLING', false, 'TOTAL_FAILED']);
  });

  it('when a document certified with P=1 gets another signature, then that is not allowed', async () => {
    await expect(signPdf(await certified(), sealSigner())).rejects.toThrow('the document is certified with no changes permitted');
    const report = await validate(await handSign(await certified(), { place: inField('Sig2') }));
    expect([report.signatures[0].modificationsAfter, report.signatures[0].modificationsAllowed, report.indication]).toEqual(['FORM_FILLING', false, 'TOTAL_FAILED']);
  });
});
