/**
 * Appends an incremental update (ISO 32000-1 §7.5.6): new and changed objects, then a cross-reference
 * section of the same kind as the file's last one (table or stream, §7.5.8) chained with /Prev. Earlier
 * bytes are never touched, so every earlier signature keeps covering exactly what it signed.
 */
import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { name, PdfDict, PdfObject, PdfRef, PdfStream, PdfString } from './objects';
import { PdfFile } from './pdf-file';
import { serializeObject } from './serialize-object';

export interface UpdatedObject {
  ref: PdfRef;
  value: PdfObject;
}

export interface IncrementalUpdate {
  /** Bytes to append to the original file. */
  bytes: Buffer;
  /** Absolute offset (in the updated file) of each written object, by object number. */
  offsets: Map<number, number>;
}

export function writeIncrementalUpdate(file: PdfFile, objects: UpdatedObject[]): IncrementalUpdate {
  const base = file.length;
  const parts: string[] = [];
  let length = 0;
  const push = (text: string): void => {
    parts.push(text);
    length += text.length;
  };
  const last = file.read(base - 1, base)[0];
  if (last !== 0x0a && last !== 0x0d) push('\n');
  const offsets = new Map<number, number>();
  for (const { ref, value } of objects) {
    offsets.set(ref.num, base + length);
    push(`${ref.num} ${ref.gen} obj\n${serializeObject(value)}\nendobj\n`);
  }
  const trailer = buildTrailer(file);
  const useStream = file.xref.sections[0].kind === 'stream';
  const xrefOffset = base + length;
  if (useStream) {
    const xrefNum = Math.max(file.size, ...objects.map((o) => o.ref.num + 1));
    offsets.set(xrefNum, xrefOffset);
    trailer.set('Size', xrefNum + 1);
    push(`${xrefNum} 0 obj\n${serializeObject(buildXrefStream(trailer, offsets, objects, xrefNum))}\nendobj\n`);
  } else {
    trailer.set('Size', Math.max(file.size, ...objects.map((o) => o.ref.num + 1)));
    push(`${buildXrefTable(offsets, objects)}trailer\n${serializeObject(trailer)}\n`);
  }
  push(`startxref\n${xrefOffset}\n%%EOF\n`);
  return { bytes: Buffer.from(parts.join(''), 'latin1'), offsets };
}

function buildTrailer(file: PdfFile): PdfDict {
  const old = file.trailer;
  const trailer = new PdfDict();
  trailer.set('Size', 0);
  for (const key of ['Root', 'Info', 'Encrypt']) {
    const v = old.get(key);
    if (v !== undefined) trailer.set(key, v);
  }
  // §14.4: the first ID element is permanent; the second changes with each update.
  const id = old.get('ID');
  const first = Array.isArray(id) && id[0] instanceof PdfString ? id[0] : new PdfString(randomBytes(16), true);
  trailer.set('ID', [new PdfString(first.bytes, true), new PdfString(randomBytes(16), true)]);
  trailer.set('Prev', file.xref.startxref);
  return trailer;
}

function groupRuns(nums: number[]): Array<[number, number[]]> {
  const sorted = [...new Set(nums)].sort((a, b) => a - b);
  const runs: Array<[number, number[]]> = [];
  for (const n of sorted) {
    const run = runs[runs.length - 1];
    if (run && run[0] + run[1].length === n) run[1].push(n);
    else runs.push([n, [n]]);
  }
  return runs;
}

function buildXrefTable(offsets: Map<number, number>, objects: UpdatedObject[]): string {
  const gens = new Map(objects.map((o) => [o.ref.num, o.ref.gen]));
  let out = 'xref\n';
  for (const [first, nums] of groupRuns([...offsets.keys()])) {
    out += `${first} ${nums.length}\n`;
    for (const n of nums) {
      out += `${String(offsets.get(n)).padStart(10, '0')} ${String(gens.get(n) ?? 0).padStart(5, '0')} n\r\n`;
    }
  }
  return out;
}

function buildXrefStream(trailer: PdfDict, offsets: Map<number, number>, objects: UpdatedObject[], self: number): PdfStream {
  const gens = new Map(objects.map((o) => [o.ref.num, o.ref.gen]));
  const runs = groupRuns([...offsets.keys()]);
  const rows: Buffer[] = [];
  for (const [, nums] of runs) {
    for (const n of nums) {
      const row = Buffer.alloc(7);
      row[0] = 1;
      row.writeUInt32BE(offsets.get(n) ?? 0, 1);
      row.writeUInt16BE(n === self ? 0 : (gens.get(n) ?? 0), 5);
      rows.push(row);
    }
  }
  const dict = trailer.clone();
  dict.set('Type', name('XRef'));
  dict.set('W', [1, 4, 2]);
  dict.set('Index', runs.flatMap(([first, nums]) => [first, nums.length]));
  dict.set('Filter', name('FlateDecode'));
  return new PdfStream(dict, deflateSync(Buffer.concat(rows)));
}
