/**
 * Server-side signatures with the agency's key, and two-phase signing sessions (the service prepares, the
 * caller's token signs). Every PDF is read first by the validator pool, so a hostile file is refused there
 * instead of being parsed on the event loop.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Response, Router } from 'express';
import type { AuditLog } from '../audit';
import { AppError } from '../errors';
import type { ExchangeService, SigningSessionService } from '../exchange';
import type { TimestampAuthority } from '../network';
import type { Signer } from '../signers';
import { FileSource, PdfFile } from '../pdf';
import { buildSignerStamp, CompletedSignature, formatVietnamIso, parsePlacement, signAgencyText, signPdf } from '../signing';
import { DocumentValidator, PdfInput, reportError } from '../validation';
import type { Authenticator } from './authenticate';
import type { BodyParsers } from './body-parsers';
import { objectBody, pdfBody, wrap } from './request-context';
import { spooledPdf } from './spool-upload';

export interface SigningRouteDeps {
  auth: Authenticator;
  body: BodyParsers;
  audit: AuditLog;
  sessions: SigningSessionService;
  validator: DocumentValidator;
  /** The key that signs for an agency (its own, else the service default), if any. */
  signerFor: (organId: string) => Signer | undefined;
  sealImageFor?: (organId: string) => Buffer | undefined;
  /** RFC 3161 TSA: server-side signatures become PAdES B-T. */
  tsa?: TimestampAuthority;
  /** Issuing outgoing documents: the number and date places, then the number and the seal. */
  issuing: Pick<ExchangeService, 'issueDocument' | 'prepareIssuing'>;
}

/** Refuses a PDF that cannot be read, or whose structure decompresses past its budget. */
export async function preflight(validator: DocumentValidator, pdf: PdfInput, lane: string): Promise<void> {
  const error = reportError(await validator.validate(pdf, { structureOnly: true, lane }));
  if (error) throw error;
}

export function signingRoutes(deps: SigningRouteDeps): Router {
  const { auth, body, audit } = deps;
  const router = Router();
  // The upload is written to disk as it arrives, read where the signature needs it, and streamed back with
  // the update after it: a large document is never held in memory.
  router.post('/v1/signatures', auth('signer', 'clerk'), body.pdfToDisk, wrap(async (req, res) => {
    const signer = deps.signerFor(req.caller.organId);
    if (!signer) throw new AppError('SIGNER_NOT_CONFIGURED', `no server-side signing key is configured for agency ${req.caller.organId}`);
    const upload = spooledPdf(req);
    await preflight(deps.validator, { path: upload.path }, req.caller.organId);
    const q = req.query as Record<string, string | undefined>;
    const signingTime = new Date();
    const source = FileSource.open(upload.path);
    let signed: CompletedSignature;
    let field: string | null = q.field ?? null;
    let attachmentOf: string | undefined;
    try {
      const pdf = PdfFile.parse(source);
      // attachmentOf=số/ký hiệu: an attachment in a separate file (Decree 30/2020 Appendix I) gets the
      // agency's signature with the main document's number and the signing time at the top right of page 1.
      if (q.attachmentOf !== undefined) {
        if (req.caller.role !== 'clerk') throw new AppError('FORBIDDEN', 'the agency signature on an attachment is the clerk\'s (Decree 30/2020 Art. 32)');
        attachmentOf = q.attachmentOf.trim();
        if (!/^[^\u0000-\u001f\u007f]{1,80}$/.test(attachmentOf)) throw new AppError('INVALID_REQUEST', 'attachmentOf is the main document\'s số/ký hiệu, e.g. 15/UBND-VP');
        field = q.field ?? 'DauCoQuanPhuLuc';
        signed = await signAgencyText(pdf, signer, {
          corner: 'top-right', fieldName: field, reason: `Kèm theo văn bản số ${attachmentOf}`, signingTime, tsa: deps.tsa,
          lines: [`Kèm theo văn bản số ${attachmentOf}`, req.caller.organName, `Thời gian ký: ${formatVietnamIso(signingTime)}`],
        });
      } else {
        // visible=PAGE:X1:Y1:X2:Y2: the agency's seal image where one is configured, else the text stamp.
        const appearance = q.visible
          ? await buildSignerStamp({ certificate: (await signer.certificateChain())[0], placement: parsePlacement(q.visible), signingTime, sealImage: deps.sealImageFor?.(req.caller.organId), agencyName: req.caller.organName })
          : undefined;
        signed = await signPdf(pdf, signer, { reason: q.reason, location: q.location, fieldName: q.field, appearance, signingTime, tsa: deps.tsa });
      }
    } finally {
      source.close();
    }
    await audit.append({ type: 'document.signed', organId: req.caller.organId, keyId: req.caller.keyId, details: attachmentOf === undefined ? { field } : { field, attachmentOf } });
    await sendSigned(res, upload.path, signed);
  }));

  // Before the official signs: empty read-only text fields where the number and the date will be written.
  router.post('/v1/issuing-places', auth('signer', 'clerk'), body.pdf, wrap(async (req, res) => {
    const { pdf } = pdfBody(req);
    await preflight(deps.validator, pdf, req.caller.organId);
    const prepared = await deps.issuing.prepareIssuing(req.caller, pdf, req.query as Record<string, unknown>);
    res.setHeader('Cache-Control', 'no-store');
    res.type('application/pdf').send(prepared);
  }));
  // The clerk issues: the next number of the outgoing register and the date, written by the seal's signature.
  router.post('/v1/issuances', auth('clerk'), body.pdf, wrap(async (req, res) => {
    const { pdf } = pdfBody(req);
    await preflight(deps.validator, pdf, req.caller.organId);
    const issued = await deps.issuing.issueDocument(req.caller, pdf, req.query as Record<string, unknown>);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Kyso-Register-Number', String(issued.number));
    res.setHeader('Kyso-Register-Year', String(issued.year));
    res.setHeader('Kyso-Issued-Date', issued.issuedDate);
    res.setHeader('Kyso-Notation', encodeURIComponent(issued.notation));
    res.type('application/pdf').send(issued.pdf);
  }));

  router.post('/v1/signing-sessions', auth('signer', 'clerk'), body.singleFile, wrap(async (req, res) => {
    const { pdf } = pdfBody(req);
    await preflight(deps.validator, pdf, req.caller.organId);
    const b = objectBody(req) as Record<string, string | undefined>;
    const session = await deps.sessions.open(req.caller, {
      pdf, certificateChainPem: b.certificateChain ?? '', scheme: b.scheme as never, digestAlgorithm: b.digestAlgorithm as never,
      fieldName: b.fieldName, reason: b.reason, location: b.location,
    });
    res.status(201).json(session);
  }));
  router.put('/v1/signing-sessions/:id', auth('signer', 'clerk'), body.json, wrap(async (req, res) => {
    const signed = await deps.sessions.complete(req.caller, String(req.params.id), objectBody(req).signatureValue);
    res.setHeader('Cache-Control', 'no-store');
    res.type('application/pdf').send(signed);
  }));
  return router;
}

/** The signed document: the uploaded file streamed from disk, then the update. */
async function sendSigned(res: Response, original: string, signed: CompletedSignature): Promise<void> {
  res.setHeader('Cache-Control', 'no-store');
  res.type('application/pdf');
  res.setHeader('Content-Length', String(signed.original.length + signed.update.length));
  if (signed.original.length > 0) await pipeline(createReadStream(original, { start: 0, end: signed.original.length - 1 }), res, { end: false });
  res.end(signed.update);
}
