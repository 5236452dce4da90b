import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import { CORPUS, OUTPUT, PKI, ROOT } from '../helpers/fixtures';

/**
 * The built `kyso verify` runs from its bundle with a V8 code cache (src/cli/load-bundle.ts): the first
 * run writes the cache, later runs take it, and what the command reports never depends on it.
 */
mkdirSync(OUTPUT, { recursive: true });
const dir = mkdtempSync(path.join(OUTPUT, 'verify-bundle-'));

describe('loadBundle (a script with its code cache)', () => {
  const script = path.join(dir, 'answer.js');
  const cacheDir = path.join(dir, 'cache');
  writeFileSync(script, 'exports.answer = (n) => n * 6 + Number(require("node:path").sep === "/");\n');
  /** Loads the script in a new process, as each command does (V8 keeps what one process compiled). */
  const load = (folder = cacheDir): { answer: number; accepted: boolean; cacheFile: string; saved: string | null } => {
    const code = `const b = require(${JSON.stringify(path.join(ROOT, 'dist', 'cli', 'load-bundle.js'))}).loadBundle(${JSON.stringify(script)}, ${JSON.stringify(folder)});
      const answer = b.exports.answer(7);
      console.log(JSON.stringify({ answer, accepted: b.cacheAccepted, cacheFile: b.cacheFile, saved: b.saveCache() ?? null }));`;
    const result = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 20_000 });
    if (result.status !== 0) throw new Error(result.stderr);
    return JSON.parse(result.stdout);
  };

  it('when loaded the first time, then V8 has no cache, and after the run one is written for this content', () => {
    const first = load();
    expect(first).toMatchObject({ answer: 43, accepted: false, saved: null });
    expect(readdirSync(cacheDir)).toEqual([path.basename(first.cacheFile)]);
    expect(path.basename(first.cacheFile)).toMatch(/^answer-[0-9a-f]{32}\.v8cache$/);
  });

  it('when loaded again, then V8 takes the cache and it is not written again', () => {
    const written = statSync(load().cacheFile).mtimeMs;
    const again = load();
    expect(again).toMatchObject({ answer: 43, accepted: true, saved: null });
    expect(statSync(again.cacheFile).mtimeMs).toBe(written);
  });

  it('when the cache file is damaged, then V8 refuses it, the script still runs, and a good cache replaces it', () => {
    const cacheFile = load().cacheFile;
    writeFileSync(cacheFile, Buffer.alloc(64, 7));
    expect(load()).toMatchObject({ answer: 43, accepted: false, saved: null });
    expect(load()).toMatchObject({ answer: 43, accepted: true });
  });

  it('when the script changes, then its cache is another file (a cache never serves other code)', () => {
    const before = load().cacheFile;
    writeFileSync(script, 'exports.answer = (n) => n * 7;\n');
    const changed = load();
    expect(changed.cacheFile).not.toBe(before);
    expect(changed).toMatchObject({ answer: 49, accepted: false });
  });

  it('when other users can write the cache folder, then no cache is read or written there (a cache is code)', () => {
    const shared = path.join(dir, 'shared-cache');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const first = load(shared);
    expect(first).toMatchObject({ answer: 49, accepted: false, saved: `${shared} can be written by other users` });
    expect(readdirSync(shared)).toEqual([]);
    // a good cache placed there is not taken either
    copyFileSync(load().cacheFile, path.join(shared, path.basename(first.cacheFile)));
    expect(load(shared).accepted).toBe(false);
  });

  it('when the cache folder cannot be made, then saving says why and nothing else fails', () => {
    const blocked = path.join(dir, 'a-file');
    writeFileSync(blocked, '');
    const loaded = load(path.join(blocked, 'cache'));
    expect(loaded.answer).toBe(49);
    expect(loaded.saved).toBe(`ENOTDIR: not a directory, mkdir '${path.join(blocked, 'cache')}'`);
  });
});

describe('kyso verify as built (bundle, code cache, worker threads)', () => {
  const cli = path.join(ROOT, 'dist', 'cli', 'main.js');
  const folder = path.join(dir, 'documents');
  const cacheDir = path.join(dir, 'kyso-cache');
  // Ten corpus files, enough for the worker threads (from 8 files), with a mixed-case name.
  const names = readFileSync(path.join(CORPUS, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1, 11).map((l) => l.split('\t')[0]);
  mkdirSync(folder);
  names.forEach((name, i) => copyFileSync(path.join(CORPUS, name), path.join(folder, `${i % 2 ? 'B' : 'a'}${i}-${path.basename(name)}`)));
  const run = (env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [cli, 'verify', '--json', '--offline', '--at', '2025-06-01T00:00:00Z', folder], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, KYSO_CACHE_DIR: cacheDir, ...env },
  });
  const reports = (stdout: string) => stdout.trim().split('\n').map((line) => {
    const report = JSON.parse(line) as Record<string, unknown>;
    delete report.validatedAt;
    return JSON.stringify(report).replace(/"time":"[^"]*"/g, '');
  });

  it('when run twice, then the first run writes the cache, the second takes it, and both report exactly what the modules report', async () => {
    const first = run();
    expect(readdirSync(cacheDir)).toHaveLength(1);
    const cacheFile = path.join(cacheDir, readdirSync(cacheDir)[0]);
    const written = statSync(cacheFile).mtimeMs;
    const second = run();
    expect(statSync(cacheFile).mtimeMs).toBe(written);
    let fromModules = '';
    const code = await runCli(['verify', '--json', '--offline', '--at', '2025-06-01T00:00:00Z', folder], (l) => (fromModules += `${l}\n`), () => undefined);
    expect(reports(first.stdout)).toHaveLength(names.length);
    expect(reports(second.stdout)).toEqual(reports(first.stdout));
    expect(reports(fromModules)).toEqual(reports(first.stdout));
    expect([first.status, second.status]).toEqual([code, code]);
    expect(second.stderr).toMatch(/tổng\s+10 \(/);
  });

  it('when the cache cannot be written, then the verification still completes and one line says why', () => {
    const blocked = path.join(dir, 'not-a-folder');
    writeFileSync(blocked, '');
    const result = run({ KYSO_CACHE_DIR: path.join(blocked, 'cache') });
    expect(reports(result.stdout)).toHaveLength(names.length);
    expect(result.stderr).toContain(`kyso: the code cache cannot be written (ENOTDIR: not a directory, mkdir '${path.join(blocked, 'cache')}')`);
  });
});

describe('the kyso command (bin/kyso)', () => {
  const kyso = path.join(ROOT, 'bin', 'kyso');
  const signed = path.join(CORPUS, readFileSync(path.join(CORPUS, 'MANIFEST.tsv'), 'utf8').trim().split('\n')[1].split('\t')[0]);
  const bundle = path.join(dir, 'extra-ca.pem');
  writeFileSync(bundle, readFileSync(path.join(PKI, 'root-ca.pem')));
  // A `node` first on PATH that prints what the command would start Node.js with.
  const fakeBin = path.join(dir, 'fake-node-bin');
  mkdirSync(fakeBin);
  writeFileSync(path.join(fakeBin, 'node'), '#!/bin/sh\necho "NODE_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS-unset} KYSO_EXTRA_CA_CERTS=${KYSO_EXTRA_CA_CERTS-unset} args=$*"\n', { mode: 0o755 });
  const started = (extra: string | undefined, ...args: string[]): string => {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${fakeBin}:${process.env.PATH}` };
    delete env.KYSO_EXTRA_CA_CERTS;
    if (extra === undefined) delete env.NODE_EXTRA_CA_CERTS;
    else env.NODE_EXTRA_CA_CERTS = extra;
    return spawnSync(kyso, args, { encoding: 'utf8', env }).stdout.trim();
  };
  const main = `${ROOT}/bin/../dist/cli/main.js`; // as the command names it

  it('when NODE_EXTRA_CA_CERTS names a readable file, then verify starts Node.js without it and hands it on as KYSO_EXTRA_CA_CERTS', () => {
    expect(started(bundle, 'verify', '--offline', signed)).toBe(`NODE_EXTRA_CA_CERTS=unset KYSO_EXTRA_CA_CERTS=${bundle} args=${main} verify --offline ${signed}`);
  });

  it('when started through a link to it (as node_modules/.bin/kyso is), then it finds dist/cli/main.js beside the script', () => {
    const links = path.join(dir, 'linked-bin');
    mkdirSync(links);
    symlinkSync(kyso, path.join(links, 'kyso'));
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${fakeBin}:${process.env.PATH}` };
    delete env.NODE_EXTRA_CA_CERTS;
    delete env.KYSO_EXTRA_CA_CERTS;
    expect(spawnSync(path.join(links, 'kyso'), ['verify', signed], { encoding: 'utf8', env }).stdout.trim()).toBe(`NODE_EXTRA_CA_CERTS=unset KYSO_EXTRA_CA_CERTS=unset args=${main} verify ${signed}`);
  });

  it('when the command is not verify, or the file cannot be read, or there is none, then Node.js is started as it was asked', () => {
    const missing = path.join(dir, 'missing-ca.pem');
    expect([started(bundle, 'sign', 'x.pdf'), started(missing, 'verify', signed), started(undefined, 'verify', signed)]).toEqual([
      `NODE_EXTRA_CA_CERTS=${bundle} KYSO_EXTRA_CA_CERTS=unset args=${main} sign x.pdf`,
      `NODE_EXTRA_CA_CERTS=${missing} KYSO_EXTRA_CA_CERTS=unset args=${main} verify ${signed}`,
      `NODE_EXTRA_CA_CERTS=unset KYSO_EXTRA_CA_CERTS=unset args=${main} verify ${signed}`,
    ]);
  });

  it('when run for real with an extra authority file, then it reports exactly what dist/cli/main.js reports', () => {
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: bundle, KYSO_CACHE_DIR: path.join(dir, 'kyso-cache') };
    const args = ['verify', '--json', '--offline', '--at', '2025-06-01T00:00:00Z', signed];
    const viaCommand = spawnSync(kyso, args, { encoding: 'utf8', env });
    const viaMain = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', env });
    const report = (stdout: string) => JSON.stringify({ ...JSON.parse(stdout), validatedAt: undefined });
    expect([viaCommand.status, report(viaCommand.stdout), viaCommand.stderr]).toEqual([viaMain.status, report(viaMain.stdout), '']);
  });
});
