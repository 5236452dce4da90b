/**
 * Loads a command's bundle (one script built from its modules, see scripts/bundle-cli.mjs) with a V8 code
 * cache: the bytecode of every function a run compiled, written after the first run and read by the next
 * ones, in the main thread and in the worker threads alike. A short command spends more of its time
 * compiling the validator than running it; with the cache a run starts from compiled code.
 *
 * The cache is one file per bundle content and Node.js version, in KYSO_CACHE_DIR, else
 * $XDG_CACHE_HOME/kyso, else ~/.cache/kyso. V8 refuses a cache made by another V8 or with other flags;
 * such a cache is written again. A cache that cannot be written costs only the speed, and says why once.
 * A cache is code: it is read and written only where no other user can write (the file and its folder
 * belong to this user and are not writable by group or others).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { Script } from 'node:vm';

export interface LoadedBundle<T> {
  exports: T;
  /** Where the code cache of this bundle is kept. */
  cacheFile: string;
  /** Whether V8 took the cache (false: there was none, or V8 refused it). */
  cacheAccepted: boolean;
  /**
   * Writes the cache after a run (the functions compiled so far are in it) unless V8 took the one there;
   * returns the reason when it cannot be written.
   */
  saveCache(): string | undefined;
}

export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KYSO_CACHE_DIR) return env.KYSO_CACHE_DIR;
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'kyso');
}

/** Why `target` may not hold code this user runs (another user could write it), or undefined. */
function writableByOthers(target: string): string | undefined {
  if (!process.getuid) return undefined; // no owners to compare (Windows)
  const stat = statSync(target);
  if (stat.uid !== process.getuid()) return `${target} belongs to another user`;
  if (stat.mode & 0o022) return `${target} can be written by other users`;
  return undefined;
}

export function loadBundle<T>(file: string, cacheDir: string = codeCacheDir()): LoadedBundle<T> {
  const source = readFileSync(file, 'utf8');
  const key = createHash('sha256').update(source).update(`\0${process.version}\0${process.arch}`).digest('hex').slice(0, 32);
  const cacheFile = path.join(cacheDir, `${path.basename(file, '.js')}-${key}.v8cache`);
  let cachedData: Buffer | undefined;
  try {
    const unsafe = writableByOthers(cacheDir) ?? writableByOthers(cacheFile);
    cachedData = unsafe ? undefined : readFileSync(cacheFile);
  } catch {
    cachedData = undefined; // no cache yet: this run writes it
  }
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
  const cacheAccepted = cachedData !== undefined && !script.cachedDataRejected;
  const bundleModule = { exports: {} as T };
  (script.runInThisContext() as (...args: unknown[]) => void)(bundleModule.exports, createRequire(file), bundleModule, file, path.dirname(file));
  return {
    exports: bundleModule.exports,
    cacheFile,
    cacheAccepted,
    saveCache() {
      if (cacheAccepted) return undefined;
      const partial = `${cacheFile}.${process.pid}.tmp`;
      try {
        mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
        const unsafe = writableByOthers(cacheDir);
        if (unsafe) return unsafe;
        // Written beside and renamed: two commands finishing together never leave half a cache.
        writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
        renameSync(partial, cacheFile);
        return undefined;
      } catch (error) {
        return (error as { message?: string }).message ?? String(error);
      }
    },
  };
}
