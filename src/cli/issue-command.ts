/**
 * `kyso issue`: the clerical cycle of an outgoing document from the command line.
 *   kyso issue places IN.pdf -o OUT.pdf --number-at P:X1:Y1:X2:Y2 --date-at P:X1:Y1:X2:Y2   (locally, before the official signs)
 *   kyso issue IN.pdf -o OUT.pdf --remote URL --api-key-file F --notation UBND-VP [--place 'Hà Nội'] [--seal P:X1:Y1:X2:Y2]
 * The number comes from the agency's outgoing register, so issuing goes through the service (a clerk's key).
 */
import { parseArgs } from 'node:util';
import { AppError } from '../errors';
import { addTextFields, PdfFile } from '../pdf';
import { readSecret } from '../signers';
import { parsePlacement, writeFileAtomically } from '../signing';
import { callService, serviceProblem } from './remote-sign';
import { readInput } from './sign-command';
import { ISSUE_USAGE } from './usage';

export async function runIssueCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const places = argv[0] === 'places';
  const { values, positionals } = parseArgs({
    args: places ? argv.slice(1) : argv,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      'number-at': { type: 'string' }, 'date-at': { type: 'string' },
      'number-field': { type: 'string' }, 'date-field': { type: 'string' },
      remote: { type: 'string' }, 'api-key-file': { type: 'string' },
      notation: { type: 'string' }, place: { type: 'string' }, seal: { type: 'string' },
    },
  });
  if (positionals.length !== 1 || !values.output) throw new AppError('USAGE', ISSUE_USAGE);
  const pdf = await readInput(positionals[0]);
  if (places) {
    if (!values['number-at'] || !values['date-at']) throw new AppError('USAGE', ISSUE_USAGE);
    const file = PdfFile.parse(pdf);
    const numberAt = parsePlacement(values['number-at']);
    const dateAt = parsePlacement(values['date-at']);
    const withPlaces = addTextFields(file, [
      { name: values['number-field'] ?? 'SoKyHieu', ...numberAt },
      { name: values['date-field'] ?? 'NgayBanHanh', ...dateAt },
    ]);
    await writeFileAtomically(values.output, [withPlaces]);
    out(`places added: ${positionals[0]} → ${values.output}`);
    return 0;
  }
  if (!values.remote || !values['api-key-file'] || !values.notation) throw new AppError('USAGE', ISSUE_USAGE);
  const apiKey = readSecret({ file: values['api-key-file'] }, 'API key');
  const query = new URLSearchParams({ notation: values.notation });
  for (const [key, option] of [['place', 'place'], ['seal', 'seal'], ['numberAt', 'number-at'], ['dateAt', 'date-at'], ['numberField', 'number-field'], ['dateField', 'date-field']] as const) {
    const value = values[option];
    if (value) query.set(key, value);
  }
  const base = values.remote.replace(/\/+$/, '');
  const response = await callService(base, `/v1/issuances?${query}`, {
    method: 'POST', headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/pdf' }, body: new Uint8Array(pdf),
  });
  if (response.status !== 200) await serviceProblem(response, 'INVALID_REQUEST');
  await writeFileAtomically(values.output, [Buffer.from(await response.arrayBuffer())]);
  const number = `${response.headers.get('kyso-register-number')}/${decodeURIComponent(response.headers.get('kyso-notation') ?? '')}`;
  out(`issued ${number} on ${response.headers.get('kyso-issued-date')}: ${positionals[0]} → ${values.output}`);
  return 0;
}
