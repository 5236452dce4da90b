/**
 * Signs a PDF file into another file. The original bytes are copied by the kernel (copy_file_range)
 * while the document is hashed, and only the small incremental update is written from memory, so a
 * 60 MB file costs one read, one hash and one in-kernel copy. Output appears only when complete.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AppError } from '../errors';
import { PdfFile } from '../pdf';
import type { Signer } from '../signers';
import { signPdf, SignPdfOptions } from './sign-pdf';

export async function signPdfFile(input: string, output: string, signer: Signer, options: SignPdfOptions = {}): Promise<{ cms: Buffer }> {
  let bytes: Buffer;
  let before: { size: number; mtimeMs: number };
  try {
    before = await fs.stat(input);
    bytes = await fs.readFile(input);
  } catch (error) {
    throw new AppError('INPUT_NOT_FOUND', `cannot read ${input}`, { cause: (error as NodeJS.ErrnoException).code });
  }
  if (bytes.length !== before.size) throw new AppError('INPUT_NOT_FOUND', `${input} changed while it was being read`);
  const tmp = path.join(path.dirname(output), `.${path.basename(output)}.${randomBytes(6).toString('hex')}.tmp`);
  const copy = fs.copyFile(input, tmp, fs.constants.COPYFILE_EXCL);
  try {
    const file = PdfFile.parse(bytes);
    const result = await signPdf(file, signer, options);
    await copy;
    const after = await fs.stat(input);
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
      throw new AppError('INPUT_NOT_FOUND', `${input} changed while it was being signed`);
    }
    const handle = await fs.open(tmp, 'a');
    try {
      await handle.write(result.parts[1]);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, output);
    return { cms: result.cms };
  } catch (error) {
    await copy.catch(() => undefined);
    await fs.rm(tmp, { force: true });
    if (error instanceof AppError) throw error;
    if ((error as NodeJS.ErrnoException).code) {
      throw new AppError('OUTPUT_WRITE_FAILED', `cannot write ${output}`, { cause: (error as NodeJS.ErrnoException).code });
    }
    throw error;
  }
}
