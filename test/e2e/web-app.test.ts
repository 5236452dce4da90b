/**
 * The web application in a real browser (Debian's Chromium driven by playwright-core) against the real
 * service, FerretDB, an OpenSSL OCSP responder and the seal key: signing in and out, sealing and sending,
 * receiving and accepting, a tampered arrival returned, the archivist's statistics and evidence, the public
 * verification page, access between agencies, CSRF, and the lock after wrong passwords. Every screen is
 * saved under test/output/screenshots/, fails on any console error and must pass axe-core without serious
 * or critical violations.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import * as path from 'node:path';
import axe from 'axe-core';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import type { Service } from '../../src/compose';
import { openService } from '../../src/compose';
import { addTextFields, PdfFile } from '../../src/pdf';
import { Pkcs12Signer } from '../../src/signers';
import { joinParts, signPdf } from '../../src/signing';
import { createValidationContext, TrustStore } from '../../src/validation';
import { OUTPUT, ROOT, sample } from '../helpers/fixtures';
import { startOcspResponder, stopProcess } from '../helpers/ocsp-responder';
import { pdfsig } from '../helpers/peers';
import { PIN_FILE, SOFTHSM_MODULE } from '../helpers/fixtures';
import { testDatabaseUri } from '../helpers/service';

const PKI = path.join(ROOT, 'test', 'fixtures', 'pki-e2e');
const SHOTS = path.join(OUTPUT, 'screenshots');
const A = { organId: '000.00.00.E01', name: 'Văn phòng Ủy ban nhân dân tỉnh Thử Nghiệm' };
const B = { organId: '000.00.00.E02', name: 'Sở Nội vụ tỉnh Thử Nghiệm' };
const C = { organId: '000.00.00.E03', name: 'Sở Y tế tỉnh Thử Nghiệm' };
const PASSWORD = 'mat-khau-thu-nghiem-1';
const ROLES = ['signer', 'clerk', 'receiver', 'archivist', 'admin'] as const;
// The official's page first looks for the signing agent at its default address, where none runs in the tests.
const NOT_AT_DEFAULT = /net::ERR_CONNECTION_REFUSED/;
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
  async function open(): Promise<{ context: BrowserContext; page: Page; done: (name: string, expected?: RegExp[]) => Promise<void> }> {
    // bypassCSP only so the test can inject axe-core; the pages themselves run under Kyso's policy.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true, acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    // `expected`: browser errors the test provokes on purpose (an agent not at its default address, a refused origin).
    const done = async (name: string, expected: RegExp[] = []) => {
      await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
      await page.addScriptTag({ content: axe.source });
      // Evaluated in the page (a string, so the test needs no DOM types).
      const violations = await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`) as string[];
      await context.close();
      // Expected refusals (401 before sign-in, 403/404 the test provokes) are logged by the browser as failed loads.
      const unexpected = errors.filter((e) => !/status of (401|403|404|423)/.test(e) && !expected.some((x) => x.test(e)));
      expect({ violations, errors: unexpected }).toEqual({ violations: [], errors: [] });
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
    expect(landing).toEqual({ signer: 'Văn bản chờ ký', clerk: 'Văn bản đến', receiver: 'Văn bản đến', archivist: 'Lưu trữ', admin: `Quản trị — ${A.name}` });
    // The English switch changes every text, and is remembered.
    await signIn(page, user('clerk', A));
    await page.getByRole('button', { name: 'English' }).click();
    await expect(page.locator('h1').first().innerText()).resolves.toBe('Inbox');
    await page.reload();
    await expect(page.getByRole('link', { name: 'Send a document' }).innerText()).resolves.toBe('Send a document');
    await page.getByRole('button', { name: 'Tiếng Việt' }).click();
    await done('sign-in-out', [NOT_AT_DEFAULT]);
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
    // The arrival mark: số đến 1 of this year's incoming register, signed with the agency key.
    await receiver.page.getByLabel('Chuyển cho').fill('Phòng Kế hoạch');
    await receiver.page.getByRole('button', { name: 'Đóng dấu ĐẾN' }).click();
    await expect(receiver.page.getByTestId('arrival-link').innerText()).resolves.toBe(`Bản đã đóng dấu đến — 1/${new Date(Date.now() + 7 * 3600_000).getUTCFullYear()}`);
    await receiver.done('receiver-accepted');
    const stored = await service.models.Recipient.findOne({ organId: B.organId }).lean();
    expect(stored?.history.map((h) => [h.status, h.staffName ?? null])).toEqual([['01', null], ['03', 'Cán bộ receiver']]);
    const events = await service.audit.list({ organId: B.organId }, 1000);
    expect(events.filter((e) => e.type === 'exchange.status-changed').map((e) => e.keyId)).toEqual([`user:${user('receiver', B)}`]);
  });

  it('when the clerk issues the official\'s signed draft, then the number and date are written with the seal, the form takes the number, and the outgoing register links the sent document', async () => {
    const passphrase = readFileSync(path.join(PKI, 'p12-passphrase.txt'), 'utf8').trim();
    const officialKey = Pkcs12Signer.open({ data: readFileSync(path.join(PKI, 'official-rsa.p12')), passphrase });
    const placed = addTextFields(PdfFile.parse(sample('du-thao.pdf')), [
      { name: 'SoKyHieu', pageIndex: 0, rect: [92, 755, 250, 775] }, { name: 'NgayBanHanh', pageIndex: 0, rect: [318, 729, 560, 749] },
    ]);
    const draft = joinParts(await signPdf(placed, officialKey, { fieldName: 'ChuKyLanhDao' }));
    const clerk = await open();
    await signIn(clerk.page, user('clerk', A));
    await clerk.page.getByRole('link', { name: 'Gửi văn bản' }).click();
    await clerk.page.getByTestId('compose-file').setInputFiles({ name: 'du-thao.pdf', mimeType: 'application/pdf', buffer: draft });
    await clerk.page.locator('.pdf-page canvas').first().waitFor();
    await clerk.page.getByLabel('Ký hiệu').fill('UBND-VP');
    await clerk.page.getByLabel('Địa danh (trước ngày tháng)').fill('Hà Nội');
    await clerk.page.getByTestId('issue').click();
    await expect(clerk.page.getByTestId('compose-message').innerText()).resolves.toBe('Đã cấp số 1/UBND-VP');
    await expect(clerk.page.getByLabel('Số', { exact: true }).inputValue()).resolves.toBe('1');
    await expect(clerk.page.getByTestId('verdict').innerText()).resolves.toBe('Hợp lệ');
    await clerk.page.getByLabel('Nơi nhận').selectOption(C.organId);
    await clerk.page.getByLabel('Trích yếu').fill('V/v cấp số văn bản đi');
    await clerk.page.locator('.pdf-page canvas').first().waitFor();
    await clerk.page.waitForTimeout(300);
    await clerk.page.screenshot({ path: path.join(SHOTS, 'clerk-issued.png'), fullPage: true });
    await clerk.page.getByRole('button', { name: 'Gửi', exact: true }).click();
    await clerk.page.waitForURL(/\/exchanges\//);
    const exchangeId = decodeURIComponent(new URL(clerk.page.url()).pathname.split('/').pop() as string);
    await clerk.page.getByRole('link', { name: 'Sổ văn bản' }).click();
    const row = clerk.page.getByTestId('register').locator('tbody tr');
    await row.first().waitFor();
    await expect(row.allInnerTexts()).resolves.toEqual([expect.stringMatching(/^1\t\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2} \+07:00\tPhát hành 1\/UBND-VP\tMở$/)]);
    await clerk.page.getByTestId('book-copies').click();
    await clerk.page.getByTestId('register-empty').waitFor();
    await clerk.page.getByTestId('book-outgoing').click();
    await row.first().getByRole('link', { name: 'Mở' }).click();
    await clerk.page.waitForURL(new RegExp(`/exchanges/${exchangeId}$`));
    await clerk.page.getByRole('link', { name: 'Sổ văn bản' }).click();
    await row.first().waitFor();
    await clerk.done('registers');
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

  it('when the operator signs in with its key, then it registers, renames and re-codes an agency, gives it an admin and a key, and registers a peer', async () => {
    const D = { organId: '000.00.00.E04', name: 'Sở Giáo dục và Đào tạo tỉnh Thử Nghiệm' };
    const renamed = 'Sở Giáo dục tỉnh Thử Nghiệm';
    const D2 = '000.00.00.E05';
    const key = (await service.agencies.issueOperatorKey()).apiKey;
    const peerKey = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const { page, done } = await open();
    await page.goto(`${base}/`);
    await page.getByText('Người vận hành hệ thống').click();
    await page.getByLabel('Khóa vận hành', { exact: true }).fill(`kyso_0123456789abcdef_${'x'.repeat(43)}`);
    await page.getByRole('button', { name: 'Đăng nhập bằng khóa' }).click();
    await expect(page.getByTestId('key-error').innerText()).resolves.toBe('Khóa vận hành không đúng hoặc đã bị thu hồi');
    await page.getByLabel('Khóa vận hành', { exact: true }).fill(key);
    await page.getByRole('button', { name: 'Đăng nhập bằng khóa' }).click();
    await page.getByTestId('who').waitFor();
    expect([await page.getByTestId('who').innerText(), await page.locator('h1').innerText()]).toEqual(['Người vận hành', 'Vận hành hệ thống']);
    // A new agency, then its new name (the old one stays in its history).
    await page.getByLabel('Mã định danh (OrganId)', { exact: true }).fill(D.organId);
    await page.getByLabel('Tên cơ quan', { exact: true }).fill(D.name);
    await page.getByRole('button', { name: 'Đăng ký cơ quan' }).click();
    await page.getByRole('heading', { name: `Đang quản lý: ${D.name} (${D.organId})` }).waitFor();
    await page.getByLabel('Tên mới', { exact: true }).fill(renamed);
    await page.getByRole('button', { name: 'Đổi tên' }).click();
    await page.getByRole('heading', { name: `Đang quản lý: ${renamed} (${D.organId})` }).waitFor();
    // A new code: the agency is listed under it, with the old code and name in its history.
    await page.getByLabel('Mã mới', { exact: true }).fill(D2);
    await page.getByRole('button', { name: 'Đổi mã định danh' }).click();
    await page.getByRole('heading', { name: `Đang quản lý: ${renamed} (${D2})` }).waitFor();
    const row = page.locator('tr', { has: page.getByRole('cell', { name: D2, exact: true }) });
    const when = '\\(\\d{2}/\\d{2}/\\d{4} \\d{2}:\\d{2}:\\d{2} \\+07:00\\)';
    expect(await row.locator('td').nth(2).innerText()).toMatch(new RegExp(`^${D.organId.replace(/\./g, '\\.')} — ${D.name} ${when}; ${D.organId.replace(/\./g, '\\.')} — ${renamed} ${when}$`));
    expect(await page.getByRole('cell', { name: D.organId, exact: true }).count()).toBe(0);
    // The retired code stays reserved: the screen says so in Vietnamese, with the service's detail, and registers nothing.
    await page.getByLabel('Mã định danh (OrganId)', { exact: true }).fill(D.organId);
    await page.getByLabel('Tên cơ quan', { exact: true }).fill('Cơ quan mạo danh mã cũ');
    await page.getByRole('button', { name: 'Đăng ký cơ quan' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toBe(`Mã định danh này đang hoặc đã được dùng (the code ${D.organId} was used by an agency and stays reserved)`);
    // Its admin (the password shown once) and a clerk's key.
    await page.getByLabel('Tên đăng nhập', { exact: true }).fill('admin.e04');
    await page.getByLabel('Họ và tên', { exact: true }).fill('Trần Quản Trị');
    await page.getByRole('combobox', { name: /^Vai trò/ }).selectOption({ label: 'Quản trị cơ quan' });
    await page.getByRole('button', { name: 'Tạo', exact: true }).click();
    const shown = await page.getByTestId('shown-secret').innerText();
    expect(shown).toMatch(/^Mật khẩu mới \(chỉ hiện một lần\): admin\.e04 — [A-Za-z0-9]{4}(-[A-Za-z0-9]{4}){3}$/);
    await page.getByRole('button', { name: '+ Văn thư' }).click();
    expect(await page.getByTestId('shown-key').innerText()).toMatch(/^Văn thư: kyso_[0-9a-f]{16}_[A-Za-z0-9_-]{20,64}$/);
    // A peer instance serving another agency code.
    await page.getByLabel('Tên hệ thống', { exact: true }).fill('Kyso tỉnh Bên Cạnh');
    await page.getByLabel('Địa chỉ', { exact: true }).fill('https://kyso.ben-canh.example/');
    await page.getByLabel('Mã cơ quan (cách nhau bởi dấu phẩy)', { exact: true }).fill('000.00.00.F01, 000.00.00.F02');
    await page.getByLabel(/^Khóa công khai/).fill(peerKey);
    await page.getByRole('button', { name: 'Đăng ký hệ thống ngang hàng' }).click();
    await page.getByRole('cell', { name: 'Kyso tỉnh Bên Cạnh' }).waitFor();
    // The audit trail of the agency: what the operator did to it, under the operator key's id.
    await page.getByRole('combobox', { name: /^Cơ quan/ }).selectOption(D2);
    await page.getByRole('button', { name: 'Tìm', exact: true }).click();
    const operatorKeyId = key.split('_')[1];
    await page.waitForFunction(`document.querySelectorAll('section[aria-label="Nhật ký"] tbody tr').length === 2`);
    const rows = await page.locator('section[aria-label="Nhật ký"] tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(2).map((td) => td.textContent)));
    expect(rows).toEqual([['api-key.issued', operatorKeyId, expect.stringMatching(/^[0-9a-f]{16}$/)], ['user.created', operatorKeyId, 'admin.e04']]);
    await page.getByRole('button', { name: 'Kiểm tra chuỗi nhật ký' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Chuỗi' }).innerText()).resolves.toMatch(/^Chuỗi nhật ký toàn vẹn \(\d+\)$/);
    // What the screens did is what the service holds; the new admin signs in with the password shown.
    const agencies = await service.agencies.listAgencies();
    expect(agencies.find((a) => a.organId === D2)?.name).toBe(renamed);
    const keys = await service.agencies.listApiKeys(D2, { organId: '', organName: '', role: 'operator', keyId: 'test', organIds: [] });
    expect(keys.map((k) => [k.role, k.revokedAt])).toEqual([['clerk', null]]);
    const peers = await service.peers.list();
    expect(peers.map((p) => [p.name, p.baseUrl, p.organIds])).toEqual([['Kyso tỉnh Bên Cạnh', 'https://kyso.ben-canh.example/', ['000.00.00.F01', '000.00.00.F02']]]);
    expect((await service.logins.login('admin.e04', shown.split(' — ')[1])).user).toMatchObject({ organId: D2, role: 'admin', fullName: 'Trần Quản Trị' });
    expect(await page.content()).not.toContain(key.split('_').slice(2).join('_'));
    await done('operator', [/status of 409/]);
  }, 60_000);

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

  describe('signing in the browser with the official\'s own token (kyso agent)', () => {
    interface Agent { child: ChildProcess; url: string; codes: string[]; log: string }
    const agents: Agent[] = [];
    afterAll(async () => {
      for (const a of agents) await stopProcess(a.child);
    });

    /** Starts `kyso agent` as an official would, with the PIN from a file; resolves once it listens. */
    async function startAgent(token: string, pinFile = PIN_FILE, env: NodeJS.ProcessEnv = {}): Promise<Agent> {
      const stateDir = path.join(OUTPUT, `agent-${token}-${process.pid}`);
      const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'agent', '--pkcs11-module', SOFTHSM_MODULE, '--token-label', token,
        '--key-label', 'official-rsa', '--port', '0', '--allow-origin', base, '--pin-file', pinFile, '--state-dir', stateDir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
      const agent: Agent = { child, url: '', codes: [], log: path.join(stateDir, 'signatures.log') };
      agents.push(agent);
      let text = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on('data', (c: Buffer) => {
          text += c.toString();
          agent.codes = [...text.matchAll(/pairing code\): (\d{6})/g)].map((m) => m[1]);
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
          if (m && !agent.url) {
            agent.url = m[1];
            resolve();
          }
        });
        child.once('exit', (code) => reject(new Error(`kyso agent exited ${code}: ${text}`)));
      });
      return agent;
    }

    /** Points the page at the agent and pairs with the code the agent shows. */
    async function pair(page: Page, agent: Agent): Promise<void> {
      await page.getByText('Địa chỉ chương trình ký số').click();
      await page.getByLabel('Địa chỉ', { exact: true }).fill(agent.url);
      await page.getByRole('button', { name: 'OK' }).click();
      await page.getByLabel('Mã ghép nối hiển thị trên chương trình ký số').fill(agent.codes[agent.codes.length - 1]);
      await page.getByRole('button', { name: 'Ghép nối' }).click();
    }

    const validate = async (pdf: Buffer) => (await service.validator.validate(pdf, {})).indication;
    const draftPdf = async (draftId: string) => {
      const chunks: Buffer[] = [];
      const doc = await service.drafts.openDraftDocument({ organId: A.organId, organName: A.name, role: 'signer', keyId: 'test', organIds: [A.organId] }, draftId);
      for await (const c of doc.stream) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    };

    it('when the official signs a draft in the browser through the agent, then it validates, pdfsig agrees, and the agent logged it', async () => {
      const agent = await startAgent('kyso-e2e');
      const { page, done } = await open();
      await signIn(page, user('signer', A));
      await expect(page.locator('h1').first().innerText()).resolves.toBe('Văn bản chờ ký');
      await pair(page, agent);
      await page.getByTestId('agent-token').waitFor();
      await page.getByTestId('draft-file').setInputFiles({ name: 'du-thao.pdf', mimeType: 'application/pdf', buffer: sample('cong-van.pdf') });
      await page.getByLabel('Trích yếu').fill('V/v ban hành quy chế ký số');
      await page.getByRole('button', { name: 'Tải lên dự thảo' }).click();
      await page.getByRole('link', { name: 'V/v ban hành quy chế ký số' }).click();
      await page.getByTestId('signature-image').setInputFiles(path.join(ROOT, 'samples', 'chu-ky-mau.png'));
      const first = page.locator('.pdf-page').first();
      await first.locator('canvas').waitFor();
      // The signing place (lower half of the page) scrolled into the window, where the mouse can reach it.
      await first.scrollIntoViewIfNeeded();
      await page.evaluate('window.scrollBy(0, 450)');
      const box = await first.boundingBox();
      if (!box) throw new Error('no page');
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.55);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.62, { steps: 4 });
      await page.mouse.up();
      await page.getByRole('button', { name: 'Ký số' }).click();
      await expect(page.getByTestId('sign-message').innerText()).resolves.toBe('Đã ký số; văn bản chuyển sang văn thư');
      await page.getByTestId('draft-status').getByText('signed', { exact: true }).waitFor();
      await done('agent-signed-draft', [NOT_AT_DEFAULT]);
      const draft = (await service.models.Draft.findOne({ subject: 'V/v ban hành quy chế ký số' }).lean())!;
      const signed = await draftPdf(draft.draftId);
      expect(await validate(signed)).toBe('TOTAL_PASSED');
      // The stamp carries the handwritten signature image the official picked (the draft had no image).
      expect([sample('cong-van.pdf').includes('/Subtype /Image'), signed.includes('/Subtype /Image')]).toEqual([false, true]);
      const shown = (await service.validator.validate(signed, {})).signatures[0].appearance;
      expect([shown?.page, (shown?.rect[2] ?? 0) - (shown?.rect[0] ?? 0) > 50]).toEqual([0, true]);
      const file = path.join(OUTPUT, `agent-signed-${process.pid}.pdf`);
      writeFileSync(file, signed);
      expect(pdfsig(file)).toMatchObject({ signatures: 1, valid: 1 });
      const lines = readFileSync(agent.log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { server: string; certificate: string });
      expect(lines.map((l) => [l.server, l.certificate.includes('CN=')])).toEqual([[base, true]]);
      const events = await service.audit.list({ organId: A.organId }, 1000);
      expect(events.filter((e) => e.type === 'signing-session.completed').map((e) => e.keyId)).toEqual([`user:${user('signer', A)}`]);
    });

    it('when the official signs five drafts at once, then each gets its own session and all validate', async () => {
      const agent = agents[0];
      const caller = { organId: A.organId, organName: A.name, role: 'signer' as const, keyId: `user:${user('signer', A)}`, organIds: [A.organId] };
      for (let i = 1; i <= 5; i++) await service.drafts.createDraft(caller, { pdf: sample('cong-van.pdf'), fileName: `lo-${i}.pdf`, subject: `Dự thảo hàng loạt ${i}` });
      const { page, done } = await open();
      await signIn(page, user('signer', A));
      await pair(page, agent);
      await page.getByTestId('agent-token').waitFor();
      for (let i = 1; i <= 5; i++) await page.getByRole('checkbox', { name: `Dự thảo hàng loạt ${i}` }).check();
      await page.getByRole('button', { name: 'Ký số 5 văn bản' }).click();
      await page.getByTestId('batch-results').waitFor();
      await expect(page.getByTestId('batch-results').locator('li').allInnerTexts()).resolves.toHaveLength(5);
      await done('agent-batch', [NOT_AT_DEFAULT]);
      const batch = await service.models.Draft.find({ subject: /^Dự thảo hàng loạt/ }).lean();
      expect(batch.map((d) => d.status)).toEqual(['signed', 'signed', 'signed', 'signed', 'signed']);
      const verdicts = [];
      for (const d of batch) verdicts.push(await validate(await draftPdf(d.draftId)));
      expect(verdicts).toEqual(['TOTAL_PASSED', 'TOTAL_PASSED', 'TOTAL_PASSED', 'TOTAL_PASSED', 'TOTAL_PASSED']);
    });

    it('when a page of another origin or an unpaired browser asks the agent, then it is refused', async () => {
      const agent = agents[0];
      const direct = await fetch(`${agent.url}/v1/certificates`, { headers: { Origin: 'https://evil.example' } });
      expect([direct.status, direct.headers.get('access-control-allow-origin'), (await direct.json() as { code: string }).code]).toEqual([403, null, 'ORIGIN_NOT_ALLOWED']);
      const preflight = await fetch(`${agent.url}/v1/sign`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Private-Network': 'true' } });
      expect([preflight.status, preflight.headers.get('access-control-allow-private-network')]).toEqual([403, null]);
      const allowed = await fetch(`${agent.url}/v1/sign`, { method: 'OPTIONS', headers: { Origin: base, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Private-Network': 'true' } });
      expect([allowed.status, allowed.headers.get('access-control-allow-origin'), allowed.headers.get('access-control-allow-private-network')]).toEqual([204, base, 'true']);
      const { page, done } = await open();
      // Another origin in the browser: localhost is not 127.0.0.1.
      await page.goto(`${base.replace('127.0.0.1', 'localhost')}/verify`);
      const foreign = await page.evaluate(`fetch('${agent.url}/v1/certificates').then((r) => 'answered ' + r.status, (e) => 'refused')`);
      expect(foreign).toBe('refused');
      // The allowed origin, but a browser that never paired.
      await page.goto(`${base}/verify`);
      const unpaired = await page.evaluate(`fetch('${agent.url}/v1/certificates').then((r) => r.json()).then((b) => b.code)`);
      expect(unpaired).toBe('AGENT_NOT_PAIRED');
      await done('agent-refused', [/blocked by CORS policy/, /net::ERR_FAILED/]);
    });

    it('when the PIN given at agent start is wrong, or the token is deleted while the agent runs, then the page says so', async () => {
      // Tokens of their own, in token folders of their own (so no other test's token is touched).
      const ownToken = (label: string) => {
        const dir = path.join(OUTPUT, `softhsm-${label}-${process.pid}`);
        rmSync(dir, { recursive: true, force: true });
        const made = spawnSync('bash', [path.join(ROOT, 'scripts', 'setup-softhsm.sh'), dir, PKI, label, PIN_FILE, 'official-rsa:01'], { encoding: 'utf8' });
        expect(made.status).toBe(0);
        return { SOFTHSM2_CONF: path.join(dir, 'softhsm2.conf') };
      };
      const wrongPin = path.join(OUTPUT, `wrong-pin-${process.pid}`);
      writeFileSync(wrongPin, '99999999');
      const bad = await startAgent('kyso-e2e-pin', wrongPin, ownToken('kyso-e2e-pin'));
      const { page, done } = await open();
      await signIn(page, user('signer', A));
      await pair(page, bad);
      await expect(page.getByTestId('agent-error').innerText()).resolves.toBe('Mã PIN của USB ký số không đúng (còn ít lần thử trước khi khóa)');
      await done('agent-wrong-pin', [NOT_AT_DEFAULT]);

      // A token deleted while the agent holds it open.
      const goneEnv = ownToken('kyso-e2e-gone');
      const gone = await startAgent('kyso-e2e-gone', PIN_FILE, goneEnv);
      const second = await open();
      await signIn(second.page, user('signer', A));
      await pair(second.page, gone);
      await second.page.getByTestId('agent-token').waitFor();
      const deleted = spawnSync('softhsm2-util', ['--delete-token', '--token', 'kyso-e2e-gone'], { encoding: 'utf8', env: { ...process.env, ...goneEnv } });
      expect(deleted.status).toBe(0);
      const caller = { organId: A.organId, organName: A.name, role: 'signer' as const, keyId: `user:${user('signer', A)}`, organIds: [A.organId] };
      await service.drafts.createDraft(caller, { pdf: sample('cong-van.pdf'), fileName: 'rut.pdf', subject: 'Dự thảo khi rút USB' });
      await second.page.reload();
      await second.page.getByRole('checkbox', { name: 'Dự thảo khi rút USB' }).check();
      await second.page.getByRole('button', { name: 'Ký số 1 văn bản' }).click();
      await second.page.getByTestId('batch-results').waitFor();
      await expect(second.page.getByTestId('batch-results').innerText()).resolves.toContain('Không tìm thấy USB ký số');
      await second.done('agent-token-removed', [NOT_AT_DEFAULT]);
    });
  });
});
