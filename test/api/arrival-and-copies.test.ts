/**
 * The clerical signatures besides the seal (Decree 30/2020): the arrival mark (ĐẾN with số đến) and copies
 * (SAO Y, SAO LỤC, TRÍCH SAO) signed by the agency, numbered from its registers without gaps or duplicates.
 * The stamped files are checked as a reader sees them: pdftotext through the ToUnicode map, a rendering by
 * pdftoppm (saved for review), and pdfsig and pyHanko accepting every signature.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { Service } from '../../src/compose';
import { Pkcs12Signer } from '../../src/signers';
import { OUTPUT, p12Passphrase, PKI, pkiFile, sample } from '../helpers/fixtures';
import { pdfsig, pyhankoValidate } from '../helpers/peers';
import { bearer, binaryBody, openTestService, sealedSample, seedAgencies } from '../helpers/service';

const dir = path.join(OUTPUT, `arrival-copies-${process.pid}`);
mkdirSync(dir, { recursive: true });
const textOf = (file: string) => execFileSync('pdftotext', ['-layout', '-f', '1', '-l', '1', file, '-'], { encoding: 'utf8' });
const pageCount = (file: string) => Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1]);

describe('arrival marks and copies', () => {
  let service: Service;
  let keys: Record<string, Record<string, string>>;
  let signed: Buffer;
  const seal = () => Pkcs12Signer.open({ data: pkiFile('seal-rsa.p12'), passphrase: p12Passphrase() });
  let number = 0;
  const send = async () => {
    number++;
    const res = await request(service.app).post('/v1/exchanges').set(bearer(keys['R.01'].clerk)).set('Idempotency-Key', `arrival-copy-${number}`)
      .attach('file', signed, 'cong-van.pdf')
      .field('metadata', JSON.stringify({ to: ['R.02'], codeNumber: String(number), codeNotation: 'R-VP', issuedDate: '2026-11-27', subject: 'V/v sao lục văn bản' }));
    expect(res.status).toBe(201);
    return String(res.body.exchangeId);
  };
  const download = async (url: string, key: string, name: string): Promise<string> => {
    const res = await request(service.app).get(url).set(bearer(key)).buffer(true).parse(binaryBody);
    expect(res.status).toBe(200);
    const file = path.join(dir, name);
    writeFileSync(file, res.body as Buffer);
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', file, file.replace(/\.pdf$/, '')]);
    return file;
  };

  beforeAll(async () => {
    service = await openTestService({ agencySigners: new Map([['R.01', seal()], ['R.02', seal()]]) });
    keys = await seedAgencies(service, [{ organId: 'R.01', name: 'Văn phòng Ủy ban nhân dân tỉnh R' }, { organId: 'R.02', name: 'Sở Tài chính tỉnh R' }]);
    signed = await sealedSample();
  });
  afterAll(() => service.close());

  it('when two arrivals are stamped at once, then they get số đến 1 and 2, the mark reads on page 1 and the sender\'s signature stays valid', async () => {
    const [first, second] = [await send(), await send()];
    const stamped = await Promise.all([first, second].map((id) => request(service.app).post(`/v1/exchanges/${id}/arrival`).set(bearer(keys['R.02'].receiver)).send({ forwardTo: 'Phòng Ngân sách' })));
    expect(stamped.map((r) => r.status)).toEqual([201, 201]);
    expect(stamped.map((r) => r.body.number).sort()).toEqual([1, 2]);
    const file = await download(`/v1/exchanges/${first}/arrival/document`, keys['R.02'].receiver, 'den.pdf');
    const text = textOf(file);
    expect(text).toContain('Sở Tài chính tỉnh R');
    expect(text).toMatch(new RegExp(`ĐẾN\\s+Số: ${stamped[0].body.number}`));
    expect(text).toContain('Chuyển: Phòng Ngân sách');
    const report = await service.validator.validate(readFileSync(file), { fileName: 'den.pdf' });
    expect(report.signatures.map((s) => [s.field, s.intact, s.subIndication ?? null])).toEqual([['Signature1', true, 'TRY_LATER'], [`Den${stamped[0].body.number}`, true, 'TRY_LATER']]);
    expect(pdfsig(file)).toMatchObject({ signatures: 2, valid: 2, lastTotal: true });
    expect(pyhankoValidate(file, path.join(PKI, 'root-ca.pem')).map((f) => [f.sound, f.trusted])).toEqual([[true, true], [true, true]]);
    // Stamped once: a second mark is refused, and the register holds each number once.
    const again = await request(service.app).post(`/v1/exchanges/${first}/arrival`).set(bearer(keys['R.02'].receiver)).send({});
    expect([again.status, again.body.code]).toEqual([409, 'STATUS_TRANSITION_INVALID']);
    const register = await request(service.app).get('/v1/registers/incoming').set(bearer(keys['R.02'].clerk));
    expect(register.body.items.map((e: { number: number }) => e.number)).toEqual([1, 2]);
    // The sender cannot stamp a recipient's mark; another agency does not see the document at all.
    expect((await request(service.app).post(`/v1/exchanges/${first}/arrival`).set(bearer(keys['R.01'].clerk)).send({})).status).toBe(403);
  });

  it('when a SAO Y and a TRÍCH SAO are made, then the copy register numbers them, the text is at the top right and every signature verifies', async () => {
    const id = await send();
    const saoY = await request(service.app).post(`/v1/exchanges/${id}/copies`).set(bearer(keys['R.02'].clerk)).send({ form: 'SAO Y' });
    expect([saoY.status, saoY.body.form, saoY.body.number, saoY.body.symbol]).toEqual([201, 'SAO Y', 1, '1/SY']);
    const trich = await request(service.app).post(`/v1/exchanges/${id}/copies`).set(bearer(keys['R.02'].clerk)).send({ form: 'TRÍCH SAO', pages: [1] });
    expect([trich.status, trich.body.number, trich.body.symbol, trich.body.pages]).toEqual([201, 2, '2/TS', [1]]);
    const copyFile = await download(`/v1/exchanges/${id}/copies/${saoY.body.copyId}/document`, keys['R.02'].clerk, 'sao-y.pdf');
    const text = textOf(copyFile);
    expect(text).toMatch(/SAO Y\s+Số: 1\/SY/);
    expect(text).toMatch(/Thời gian ký: \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00/);
    // Top right of page 1: the copy's text starts right of the page's middle on its first lines.
    const firstLine = text.split('\n').find((l) => l.includes('SAO Y')) as string;
    expect(firstLine.indexOf('SAO Y')).toBeGreaterThan(40);
    expect(pdfsig(copyFile)).toMatchObject({ signatures: 2, valid: 2, lastTotal: true });
    const extract = await download(`/v1/exchanges/${id}/copies/${trich.body.copyId}/document`, keys['R.02'].clerk, 'trich-sao.pdf');
    expect(pageCount(extract)).toBe(1);
    expect(textOf(extract)).toContain('Số: 2/TS');
    expect(pdfsig(extract)).toMatchObject({ signatures: 1, valid: 1, lastTotal: true });
    expect(pyhankoValidate(extract, path.join(PKI, 'root-ca.pem')).map((f) => [f.sound, f.trusted])).toEqual([[true, true]]);
    const list = await request(service.app).get(`/v1/exchanges/${id}/copies`).set(bearer(keys['R.02'].receiver));
    expect(list.body.items.map((c: { symbol: string }) => c.symbol)).toEqual(['1/SY', '2/TS']);
    // Another agency can neither read these copies nor make one, nor stamp the document, nor read the register entries.
    const other = await seedAgencies(service, [{ organId: 'R.03', name: 'Sở Y tế tỉnh R' }]);
    expect((await request(service.app).get(`/v1/exchanges/${id}/copies/${saoY.body.copyId}/document`).set(bearer(other['R.03'].clerk))).status).toBe(404);
    expect((await request(service.app).post(`/v1/exchanges/${id}/copies`).set(bearer(other['R.03'].clerk)).send({ form: 'SAO Y' })).status).toBe(404);
    expect((await request(service.app).post(`/v1/exchanges/${id}/arrival`).set(bearer(other['R.03'].receiver)).send({})).status).toBe(404);
    expect((await request(service.app).get('/v1/registers/copies').set(bearer(other['R.03'].clerk))).body.items).toEqual([]);
  });

  it('when a copy names no pages or pages the document does not have, or an unknown form, then 400 and no number is used', async () => {
    const id = await send();
    const cases = [{ form: 'TRÍCH SAO' }, { form: 'TRÍCH SAO', pages: [9] }, { form: 'BẢN CHỤP' }];
    for (const body of cases) {
      const res = await request(service.app).post(`/v1/exchanges/${id}/copies`).set(bearer(keys['R.02'].clerk)).send(body);
      expect([res.status, res.body.code]).toEqual([400, 'INVALID_REQUEST']);
    }
    const next = await request(service.app).post(`/v1/exchanges/${id}/copies`).set(bearer(keys['R.02'].clerk)).send({ form: 'SAO LỤC' });
    expect([next.status, next.body.symbol]).toEqual([201, '3/SL']);
  });

  it('when the clerk signs an attachment, then the agency signature shows the main document\'s number and time at the top right; a signer may not', async () => {
    const attachment = sample('bao-cao-nhieu-trang.pdf');
    const res = await request(service.app).post('/v1/signatures?attachmentOf=15/R-VP').set(bearer(keys['R.01'].clerk)).set('Content-Type', 'application/pdf')
      .send(attachment).buffer(true).parse(binaryBody);
    expect(res.status).toBe(200);
    const file = path.join(dir, 'phu-luc.pdf');
    writeFileSync(file, res.body as Buffer);
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', file, file.replace(/\.pdf$/, '')]);
    const text = textOf(file);
    expect(text).toContain('Kèm theo văn bản số 15/R-VP');
    expect(text).toContain('Văn phòng Ủy ban nhân dân tỉnh R');
    expect(text).toMatch(/Thời gian ký: \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00/);
    expect(pdfsig(file)).toMatchObject({ signatures: 1, valid: 1, lastTotal: true });
    const bySigner = await request(service.app).post('/v1/signatures?attachmentOf=15/R-VP').set(bearer(keys['R.01'].signer)).set('Content-Type', 'application/pdf').send(attachment);
    expect([bySigner.status, bySigner.body.code]).toEqual([403, 'FORBIDDEN']);
  });

  it('when numbers are issued around midnight of 31 December (Vietnam time), then the new year starts again from 1; a failed attempt leaves no gap', async () => {
    const registers = service.exchanges.registers;
    const entry = (at: string) => ({ organId: 'R.09', book: 'outgoing' as const, exchangeId: 'x', by: 'test', what: 'test', at: new Date(at) });
    const keep = async () => undefined;
    const a = await registers.issue(entry('2026-12-31T16:59:59Z'), async (n) => n, keep);
    await expect(registers.issue(entry('2026-12-31T16:59:59Z'), async () => { throw new Error('the token was unplugged'); }, keep)).rejects.toThrow('unplugged');
    const b = await registers.issue(entry('2026-12-31T16:59:59Z'), async (n) => n, keep);
    const c = await registers.issue(entry('2026-12-31T17:00:00Z'), async (n) => n, keep);
    expect([[a.year, a.number], [b.year, b.number], [c.year, c.number]]).toEqual([[2026, 1], [2026, 2], [2027, 1]]);
  });
});
