/**
 * Signs a PDF file into another file without holding the document: the parser reads only the trailer,
 * the cross-reference sections and the objects the update needs; the byte ranges are hashed a megabyte at
 * a time; the original is copied by the kernel (copy_file_range) while it is hashed, and only the small
 * incremental update is written from memory. Memory stays the same whatever the file's size. The output
 * appears, complete, only by a rename.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AppError } from '../errors';
import { FileSource, PdfFile } from '../pdf';
import type { Signer } from '../signers';
import { signPdf, SignPdfOptions } from './sign-pdf';

/** A PDF file opened for signing: its structure read once, for the caller's checks and for the signature. */
export interface OpenedPdf {
  path: string;
  file: PdfFile;
  /** Size and time when it was opened: a file that changes before it is signed is refused. */
  opened: { size: number; mtimeMs: number };
  /** Closes the file (once; later calls do nothing). */
  close(): void;
}

export async function openPdfForSigning(input: string): Promise<OpenedPdf> {
  const source = FileSource.open(input);
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    source.close();
  };
  try {
    const { size, mtimeMs } = await fs.stat(input);
    return { path: input, file: PdfFile.parse(source), opened: { size, mtimeMs }, close };
  } catch (error) {
    close();
    throw error;
  }
}

/** Signs `input` (a path, or a file opened for signing, which this closes) into `output`. */
export async function signPdfFile(input: string | OpenedPdf, output: string, signer: Signer, options: SignPdfOptions = {}): Promise<{ cms: Buffer }> {
  const pdf = typeof input === 'string' ? await openPdfForSigning(input) : input;
  const before = pdf.opened;
  const tmp = path.join(path.dirname(output), `.${path.basename(output)}.${randomBytes(6).toString('hex')}.tmp`);
  const copy = fs.copyFile(pdf.path, tmp, fs.constants.COPYFILE_EXCL);
  try {
    const result = await signPdf(pdf.file, signer, options);
    await copy;
    const after = await fs.stat(pdf.path);
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs || after.size !== pdf.file.length) {
      throw new AppError('INPUT_NOT_FOUND', `${pdf.path} changed while it was being signed`);
    }
    const handle = await fs.open(tmp, 'a');
    try {
      await handle.write(result.update);
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
  } finally {
    pdf.close();
  }
}
