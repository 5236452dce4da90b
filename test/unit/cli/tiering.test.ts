import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from '../../helpers/fixtures';

/**
 * kyso verify raises V8's interrupt budget only while documents are validated (src/cli/tiering.ts). A
 * thread that starts under other flags than a code cache was made with refuses it (Node.js's own cache of
 * its modules, and the bundle's), so the budget must come back to V8's own value exactly. Run in a process
 * of its own: flags are global.
 */
describe('the command line\'s V8 tiering', () => {
  it('when documents begin, a thread started then refuses a code cache made before; once they end, a new thread takes it', () => {
    const tiering = path.join(ROOT, 'dist', 'cli', 'tiering.js');
    const script = `
      const { Worker } = require('node:worker_threads');
      const { Script } = require('node:vm');
      const tiering = require(${JSON.stringify(tiering)});
      const source = 'function add(a, b) { return a + b; } add(1, 2);';
      const cachedData = new Script(source, { filename: 'add.js' }).createCachedData();
      const inThread = () => new Promise((resolve) => new Worker(
        "const { workerData, parentPort } = require('node:worker_threads'); const { Script } = require('node:vm');" +
        "parentPort.postMessage(!new Script(workerData.source, { filename: 'add.js', cachedData: Buffer.from(workerData.cachedData) }).cachedDataRejected)",
        { eval: true, workerData: { source, cachedData } },
      ).once('message', resolve));
      (async () => {
        const before = await inThread();
        tiering.documentsBegin({ bytes: 1024 });
        const during = await inThread();
        tiering.documentsEnd();
        const after = await inThread();
        console.log(JSON.stringify({ v8: process.versions.v8.split('.').slice(0, 2).join('.'), before, during, after }));
      })();
    `;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(JSON.parse(run.stdout)).toEqual({ v8: '11.3', before: true, during: false, after: true });
  });

  it('when a batch is small, then only the byte loops (functions named scan…) are optimised; when it is large, every hot function is', () => {
    const tiering = path.join(ROOT, 'dist', 'cli', 'tiering.js');
    const optimised = (bytes: number): Record<string, boolean> => {
      const script = `
        const tiering = require(${JSON.stringify(tiering)});
        tiering.documentsBegin({ bytes: ${bytes} });
        function scanHot(n) { let s = 0; for (let i = 0; i < n; i++) s += (i * i) % 7; return s; }
        function hot(n) { let s = 0; for (let i = 0; i < n; i++) s += (i * i) % 7; return s; }
        for (let i = 0; i < 3000; i++) { scanHot(2000); hot(2000); }
        const status = (f) => (%GetOptimizationStatus(f) & 16) !== 0;
        console.log(JSON.stringify({ scanHot: status(scanHot), hot: status(hot) }));
      `;
      // Optimised in this thread (not in the background), so the answer is known when the loop ends.
      const run = spawnSync(process.execPath, ['--allow-natives-syntax', '--no-concurrent-recompilation', '-e', script], { encoding: 'utf8' });
      return JSON.parse(run.stdout) as Record<string, boolean>;
    };
    expect([optimised(15 * 1024 * 1024), optimised(120 * 1024 * 1024)]).toEqual([{ scanHot: true, hot: false }, { scanHot: true, hot: true }]);
  });
});
