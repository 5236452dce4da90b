/** Runs the interop peers (poppler pdfsig, pyHanko). A missing peer fails the test: it is never skipped. */
import { execFile, execFileSync, spawnSync } from 'node:child_process';

export function pdfsig(file: string): { valid: number; signatures: number; lastTotal: boolean; text: string } {
  const result = spawnSync('pdfsig', [file], { encoding: 'utf8' });
  if (result.error) throw new Error(`pdfsig is not installed: ${result.error.message}`);
  const text = result.stdout;
  const blocks = text.split(/^Signature #\d+:/m).slice(1);
  return {
    signatures: blocks.length,
    valid: blocks.filter((b) => b.includes('Signature Validation: Signature is Valid.')).length,
    lastTotal: blocks.length > 0 && blocks[blocks.length - 1].includes('Total document signed'),
    text,
  };
}

export interface PyHankoField {
  name: string;
  sound: boolean;
  trusted: boolean;
  judgedValid: boolean;
  text: string;
}

/** hybrid: pyHanko refuses hybrid-reference files unless told to (--no-strict-syntax), by design. */
export function pyhankoValidate(file: string, trustPem: string, options: { hybrid?: boolean } = {}): PyHankoField[] {
  const args = ['sign', 'validate', '--no-revocation-check', '--trust', trustPem, '--trust-replace', '--pretty-print',
    ...(options.hybrid ? ['--no-strict-syntax'] : []), file];
  let text: string;
  try {
    text = execFileSync('pyhanko', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { code?: string; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('pyhanko is not installed (pip install pyhanko pyhanko-cli)');
    text = `${e.stdout ?? ''}${e.stderr ?? ''}`;
  }
  return parseFields(text);
}

/**
 * pyHanko's AdES validation (past validation with the DSS and document timestamps, revocation checked
 * online), run asynchronously so responders served by this process keep answering.
 */
/** `validationTime`: pyHanko validates as of then, from the document's own validation data (no fetching). */
export function pyhankoAdesVerify(file: string, trustPem: string, validationTime?: string): Promise<PyHankoField[]> {
  const at = validationTime ? ['--validation-time', validationTime] : [];
  return new Promise((resolve, reject) => {
    execFile('pyhanko', ['sign', 'adesverify', '--trust', trustPem, '--trust-replace', '--pretty-print', ...at, file], { encoding: 'utf8' }, (error, stdout, stderr) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') reject(new Error('pyhanko is not installed (pip install pyhanko pyhanko-cli)'));
      else resolve(parseFields(`${stdout}${stderr}`));
    });
  });
}

function parseFields(text: string): PyHankoField[] {
  return text.split(/^=+\nField \d+: /m).slice(1).map((block) => ({
    name: block.split('\n')[0].trim(),
    sound: block.includes('The signature is cryptographically sound.'),
    trusted: block.includes("The signer's certificate is trusted."),
    judgedValid: block.includes('The signature is judged VALID.'),
    text: block,
  }));
}
