import { mkdirSync, mkdtempSync } from 'node:fs';
import * as path from 'node:path';
import { namesBatch, PARALLEL_FROM, parseVerifyArgs } from '../../../src/cli/verify-options';
import { OUTPUT } from '../../helpers/fixtures';

mkdirSync(OUTPUT, { recursive: true });
const dir = mkdtempSync(path.join(OUTPUT, 'verify-options-'));

describe('namesBatch (whether kyso verify starts its worker threads before loading the validator)', () => {
  it('when a folder is named among the files, then it is a batch', () => {
    expect(namesBatch(['--json', 'one.pdf', dir, '--offline'])).toBe(true);
  });

  it('when fewer files than PARALLEL_FROM are named and none is a folder, then it is not a batch; from PARALLEL_FROM files it is', () => {
    const names = Array.from({ length: PARALLEL_FROM }, (_, i) => `f${i}.pdf`);
    expect(PARALLEL_FROM).toBe(8);
    expect(namesBatch(names.slice(1))).toBe(false);
    expect(namesBatch(names)).toBe(true);
  });

  it('when the only folder is the value of an option (--trust), then it is not a batch', () => {
    expect(namesBatch(['--trust', dir, 'one.pdf'])).toBe(false);
  });

  it('when the arguments do not parse, then it is not a batch, and the command\'s own reading reports the error', () => {
    expect(namesBatch(['--no-such-option', dir])).toBe(false);
    expect(() => parseVerifyArgs(['--no-such-option', dir])).toThrow("Unknown option '--no-such-option'");
  });
});
