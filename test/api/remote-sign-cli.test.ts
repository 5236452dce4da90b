import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import type { Service } from '../../src/compose';
import { findSignatures, PdfFile } from '../../src/pdf';
import { OUTPUT, PIN_FILE, ROOT, SOFTHSM_MODULE, TOKEN_LABEL } from '../helpers/fixtures';
import { openTestService, seedAgencies } from '../helpers/service';

mkdirSync(OUTPUT, { recursive: true });
const dir = mkdtempSync(path.join(OUTPUT, 'remote-'));

describe('kyso sign --remote (the token side of two-phase signing)', () => {
  let service: Service;
  let server: Server;
  let base: string;
  let keyFile: string;
  beforeAll(async () => {
    service = await openTestService();
    const keys = await seedAgencies(service, [{ organId: 'R.01', name: 'Cơ quan R' }]);
    keyFile = path.join(dir, 'api-key');
    writeFileSync(keyFile, keys['R.01'].signer, { mode: 0o600 });
    server = await new Promise<Server>((resolve) => {
      const s = service.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await service.close();
  });

  const run = async (...args: string[]) => {
    let err = '';
    const code = await runCli(args, () => true, (l) => (err += l));
    return { code, err };
  };

  it.each([['official-rsa'], ['official-ec']])('when the official signs with the %s token through the service, then the PDF carries the token signature', async (key) => {
    const out = path.join(dir, `${key}.pdf`);
    const result = await run('sign', path.join(ROOT, 'samples', 'cong-van.pdf'), '-o', out, '--remote', base, '--api-key-file', keyFile,
      '--pkcs11-module', SOFTHSM_MODULE, '--token-label', TOKEN_LABEL, '--key-label', key, '--pin-file', PIN_FILE, '--reason', 'Ký từ xa');
    expect(result).toEqual({ code: 0, err: '' });
    const [sig] = findSignatures(PdfFile.parse(readFileSync(out)));
    expect(sig.subFilter).toBe('ETSI.CAdES.detached');
    // It went through the service: the session is recorded in the audit trail.
    const events = await service.audit.list({});
    expect(events.filter((e) => e.type === 'signing-session.completed')).toHaveLength(key === 'official-rsa' ? 1 : 2);
  });

  it('when the API key is wrong, then the service refusal is printed and nothing is written', async () => {
    const bad = path.join(dir, 'bad-key');
    writeFileSync(bad, 'kyso_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    const out = path.join(dir, 'refused.pdf');
    const result = await run('sign', path.join(ROOT, 'samples', 'cong-van.pdf'), '-o', out, '--remote', base, '--api-key-file', bad,
      '--pkcs11-module', SOFTHSM_MODULE, '--token-label', TOKEN_LABEL, '--key-label', 'official-rsa', '--pin-file', PIN_FILE);
    expect(result.code).toBe(1);
    expect(result.err).toContain('UNAUTHENTICATED');
    expect(existsSync(out)).toBe(false);
  });
});
