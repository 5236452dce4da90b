/** `kyso agent` refuses a start it could not serve safely: no allowed origin, or a PIN pad the token lacks. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT, SOFTHSM_MODULE, TOKEN_LABEL } from '../helpers/fixtures';

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
});
