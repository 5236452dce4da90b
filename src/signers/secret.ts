/**
 * Reads a secret (PIN, passphrase) from a file or an environment variable, never from a command-line
 * argument that other users can see in `ps`. The value is never logged or put in an error message.
 */
import { readFileSync } from 'node:fs';
import { AppError } from '../errors';

export interface SecretSource {
  file?: string;
  env?: string;
}

export function readSecret(source: SecretSource, what: string): string {
  if (source.file) {
    try {
      return readFileSync(source.file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new AppError('SECRET_UNREADABLE', `cannot read the ${what} file ${source.file}`, {
        cause: (error as NodeJS.ErrnoException).code,
      });
    }
  }
  if (source.env) {
    const value = process.env[source.env];
    if (value === undefined) throw new AppError('SECRET_UNREADABLE', `environment variable ${source.env} (${what}) is not set`);
    return value;
  }
  throw new AppError('USAGE', `no ${what} given (use a file or an environment variable)`);
}
