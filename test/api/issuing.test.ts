/**
 * Issuing an outgoing document (Decree 30/2020 Art. 15–16): the drafter adds the number and date places, the
 * official signs, the clerk's issuing signature takes the next number of the outgoing register and writes
 * it with the date into those places in the same update as the seal. Checked as a reader sees it (pdftotext,
 * a rendering saved for review) and by pdfsig and pyHanko, which must accept both signatures.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import request from 'supertest';
import { Service } from '../../src/compose';
import { vietnamYear } from '../../src/exchange/registers';
import { Pkcs12Signer } from '../../src/signers';
import { joinParts, signPdf, vietnameseDate } from '../../src/signing';
import { OUTPUT, P12_PASSPHRASE_FILE, p12Passphrase, PKI, pkiFile, ROOT, sample } from '../helpers/fixtures';
import { pdfsig, pyhankoValidate } from '../helpers/peers';
import { bearer, binaryBody, openTestService, seedAgencies } from '../helpers/service';

const dir = path.join(OUTPUT, `issuing-${process.pid}`);
mkdirSync(dir, { recursive: true });
// du-thao.pdf prints "Số:" with the rest blank; the places sit after it and where the date goes.
const PLACES = 'numberAt=1:92:755:250:775&dateAt=1:318:729:560:749';
const official = () => Pkcs12Signer.open({ data: pkiFile('official-rsa.p12'), passphrase: p12Passphrase() });

describe('issuing an outgoing document: number and date written by the seal signature', () => {
  let service: Service;
  let keys: Record<string, Record<string, string>>;
  const pdfPost = (url: string, key: string, pdf: Buffer) =>
    request(service.app).post(url).set(bearer(key)).set('Content-Type', 'application/pdf').send(pdf).buffer(true).parse(binaryBody);

  /** The draft with its places, signed by the official (what the clerk receives). */
  const signedDraft = async (): Promise<Buffer> => {
    const placed = await pdfPost(`/v1/issuing-places?${PLACES}`, keys['P.01'].signer, sample('du-thao.pdf'));
    expect(placed.status).toBe(200);
    return joinParts(await signPdf(placed.body as Buffer, official(), { fieldName: 'ChuKyLanhDao', signingTime: new Date() }));
  };
  const issue = (pdf: Buffer, key = keys['P.01'].clerk, query = 'notation=BTN-VP&place=Hà Nội&seal=1:365:374:455:464') =>
    pdfPost(`/v1/issuances?${encodeURI(query)}`, key, pdf);

  beforeAll(async () => {
    const seal = Pkcs12Signer.open({ data: pkiFile('seal-rsa.p12'), passphrase: p12Passphrase() });
    service = await openTestService({ agencySigners: new Map([['P.01', seal]]), sealImages: new Map([['P.01', sample('con-dau-mau.png')]]) });
    keys = await seedAgencies(service, [{ organId: 'P.01', name: 'Bộ Thử nghiệm' }, { organId: 'P.02', name: 'Sở Thử nghiệm' }]);
  });
  afterAll(() => service.close());

  it('when the clerk issues the official\'s signed draft, then the number and date read in their places, the official\'s signature stays valid, and pdfsig and pyHanko accept both', async () => {
    const issued = await issue(await signedDraft());
    expect(issued.status).toBe(200);
    const number = Number(issued.headers['kyso-register-number']);
    expect([number, issued.headers['kyso-register-year'], decodeURIComponent(issued.headers['kyso-notation'])]).toEqual([1, String(vietnamYear(new Date())), 'BTN-VP']);
    const file = path.join(dir, 'phat-hanh.pdf');
    writeFileSync(file, issued.body as Buffer);
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', file, file.replace(/\.pdf$/, '')]);
    // Read where a reader reads them: the number right after the printed "Số:", the date at the top right.
    const numberLine = execFileSync('pdftotext', ['-r', '72', '-x', '60', '-y', String(842 - 778), '-W', '200', '-H', '26', '-f', '1', '-l', '1', file, '-'], { encoding: 'utf8' });
    expect(numberLine.replace(/\s+/g, ' ').trim()).toBe('Số: 1/BTN-VP');
    const dateLine = execFileSync('pdftotext', ['-r', '72', '-x', '310', '-y', String(842 - 750), '-W', '260', '-H', '22', '-f', '1', '-l', '1', file, '-'], { encoding: 'utf8' });
    expect(dateLine.trim()).toBe(`Hà Nội, ${vietnameseDate(new Date())}`);
    // The seal is one signature; the number and date are inside its update, which the official's signature allows.
    const report = await request(service.app).post('/v1/verifications').set(bearer(keys['P.01'].clerk)).set('Content-Type', 'application/pdf').send(issued.body);
    expect(report.body.signatures.map((s: { field: string; intact: boolean; modificationsAllowed: boolean }) => [s.field, s.intact, s.modificationsAllowed]))
      .toEqual([['ChuKyLanhDao', true, true], ['PhatHanh1', true, true]]);
    expect(pdfsig(file)).toMatchObject({ signatures: 2, valid: 2, lastTotal: true });
    expect(pyhankoValidate(file, path.join(PKI, 'root-ca.pem')).map((f) => [f.sound, f.trusted, f.judgedValid])).toEqual([[true, true, true], [true, true, true]]);
    // The register holds it with the issued file's fingerprint, and the send links it to the exchange.
    const register = await request(service.app).get('/v1/registers/outgoing').set(bearer(keys['P.01'].clerk));
    expect(register.body.items.map((e: { number: number; what: string }) => [e.number, e.what])).toEqual([[1, 'Phát hành 1/BTN-VP']]);
    const sent = await request(service.app).post('/v1/exchanges').set(bearer(keys['P.01'].clerk)).set('Idempotency-Key', 'issuing-send-1')
      .attach('file', issued.body as Buffer, 'cong-van.pdf')
      .field('metadata', JSON.stringify({ to: ['P.02'], codeNumber: '1', codeNotation: 'BTN-VP', issuedDate: issued.headers['kyso-issued-date'], subject: 'V/v phát hành' }));
    expect(sent.status).toBe(201);
    const linked = await request(service.app).get('/v1/registers/outgoing').set(bearer(keys['P.01'].archivist));
    expect(linked.body.items[0].exchangeId).toBe(sent.body.exchangeId);
    // Another agency sees none of it.
    expect((await request(service.app).get('/v1/registers/outgoing').set(bearer(keys['P.02'].clerk))).body.items).toEqual([]);
  });

  it('when two documents are issued at once, then they get the next two numbers, each once', async () => {
    const drafts = [await signedDraft(), await signedDraft()];
    const issued = await Promise.all(drafts.map((d) => issue(d)));
    expect(issued.map((r) => r.status)).toEqual([200, 200]);
    expect(issued.map((r) => Number(r.headers['kyso-register-number'])).sort()).toEqual([2, 3]);
    const register = await request(service.app).get('/v1/registers/outgoing').set(bearer(keys['P.01'].clerk));
    expect(register.body.items.map((e: { number: number }) => e.number)).toEqual([1, 2, 3]);
  });

  it('when a blank draft has no places yet, then one call adds them and issues it', async () => {
    const issued = await issue(sample('du-thao.pdf'), keys['P.01'].clerk, `notation=BTN-VP&${PLACES}`);
    expect(issued.status).toBe(200);
    const file = path.join(dir, 'phat-hanh-mot-buoc.pdf');
    writeFileSync(file, issued.body as Buffer);
    expect(execFileSync('pdftotext', ['-f', '1', '-l', '1', file, '-'], { encoding: 'utf8' })).toContain(`${issued.headers['kyso-register-number']}/BTN-VP`);
    expect(pdfsig(file)).toMatchObject({ signatures: 1, valid: 1, lastTotal: true });
  });

  it('when the clerk works from the command line, then `kyso issue places`, the official\'s `kyso sign` and `kyso issue --remote` give the same issued document', async () => {
    const server = await new Promise<Server>((resolve) => {
      const s = service.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const keyFile = path.join(dir, 'clerk-key');
      writeFileSync(keyFile, keys['P.01'].clerk, { mode: 0o600 });
      const lines: string[] = [];
      const run = (...args: string[]) => runCli(args, (l) => lines.push(String(l)), (l) => lines.push(String(l)));
      const [placed, signed, issuedFile] = ['cli-cho.pdf', 'cli-ky.pdf', 'cli-phat-hanh.pdf'].map((f) => path.join(dir, f));
      expect(await run('issue', 'places', path.join(ROOT, 'samples', 'du-thao.pdf'), '-o', placed, '--number-at', '1:92:755:250:775', '--date-at', '1:318:729:560:749')).toBe(0);
      expect(await run('sign', placed, '-o', signed, '--p12', path.join(PKI, 'official-rsa.p12'), '--passphrase-file', P12_PASSPHRASE_FILE, '--field', 'ChuKyLanhDao')).toBe(0);
      // Places cannot be added once the official has signed.
      expect(await run('issue', 'places', signed, '-o', path.join(dir, 'x.pdf'), '--number-at', '1:92:755:250:775', '--date-at', '1:318:729:560:749')).toBe(1);
      expect(await run('issue', signed, '-o', issuedFile, '--remote', base, '--api-key-file', keyFile, '--notation', 'BTN-VP', '--place', 'Hà Nội')).toBe(0);
      const number = (await request(service.app).get('/v1/registers/outgoing').set(bearer(keys['P.01'].clerk))).body.items.pop().number;
      expect(lines.at(-1)).toBe(`issued ${number}/BTN-VP on ${new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10)}: ${signed} → ${issuedFile}`);
      expect(lines.some((l) => l.includes('STATUS_TRANSITION_INVALID'))).toBe(true);
      expect(execFileSync('pdftotext', ['-f', '1', '-l', '1', issuedFile, '-'], { encoding: 'utf8' })).toContain(`Số: ${number}/BTN-VP`);
      expect(pdfsig(issuedFile)).toMatchObject({ signatures: 2, valid: 2, lastTotal: true });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('when the request is wrong, then it is refused with the reason and no number is used', async () => {
    const before = (await request(service.app).get('/v1/registers/outgoing').set(bearer(keys['P.01'].clerk))).body.items.length;
    const draft = await signedDraft();
    const signedWithoutPlaces = joinParts(await signPdf(sample('du-thao.pdf'), official(), {}));
    const cases: Array<[Promise<request.Response>, number, string]> = [
      [issue(draft, keys['P.01'].signer), 403, 'FORBIDDEN'],
      [issue(draft, keys['P.01'].clerk, 'notation='), 400, 'INVALID_REQUEST'],
      [issue(draft, keys['P.01'].clerk, 'notation=BTN VP'), 400, 'INVALID_REQUEST'],
      [issue(draft, keys['P.01'].clerk, 'notation=BTN-VP&seal=0:1:2'), 400, 'INVALID_REQUEST'],
      [issue(signedWithoutPlaces, keys['P.01'].clerk, `notation=BTN-VP&${PLACES}`), 409, 'STATUS_TRANSITION_INVALID'],
      [issue(sample('du-thao.pdf'), keys['P.01'].clerk, 'notation=BTN-VP'), 400, 'INVALID_REQUEST'],
      [pdfPost(`/v1/issuing-places?${PLACES}`, keys['P.01'].signer, draft), 409, 'PDF_FIELD_EXISTS'],
      [pdfPost('/v1/issuing-places?numberAt=9:1:1:50:20&dateAt=1:1:30:50:50', keys['P.01'].signer, sample('du-thao.pdf')), 400, 'USAGE'],
    ];
    for (const [call, status, code] of cases) {
      const res = await call;
      expect([res.status, JSON.parse(res.body.toString()).code]).toEqual([status, code]);
    }
    // Issued once: the filled places refuse a second issuing.
    const once = await issue(draft);
    const twice = await issue(once.body as Buffer);
    expect([twice.status, JSON.parse(twice.body.toString()).code]).toEqual([409, 'PDF_FIELD_FILLED']);
    const after = (await request(service.app).get('/v1/registers/outgoing').set(bearer(keys['P.01'].clerk))).body.items.length;
    expect(after).toBe(before + 1);
  });
});
