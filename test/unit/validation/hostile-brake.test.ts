import { AppError } from '../../../src/errors';
import { brakeHostileSenders, DocumentReport, DocumentValidator } from '../../../src/validation';

/** A validator whose verdict is given per document: 'bomb' is refused as over budget, 'oom' throws it. */
const verdicts: DocumentValidator = {
  validate: async (pdf) => {
    const kind = Buffer.isBuffer(pdf) ? pdf.toString() : 'file';
    if (kind === 'oom') throw new AppError('PDF_DECODE_BUDGET_EXCEEDED', 'the document needs more memory to validate than a validation worker has');
    return {
      file: kind, sha256: null, size: 0, revisions: 0, signatures: [], bytesAfterLastRevision: 0, indication: 'NO_SIGNATURE', subIndication: null, messages: [], validatedAt: '',
      ...(kind === 'bomb' ? { error: { code: 'PDF_DECODE_BUDGET_EXCEEDED', vi: '', en: 'over budget' } } : {}),
    } as DocumentReport;
  },
  close: async () => undefined,
};

describe('the brake on senders of compression bombs', () => {
  let clock = 1_000_000;
  const braked = brakeHostileSenders(verdicts, { allowed: 3, windowMs: 60_000, now: () => clock });
  const send = (lane: string, kind: string) => braked.validate(Buffer.from(kind), { lane }).then((r) => r.error?.code ?? r.indication, (e: AppError) => `${e.code} ${String(e.details?.retryAfterSeconds ?? '')}`.trim());

  it('when a lane has three refusals within the window, then its next documents are refused unvalidated until the window passes', async () => {
    expect([await send('X', 'bomb'), await send('X', 'ok'), await send('X', 'oom'), await send('X', 'bomb')])
      .toEqual(['PDF_DECODE_BUDGET_EXCEEDED', 'NO_SIGNATURE', 'PDF_DECODE_BUDGET_EXCEEDED', 'PDF_DECODE_BUDGET_EXCEEDED']);
    clock += 20_000;
    expect(await send('X', 'ok')).toBe('TOO_MANY_REQUESTS 40');
    expect(await send('Y', 'ok')).toBe('NO_SIGNATURE');
    clock += 40_001;
    expect(await send('X', 'ok')).toBe('NO_SIGNATURE');
  });

  it('when refusals are spread wider than the window, then the lane is never braked', async () => {
    for (let i = 0; i < 5; i++) {
      expect(await send('Z', 'bomb')).toBe('PDF_DECODE_BUDGET_EXCEEDED');
      clock += 30_001;
    }
  });

  it('when a request names no lane, then it is never braked', async () => {
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await braked.validate(Buffer.from('bomb')).then((r) => r.error?.code));
    expect(results).toEqual(Array(5).fill('PDF_DECODE_BUDGET_EXCEEDED'));
  });
});
