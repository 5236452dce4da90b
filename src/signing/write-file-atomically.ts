/** Writes parts to a temporary file next to the target, then renames it: never a half-written output. */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AppError } from '../errors';

export async function writeFileAtomically(target: string, parts: Buffer[] | AsyncIterable<Buffer>): Promise<void> {
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(tmp, 'wx', 0o644);
    if (Array.isArray(parts)) await handle.writev(parts);
    else for await (const part of parts) await handle.write(part);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, target);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw new AppError('OUTPUT_WRITE_FAILED', `cannot write ${target}`, { cause: (error as NodeJS.ErrnoException).code });
  }
}
