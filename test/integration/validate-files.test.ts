import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createValidationContext, DocumentReport, validateInput } from '../../src/validation';
import { validateFiles } from '../../src/validation/validate-files';
import { startBatchWorkers } from '../../src/validation/validator-pool';
import { CORPUS, OUTPUT } from '../helpers/fixtures';

mkdirSync(OUTPUT, { recursive: true });
const dir = mkdtempSync(path.join(OUTPUT, 'validate-files-'));
const junk = path.join(dir, 'not-a-pdf.pdf');
writeFileSync(junk, 'this is not a PDF at all');
// Twelve corpus files of different kinds and sizes (every seventh of the manifest), a file that is no PDF
// and one that does not exist.
const corpusFiles = readFileSync(path.join(CORPUS, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1)
  .map((line) => path.join(CORPUS, line.split('\t')[0]))
  .filter((_, i) => i % 7 === 0)
  .slice(0, 12);
const files = [...corpusFiles, junk, path.join(dir, 'missing.pdf')];
const contextOptions = { trustDirs: [], offline: true };

/** A report without what depends on the moment it was made. */
function stable(report: DocumentReport): unknown {
  return JSON.parse(JSON.stringify(report, (key, value: unknown) => {
    if (key === 'validatedAt') return undefined;
    if (key === 'validationTime' && (value as { source?: string }).source === 'now') return { source: 'now' };
    return value;
  }));
}

describe('validating many files on several threads (kyso verify DIR/)', () => {
  let inThread: unknown[];
  beforeAll(async () => {
    const context = createValidationContext(contextOptions);
    inThread = [];
    for (const file of files) inThread.push(stable(await validateInput({ path: file }, context, { fileName: file })));
  });

  it('when only worker threads validate, each file gets the report this thread would give, in the order given', async () => {
    const seen: number[] = [];
    const reports = await validateFiles(files, contextOptions, {}, { threads: 2, useThisThread: false, onReport: (index) => seen.push(index) });
    expect(corpusFiles.length).toBe(12);
    expect(reports.map((r) => r.file)).toEqual(files);
    expect(reports.map(stable)).toEqual(inThread);
    expect([...seen].sort((a, b) => a - b)).toEqual(files.map((_, i) => i));
    expect(reports[12].error?.code).toBe('PDF_UNREADABLE');
    expect(reports[13].error?.code).toBe('INPUT_UNREADABLE');
  });

  it('when this thread works beside a worker, every file is reported exactly once, in the order given', async () => {
    const seen: number[] = [];
    const reports = await validateFiles(files, contextOptions, {}, { threads: 2, onReport: (index) => seen.push(index) });
    expect(reports.map(stable)).toEqual(inThread);
    expect([...seen].sort((a, b) => a - b)).toEqual(files.map((_, i) => i));
  });

  it('when the worker threads die, the files they did not validate are reported unreadable and the call returns', async () => {
    // A heap of 1 MB cannot even load the validator: the workers die before taking any file.
    const reports = await validateFiles(corpusFiles.slice(0, 3), contextOptions, {}, { threads: 2, useThisThread: false, workerHeapMb: 1 });
    expect(reports.map((r) => [r.file, r.error?.code, r.error?.en])).toEqual(corpusFiles.slice(0, 3).map((file) => [file, 'INPUT_UNREADABLE', `cannot read ${file} (not validated)`]));
  });

  it('when workers were started before the batch was known, they validate it, and those not needed are ended', async () => {
    const started = startBatchWorkers(3);
    const exits = started.map((worker) => new Promise<number>((resolve) => worker.once('exit', resolve)));
    // Two files on two threads: this one and one worker; the other two started workers are not needed.
    const two = corpusFiles.slice(0, 2);
    const reports = await validateFiles(two, contextOptions, {}, { threads: 2, startedWorkers: started });
    expect(reports.map(stable)).toEqual(inThread.slice(0, 2));
    expect(await Promise.all(exits)).toHaveLength(3);
    expect(started.map((worker) => worker.threadId)).toEqual([-1, -1, -1]);
  });

  it('when a worker started early has died before its batch, the batch is validated by the others, each file once', async () => {
    const [dead, alive] = startBatchWorkers(2);
    await dead.terminate();
    const seen: number[] = [];
    const reports = await validateFiles(files, contextOptions, {}, { threads: 3, startedWorkers: [dead, alive], onReport: (index) => seen.push(index) });
    expect(reports.map(stable)).toEqual(inThread);
    expect([...seen].sort((a, b) => a - b)).toEqual(files.map((_, i) => i));
  });

  it('when every worker has loaded its code, then onWorkersLoaded is called once; with no worker, at once', async () => {
    const events: string[] = [];
    const three = corpusFiles.slice(0, 3);
    await validateFiles(three, contextOptions, {}, { threads: 2, useThisThread: false, onWorkersLoaded: () => events.push('loaded'), onReport: (index) => events.push(`report ${index}`) });
    expect([...events].sort()).toEqual(['loaded', 'report 0', 'report 1', 'report 2']);
    let alone = 0;
    await validateFiles(three.slice(0, 1), contextOptions, {}, { threads: 1, onWorkersLoaded: () => alone++ });
    expect(alone).toBe(1);
  });

  it('when workers are started from one copy of the pool module and used from another (the command and its bundle), then both know when they loaded and why they stopped', async () => {
    let other!: typeof import('../../src/validation/validator-pool');
    jest.isolateModules(() => {
      other = require('../../src/validation/validator-pool') as typeof import('../../src/validation/validator-pool');
    });
    expect(other.startBatchWorkers).not.toBe(startBatchWorkers); // a second copy
    const [healthy] = startBatchWorkers(1);
    const [starved] = startBatchWorkers(1, undefined, 1); // a 1 MB heap cannot load the validator
    await Promise.all([other.loadedOf(healthy), other.loadedOf(starved)]);
    expect([healthy.threadId > 0, other.earlyFailureOf(starved)]).toEqual([true, 'the document needs more memory than a validation worker has']);
    await healthy.terminate();
  });
});
