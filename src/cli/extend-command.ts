/**
 * `kyso extend`: takes a signed PDF to PAdES B-LT (validation data in the DSS) or B-LTA (and a document
 * timestamp), after validating it online; the result is written atomically.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AppError } from '../errors';
import { extendSignatures } from '../extension';
import { createHttpTimestampAuthority } from '../network';
import { writeFileAtomically } from '../signing';
import { createValidationContext } from '../validation';
import { EXTEND_USAGE } from './usage';

export async function runExtendCommand(argv: string[], out: (line: string) => void, defaultTrustDir: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      level: { type: 'string', default: 'B-LTA' },
      tsa: { type: 'string' },
      trust: { type: 'string', multiple: true },
      intermediates: { type: 'string', multiple: true },
      revocation: { type: 'string', default: 'soft' },
    },
  });
  if (positionals.length !== 1 || !values.output) throw new AppError('USAGE', EXTEND_USAGE);
  if (values.level !== 'B-LT' && values.level !== 'B-LTA') throw new AppError('USAGE', `--level must be B-LT or B-LTA, not ${values.level}`);
  if (values.revocation !== 'soft' && values.revocation !== 'hard') throw new AppError('USAGE', `--revocation must be soft or hard, not ${values.revocation}`);
  let input: Buffer;
  try {
    input = readFileSync(positionals[0]);
  } catch (error) {
    throw new AppError('INPUT_NOT_FOUND', `cannot read ${positionals[0]} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const context = createValidationContext({
    trustDirs: values.trust ?? [defaultTrustDir], intermediateDirs: values.intermediates ?? [], offline: false, revocationMode: values.revocation,
  });
  const result = await extendSignatures(input, context, { level: values.level, tsa: values.tsa ? createHttpTimestampAuthority(values.tsa) : undefined });
  await writeFileAtomically(values.output, [result.pdf]);
  out(`${values.level}: ${values.output} (DSS + ${result.added.certificates} certificates, ${result.added.ocsps} OCSP responses, ${result.added.crls} CRLs${values.level === 'B-LTA' ? ', document timestamp' : ''})`);
  return 0;
}
