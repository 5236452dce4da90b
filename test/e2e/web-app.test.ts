/**
 * The web application in a real browser (Debian's Chromium driven by playwright-core) against the real
 * service, FerretDB, an OpenSSL OCSP responder and the seal key: signing in and out, sealing and sending,
 * receiving and accepting, a tampered arrival returned, the archivist's statistics and evidence, the public
 * verification page, access between agencies, CSRF, and the lock after wrong passwords. Every screen is
 * saved under test/output/screenshots/, fails on any console error and must pass axe-core without serious
 * or critical violations.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import * as path from 'node:path';
import axe from 'axe-core';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import type { Service } from '../../src/compose';
import { openService } from '../../src/compose';
import { Pkcs12Signer } from '../../src/signers';
import { joinParts, signPdf } from '../../src/signing';
import { createValidationContext, TrustStore } from '../../src/validation';
import { OUTPUT, ROOT, sample } from '../helpers/fixtures';
import { startOcspResponder, stopProcess } from '../helpers/ocsp-responder';
import { testDatabaseUri } from '../helpers/service';

const PKI = path.join(ROOT, 'test', 'fixtures', 'pki-e2e');
const SHOTS = path.join(OUTPUT, 'screenshots');
const A = { organId: '000.00.00.E01', name: 'Văn phòng Ủy ban nhân dân tỉnh Thử Nghiệm' };
const B = { organId: '000.00.00.E02', name: 'Sở Nội vụ tỉnh Thử Nghiệm' };
const C = { organId: '000.00.00.E03', name: 'Sở Y tế tỉnh Thử Nghiệm' };
const PASSWORD = 'mat-khau-thu-nghiem-1';
const ROLES = ['signer', 'clerk', 'receiver', 'archivist', 'admin'] as const;
const user = (role: string, agency: { organId: string }) => `${role}.${agency.organId.slice(-3).toLowerCase()}`;

describe('the web application in Chromium', () => {
  let service: Service;
  let server: Server;
  let base: string;
  let browser: Browser;
  let ocsp: ChildProcess;
  let official: Buffer;
  let sealed: Buffer;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ocsp = await startOcspResponder(PKI, 39281);
    const trust = new TrustStore();
    trust.add(readFileSync(path.join(PKI, 'root-ca.der')));
    const passphrase = readFileSync(path.join(PKI, 'p12-passphrase.txt'), 'utf8').trim();
    const seal = Pkcs12Signer.open({ data: readFileSync(path.join(PKI, 'seal-rsa.p12')), passphrase });
    service = await openService({
      mongodbUri: testDatabaseUri(), validation: createValidationContext({ trust, offline: false, fetchTimeoutMs: 3000 }), serverSigner: seal,
      uploadLimitBytes: 50 * 1024 * 1024, signingSessionTtlSeconds: 600, webRoot: path.join(ROOT, 'dist', 'web'),
    });
    for (const agency of [A, B]) {
      await service.agencies.registerAgency(agency);
      for (const role of ROLES) await service.users.createUser({ username: user(role, agency), organId: agency.organId, role, fullName: `Cán bộ ${role}`, password: PASSWORD });
    }
    await service.agencies.registerAgency(C);
    await service.users.createUser({ username: user('receiver', C), organId: C.organId, role: 'receiver', fullName: 'Cán bộ Sở Y tế', password: PASSWORD });
    server = await new Promise<Server>((resolve) => { const s = service.app.listen(0, '127.0.0.1', () => resolve(s)); });
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const officialKey = Pkcs12Signer.open({ data: readFileSync(path.join(PKI, 'official-rsa.p12')), passphrase });
    official = joinParts(await signPdf(sample('cong-van.pdf'), officialKey, { reason: 'Ký ban hành' }));
    sealed = joinParts(await signPdf(official, seal, { fieldName: 'DauCoQuan' }));
    writeFileSync(path.join(OUTPUT, 'e2e-official.pdf'), official);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await service?.close();
    await stopProcess(ocsp);
  });

  /** A fresh browser context and page that records console errors; `done` checks and photographs it. */
  async function open(): Promise<{ context: BrowserContext; page: Page; done: (name: string) => Promise<void> }> {
    // bypassCSP only so the test can inject axe-core; the pages themselves run under Kyso's policy.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true, acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    const done = async (name: string) => {
      await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
      await page.addScriptTag({ content: axe.source });
      // Evaluated in the page (a string, so the test needs no DOM types).
      const violations = await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`) as string[];
      await context.close();
      // Expected refusals (401 before sign-in, 403/404 the test provokes) are logged by the browser as failed loads.
      expect({ violations, errors: errors.filter((e) => !/status of (401|403|404|423)/.test(e)) }).toEqual({ violations: [], errors: [] });
    };
    return { context, page, done };
  }

  async function signIn(page: Page, username: string, password = PASSWORD): Promise<void> {
    await page.goto(`${base}/`);
    await page.getByLabel('Tên đăng nhập').fill(username);
    await page.getByLabel('Mật khẩu').fill(password);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByTestId('who').waitFor();
  }

  it('when each role signs in and out, then it lands on its own screen and leaves to the sign-in page', async () => {
    const { page, done } = await open();
    const landing: Record<string, string> = {};
    for (const role of ROLES) {
      await signIn(page, user(role, A));
      landing[role] = await page.locator('h1').first().innerText();
      await page.getByTestId('sign-out').click();
      await page.getByRole('button', { name: 'Đăng nhập' }).waitFor();
    }
    expect(landing).toEqual({ signer: 'Văn bản đến', clerk: 'Văn bản đến', receiver: 'Văn bản đến', archivist: 'Lưu trữ', admin: `Quản trị — ${A.name}` });
    // The English switch changes every text, and is remembered.
    await signIn(page, user('clerk', A));
    await page.getByRole('button', { name: 'English' }).click();
    await expect(page.locator('h1').first().innerText()).resolves.toBe('Inbox');
    await page.reload();
    await expect(page.getByRole('link', { name: 'Send a document' }).innerText()).resolves.toBe('Send a document');
    await page.getByRole('button', { name: 'Tiếng Việt' }).click();
    await done('sign-in-out');
  });

  it('when the public page is given a valid PDF, then "Hợp lệ" with each signature outlined; a tampered one gives "Không hợp lệ"', async () => {
    const { page, done } = await open();
    await page.goto(`${base}/verify`);
    await page.getByTestId('verify-file').setInputFiles({ name: 'cong-van.pdf', mimeType: 'application/pdf', buffer: sealed });
    await expect(page.getByTestId('verdict').innerText()).resolves.toBe('Hợp lệ');
    await page.locator('.pdf-page canvas').first().waitFor();
    await page.waitForTimeout(500);
    await done('verify-valid');

    const tampered = Buffer.from(sealed);
    const at = tampered.indexOf('Socialist') >= 0 ? tampered.indexOf('Socialist') : 400;
    tampered[at] ^= 0x01;
    const second = await open();
    await second.page.goto(`${base}/verify`);
    await second.page.getByTestId('verify-file').setInputFiles({ name: 'sua.pdf', mimeType: 'application/pdf', buffer: tampered });
    await expect(second.page.getByTestId('verdict').innerText()).resolves.toBe('Không hợp lệ');
    await second.done('verify-tampered');
  });

  it('when the clerk seals where drawn and sends, then the receiver finds it with a green verdict and accepts it', async () => {
    const clerk = await open();
    await signIn(clerk.page, user('clerk', A));
    await clerk.page.getByRole('link', { name: 'Gửi văn bản' }).click();
    await clerk.page.getByTestId('compose-file').setInputFiles({ name: 'cong-van.pdf', mimeType: 'application/pdf', buffer: official });
    const first = clerk.page.locator('.pdf-page').first();
    await first.locator('canvas').waitFor();
    await first.scrollIntoViewIfNeeded();
    await clerk.page.evaluate('window.scrollBy(0, 400)');
    const pageBox = await first.boundingBox();
    if (!pageBox) throw new Error('the page was not rendered');
    // A rectangle over the signing place, drawn with the mouse (screen pixels; the page is shown at 125 %).
    await clerk.page.mouse.move(pageBox.x + 420, pageBox.y + 560);
    await clerk.page.mouse.down();
    await clerk.page.mouse.move(pageBox.x + 520, pageBox.y + 640, { steps: 5 });
    await clerk.page.mouse.up();
    await clerk.page.getByRole('button', { name: 'Đóng dấu cơ quan (ký số) tại vị trí đã chọn' }).click();
    await expect(clerk.page.getByTestId('compose-message').innerText()).resolves.toBe('Đã đóng dấu');
    await clerk.page.getByLabel('Nơi nhận').selectOption(B.organId);
    await clerk.page.getByLabel('Số', { exact: true }).fill('21');
    await clerk.page.getByLabel('Ký hiệu').fill('UBND-VP');
    await clerk.page.getByLabel('Trích yếu').fill('V/v triển khai chữ ký số năm 2027');
    await clerk.page.getByLabel('Hạn xử lý').fill('2026-12-20');
    await clerk.page.getByRole('button', { name: 'Gửi', exact: true }).click();
    await clerk.page.waitForURL(/\/exchanges\//);
    await expect(clerk.page.getByTestId('verdict').innerText()).resolves.toBe('Hợp lệ');
    await clerk.page.locator('.pdf-page canvas').first().waitFor();
    await clerk.page.locator('.sig-box').first().waitFor();
    await clerk.done('clerk-sent');

    const receiver = await open();
    await signIn(receiver.page, user('receiver', B));
    await receiver.page.getByRole('link', { name: '21/UBND-VP' }).click();
    await expect(receiver.page.getByTestId('verdict').innerText()).resolves.toBe('Hợp lệ');
    await receiver.page.getByRole('button', { name: 'Tiếp nhận (03)' }).click();
    await receiver.page.getByText('Đã tiếp nhận').first().waitFor();
    await receiver.page.locator('.pdf-page canvas').first().waitFor();
    await receiver.done('receiver-accepted');
    const stored = await service.models.Recipient.findOne({ organId: B.organId }).lean();
    expect(stored?.history.map((h) => [h.status, h.staffName ?? null])).toEqual([['01', null], ['03', 'Cán bộ receiver']]);
    const events = await service.audit.list({ organId: B.organId }, 1000);
    expect(events.filter((e) => e.type === 'exchange.status-changed').map((e) => e.keyId)).toEqual([`user:${user('receiver', B)}`]);
  });

  it('when a tampered document arrives, then the receiver sees it returned with the reason', async () => {
    const tampered = Buffer.from(sealed);
    tampered[500] ^= 0x01;
    const form = new FormData();
    form.append('file', new Blob([tampered], { type: 'application/pdf' }), 'den.pdf');
    form.append('metadata', JSON.stringify({ from: { organId: 'X.77', organName: 'Bộ Ngoại giao' }, codeNumber: '88', codeNotation: 'BNG-VP', issuedDate: '2026-11-20', subject: 'V/v văn bản bị sửa' }));
    const key = (await service.agencies.issueApiKey(B.organId, 'receiver')).apiKey;
    const res = await fetch(`${base}/v1/exchanges/inbound`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${key}`, 'Idempotency-Key': 'e2e-tampered-01' } });
    expect(res.status).toBe(201);
    const { page, done } = await open();
    await signIn(page, user('receiver', B));
    await page.getByRole('link', { name: '88/BNG-VP' }).click();
    await expect(page.getByTestId('verdict').innerText()).resolves.toBe('Không hợp lệ');
    await expect(page.getByTestId('history-reason').first().innerText()).resolves.toContain('Tự động trả lại');
    await done('tampered-returned');
  });

  it('when a user of another agency opens an exchange by its address, then "not found"', async () => {
    const exchange = await service.models.Exchange.findOne({ codeNumber: '21' }).lean();
    const { page, done } = await open();
    await signIn(page, user('receiver', C));
    await page.goto(`${base}/exchanges/${exchange?.exchangeId}`);
    await expect(page.getByTestId('not-found').innerText()).resolves.toBe('Không tìm thấy văn bản này (hoặc bạn không có quyền xem)');
    await done('other-agency-not-found');
  });

  it('when the archivist opens the archive, then the statistics chart and totals show and the evidence package downloads', async () => {
    const exchange = await service.models.Exchange.findOne({ codeNumber: '21' }).lean();
    const { page, done } = await open();
    await signIn(page, user('archivist', B));
    await page.getByTestId('stats-chart').waitFor();
    await expect(page.getByTestId('stats-totals').innerText()).resolves.toBe('1 hồ sơ, 0 đúng hạn, 0 quá hạn = 0%');
    await page.getByLabel('Mã văn bản').fill(String(exchange?.exchangeId));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('evidence-link').click()]);
    const evidence = JSON.parse(readFileSync(await download.path(), 'utf8')) as { exchange: { exchangeId: string }; auditChain: { intact: boolean } };
    expect([evidence.exchange.exchangeId, evidence.auditChain.intact]).toEqual([exchange?.exchangeId, true]);
    await page.getByRole('button', { name: 'Kiểm tra chuỗi nhật ký' }).click();
    await page.getByText('Chuỗi nhật ký toàn vẹn').waitFor();
    await done('archivist');
  });

  it('when a change is sent with the session cookie but without the CSRF token, then it is refused', async () => {
    const { page, done } = await open();
    await signIn(page, user('admin', A));
    const status = await page.evaluate(`fetch('/v1/admin/users', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'mao.danh', role: 'admin' }) }).then((r) => r.status)`);
    expect(status).toBe(403);
    expect(await service.accountModels.User.exists({ username: 'mao.danh' })).toBeNull();
    await done('csrf-refused');
  });

  it('when a password is wrong five times, then the page says the account is locked', async () => {
    const { page, done } = await open();
    await page.goto(`${base}/`);
    for (let i = 0; i < 5; i++) {
      await page.getByLabel('Tên đăng nhập').fill(user('signer', B));
      await page.getByLabel('Mật khẩu').fill(`sai-${i}`);
      await page.getByRole('button', { name: 'Đăng nhập' }).click();
      await page.getByTestId('login-error').waitFor();
      await page.waitForFunction('!document.querySelector("button[type=submit]").disabled');
    }
    await expect(page.getByTestId('login-error').innerText()).resolves.toBe('Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần. Thử lại sau 15 phút.');
    await done('locked');
  }, 60_000);
});
