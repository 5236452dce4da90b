/**
 * `kyso edxml pack|unpack|inspect`: edXML packages (QCVN 102:2016) on the command line. Packing streams the
 * files into the package and unpacking streams the attachments out, so packages of any size pass through
 * in constant memory; outputs are written through a temporary file and a rename.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readFileSync, renameSync, rmSync, statSync, WriteStream } from 'node:fs';
import { once } from 'node:events';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { edxmlDocumentId, EdxmlManifestEntry, EdxmlMessage, EdxmlPackage, formatEdxmlDate, ORGAN_ID_PATTERN, readEdxml, writeEdxmlMessage } from '../edxml';
import { AppError } from '../errors';
import { writeFileAtomically } from '../signing';
import { EDXML_USAGE } from './usage';

const organ = z.object({
  organId: z.string().regex(ORGAN_ID_PATTERN), organName: z.string().min(1).max(300), organizationInCharge: z.string().max(300).optional(),
  organAdd: z.string().max(300).optional(), email: z.string().max(200).optional(), telephone: z.string().max(50).optional(), fax: z.string().max(50).optional(), website: z.string().max(200).optional(),
});
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD').transform((d) => new Date(`${d}T00:00:00Z`)).refine((d) => !Number.isNaN(d.getTime()), 'must be a date');

/** The header a clerk writes for `pack` (JSON): what the package says about the document. */
const headerSchema = z.object({
  from: organ, to: z.array(organ).min(1).max(500), codeNumber: z.string().min(1).max(20), codeNotation: z.string().min(1).max(50), issuedDate: day,
  subject: z.string().min(1).max(2000), content: z.string().max(20000).optional(), promulgationPlace: z.string().max(200).optional(),
  documentType: z.object({ type: z.string().max(20).optional(), typeName: z.string().max(100).optional() }).optional(),
  signer: z.object({ competence: z.string().max(200).optional(), position: z.string().max(200).optional(), fullName: z.string().max(200).optional() }).optional(),
  dueDate: day.optional(), priority: z.number().int().min(0).max(3).default(0), businessKind: z.number().int().min(0).max(3).default(0),
  toPlaces: z.array(z.string().max(300)).max(500).default([]), sphereOfPromulgation: z.string().max(200).optional(), typerNotation: z.string().max(50).optional(),
  pageAmount: z.number().int().min(0).optional(), steeringType: z.number().int().min(0).max(9).optional(),
});

const contentTypeOf = (name: string) => (name.toLowerCase().endsWith('.pdf') ? 'application/pdf' : name.toLowerCase().endsWith('.xml') ? 'application/xml' : 'application/octet-stream');

function readHeader(file: string): z.infer<typeof headerSchema> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AppError('USAGE', `cannot read the header ${file} as JSON (${(error as Error).message})`);
  }
  const parsed = headerSchema.safeParse(raw);
  if (!parsed.success) throw new AppError('USAGE', `header ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

async function pack(argv: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: {
    header: { type: 'string' }, attachment: { type: 'string', multiple: true }, output: { type: 'string', short: 'o' },
  } });
  if (positionals.length !== 1 || !values.header || !values.output) throw new AppError('USAGE', EDXML_USAGE);
  const h = readHeader(values.header);
  const files = [positionals[0], ...(values.attachment ?? [])];
  for (const f of files) {
    try {
      if (!statSync(f).isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    } catch (error) {
      throw new AppError('INPUT_NOT_FOUND', `cannot read ${f} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const manifest: EdxmlManifestEntry[] = files.map((f, i) => ({
    contentId: `cid:${i + 1}.${createHash('sha256').update(`${h.from.organId}|${formatEdxmlDate(h.issuedDate)}|${h.codeNumber}/${h.codeNotation}|${i}`).digest('hex').slice(0, 16)}@kyso`,
    contentType: contentTypeOf(f), attachmentName: path.basename(f), description: i === 0 ? 'Văn bản chính' : 'Phụ lục',
  }));
  const message: EdxmlMessage = {
    from: h.from, to: h.to, codeNumber: h.codeNumber, codeNotation: h.codeNotation, promulgationPlace: h.promulgationPlace, promulgationDate: h.issuedDate,
    documentType: h.documentType, subject: h.subject, content: h.content, signer: h.signer, dueDate: h.dueDate ?? null, toPlaces: h.toPlaces,
    otherInfo: { priority: h.priority, sphereOfPromulgation: h.sphereOfPromulgation, typerNotation: h.typerNotation, promulgationAmount: h.to.length, pageAmount: h.pageAmount, appendixes: files.slice(1).map((f) => path.basename(f)) },
    steeringType: h.steeringType, documentId: edxmlDocumentId(h.from.organId, h.issuedDate, h.codeNumber, h.codeNotation),
    trace: [{ organId: h.from.organId, timestamp: new Date() }], business: { docType: h.businessKind }, manifest,
  };
  await writeFileAtomically(values.output, writeEdxmlMessage(message, manifest.map((entry, i) => ({ entry, open: () => createReadStream(files[i]) }))));
  out(`edXML: ${values.output} (${message.documentId}; ${files.length} file${files.length === 1 ? '' : 's'})`);
  return 0;
}

/** A file name of a package made safe to write into a folder: no path, no control characters, never hidden. */
function safeName(name: string, index: number, taken: Set<string>): string {
  // eslint-disable-next-line no-control-regex
  let base = path.basename(name.replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f/:*?"<>|]/g, '_').replace(/^\.+/, '_').slice(0, 200) || `attachment-${index + 1}`;
  while (taken.has(base)) base = `${index + 1}-${base}`;
  taken.add(base);
  return base;
}

function summary(pkg: EdxmlPackage, files: Array<{ name: string; size: number; sha256: string; contentType: string }>): Record<string, unknown> {
  if (pkg.kind === 'status') return { kind: 'status', ...pkg.status };
  const m = pkg.message;
  return {
    kind: 'message', documentId: m.documentId, from: m.from, to: m.to, code: `${m.codeNumber}/${m.codeNotation}`, promulgationDate: formatEdxmlDate(m.promulgationDate),
    place: m.promulgationPlace, subject: m.subject, documentType: m.documentType, signer: m.signer, priority: m.otherInfo.priority, businessDocType: m.business.docType,
    responseFor: m.responseFor, trace: m.trace, attachments: files,
  };
}

async function read(file: string, sinkFor: (entry: EdxmlManifestEntry) => WriteStream | undefined) {
  const files: Array<{ name: string; size: number; sha256: string; contentType: string }> = [];
  const pkg = await readEdxml(createReadStream(file), (entry) => {
    const hash = createHash('sha256');
    const target = sinkFor(entry);
    let size = 0;
    return {
      write: (bytes) => {
        hash.update(bytes);
        size += bytes.length;
        if (target && !target.write(bytes)) return once(target, 'drain').then(() => undefined);
        return undefined;
      },
      end: async () => {
        files.push({ name: entry.attachmentName, size, sha256: hash.digest('hex'), contentType: entry.contentType });
        if (target) {
          target.end();
          await once(target, 'close');
        }
      },
      abort: async () => {
        target?.destroy();
      },
    };
  }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('INPUT_NOT_FOUND', `cannot read ${file}`);
    throw error;
  });
  return { pkg, files };
}

async function unpack(argv: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { dir: { type: 'string', short: 'd' } } });
  if (positionals.length !== 1 || !values.dir) throw new AppError('USAGE', EDXML_USAGE);
  // Everything goes to a fresh folder beside the target that becomes it only when the whole package was read.
  const target = path.resolve(values.dir);
  const staging = `${target}.${process.pid}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const taken = new Set(['header.json']);
  try {
    const { pkg, files } = await read(positionals[0], (entry) => createWriteStream(path.join(staging, safeName(entry.attachmentName, taken.size - 1, taken)), { flags: 'wx' }));
    await writeFileAtomically(path.join(staging, 'header.json'), [Buffer.from(`${JSON.stringify(summary(pkg, files), null, 2)}\n`)]);
    renameSync(staging, target);
    out(`unpacked ${positionals[0]} into ${values.dir}: header.json${files.map((f) => `, ${f.name}`).join('')}`);
    return 0;
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if ((error as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new AppError('OUTPUT_WRITE_FAILED', `${values.dir} exists and is not empty`);
    }
    throw error;
  }
}

async function inspect(argv: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
  if (positionals.length !== 1) throw new AppError('USAGE', EDXML_USAGE);
  const { pkg, files } = await read(positionals[0], () => undefined);
  const s = summary(pkg, files);
  if (values.json) {
    out(JSON.stringify(s, null, 2));
    return 0;
  }
  if (pkg.kind === 'status') {
    const st = pkg.status;
    out(`edXML Status ${st.statusCode} from ${st.from.organId} (${st.from.organName}) for ${st.responseFor.documentId}${st.description ? `: ${st.description}` : ''}`);
    return 0;
  }
  const m = pkg.message;
  out(`edXML ${m.documentId}`);
  out(`  From:     ${m.from.organId} ${m.from.organName}`);
  for (const t of m.to) out(`  To:       ${t.organId} ${t.organName}`);
  out(`  Số/KH:    ${m.codeNumber}/${m.codeNotation}   ngày ${formatEdxmlDate(m.promulgationDate)}${m.promulgationPlace ? `, ${m.promulgationPlace}` : ''}`);
  out(`  Trích yếu: ${m.subject}`);
  if (m.signer?.fullName) out(`  Người ký: ${[m.signer.competence, m.signer.position, m.signer.fullName].filter(Boolean).join(' ')}`);
  for (const f of files) out(`  ${f.name}  ${f.contentType}  ${f.size} bytes  sha256 ${f.sha256}`);
  return 0;
}

export async function runEdxmlCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'pack') return pack(rest, out);
  if (sub === 'unpack') return unpack(rest, out);
  if (sub === 'inspect') return inspect(rest, out);
  throw new AppError('USAGE', EDXML_USAGE);
}
