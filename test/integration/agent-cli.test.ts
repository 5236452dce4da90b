/**
 * `kyso agent` refuses a start it could not serve safely (no allowed origin, or a PIN pad the token lacks),
 * and with --isolate keeps the token's module in a child process whose death the agent survives.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { OUTPUT, PIN_FILE, ROOT, SOFTHSM_MODULE, TOKEN_LABEL } from '../helpers/fixtures';
import { stopProcess } from '../helpers/ocsp-responder';

const agent = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'agent', ...args], { encoding: 'utf8', timeout: 20_000 });

describe('kyso agent start-up', () => {
  it('when no page origin is allowed, then it refuses to start', () => {
    const r = agent('--pkcs11-module', SOFTHSM_MODULE, '--token-label', TOKEN_LABEL, '--key-label', 'official-rsa', '--protected-auth');
    expect([r.status, r.stderr.trim()]).toEqual([2, 'kyso: USAGE: give each allowed page origin with --allow-origin https://host[:port]']);
  });

  it('when --protected-auth names a token without a PIN pad, then it says so instead of logging in without a PIN', () => {
    const r = agent('--pkcs11-module', SOFTHSM_MODULE, '--token-label', TOKEN_LABEL, '--key-label', 'official-rsa', '--protected-auth', '--allow-origin', 'https://kyso.example');
    expect([r.status, r.stderr.trim()]).toEqual([2, `kyso: USAGE: token '${TOKEN_LABEL}' has no PIN pad (protected authentication path): give the PIN instead`]);
  });

  it('when --isolate is given with --protected-auth for a token without a PIN pad, then the module\'s process says so the same way', () => {
    const r = agent('--pkcs11-module', SOFTHSM_MODULE, '--token-label', TOKEN_LABEL, '--key-label', 'official-rsa', '--protected-auth', '--isolate', '--allow-origin', 'https://kyso.example');
    expect([r.status, r.stderr.trim()]).toEqual([2, `kyso: USAGE: token '${TOKEN_LABEL}' has no PIN pad (protected authentication path): give the PIN instead`]);
  });

  describe('with --isolate', () => {
    let child: ChildProcess;
    let url = '';
    const origin = 'https://kyso.example';
    const maps = (pid: number) => readFileSync(`/proc/${pid}/maps`, 'utf8');
    const hostOf = (pid: number): number[] => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    const status = async () => (await fetch(`${url}/v1/status`, { headers: { Origin: origin } }).then((r) => r.json())) as { token: { ok: boolean; subject: string } };

    beforeAll(async () => {
      child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli', 'main.js'), 'agent', '--pkcs11-module', SOFTHSM_MODULE, '--token-label', TOKEN_LABEL, '--key-label', 'official-rsa',
        '--port', '0', '--allow-origin', origin, '--pin-file', PIN_FILE, '--state-dir', path.join(OUTPUT, `agent-isolated-${process.pid}`), '--isolate'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      url = await new Promise<string>((resolve, reject) => {
        child.stdout?.on('data', (c: Buffer) => {
          text += c.toString();
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
          if (m) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`kyso agent exited ${code}: ${text}`)));
      });
    }, 30_000);
    afterAll(() => stopProcess(child));

    it('when it runs, then the token\'s module is loaded in its child process only and the page sees the token', async () => {
      const hosts = hostOf(child.pid as number);
      expect(hosts).toHaveLength(1);
      expect([maps(child.pid as number).includes('libsofthsm2'), maps(hosts[0]).includes('libsofthsm2')]).toEqual([false, true]);
      expect((await status()).token).toMatchObject({ ok: true, subject: 'C=VN, OU=Văn phòng, O=Bộ Thử nghiệm, CN=Nguyễn Văn An' });
    });

    it('when the module\'s process dies, then the agent keeps answering', async () => {
      const [host] = hostOf(child.pid as number);
      process.kill(host, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 200));
      expect(child.exitCode).toBeNull();
      expect((await status()).token.ok).toBe(true);
    });
  });
});
