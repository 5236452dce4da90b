/** The tests are type-checked like the source: a type error anywhere in src/ or test/ fails the run. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

describe('type checking', () => {
  it('when src/ and test/ are compiled with tsconfig.test.json, then there is no type error', () => {
    const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.test.json')], { encoding: 'utf8', timeout: 120_000 });
    expect({ status: result.status, errors: result.stdout.split('\n').filter((l) => l.includes('error TS')) }).toEqual({ status: 0, errors: [] });
  }, 150_000);
});
