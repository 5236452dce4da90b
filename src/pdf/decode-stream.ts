/**
 * Stream decoding for the structural streams Kyso must read (xref and object streams, §7.5.7–§7.5.8):
 * FlateDecode with PNG/TIFF predictors. All streams of one document share one decoded-bytes budget, so a
 * compression bomb (many small streams that each inflate to hundreds of MB) is refused early instead of
 * exhausting memory and time.
 */
import { constants, inflateSync } from 'node:zlib';
import { AppError } from '../errors';
import { asDict, asNumber, isName, PdfObject, PdfStream } from './objects';

/** Decoded bytes allowed per byte of the document (structural streams compress ~4–20× in practice). */
export const DECODE_BUDGET_RATIO = 64;
/** Every document may decode at least this much, however small it is. */
const DECODE_BUDGET_FLOOR = 16 * 1024 * 1024;
/** Default cap of a document's budget (KYSO_MAX_DECODED_MB sets it for the service). */
export const DEFAULT_DECODE_BUDGET_CAP = 512 * 1024 * 1024;

/** Predictor parameters beyond these are refused: no structural stream needs them (§7.4.4.4). */
const MAX_COLORS = 32;
const MAX_COLUMNS = 1 << 20;

/** How many decoded bytes one document may still produce, across all its streams and revisions. */
export class DecodeBudget {
  private used = 0;
  constructor(readonly limit: number) {}

  /** The budget of a document of `size` bytes: DECODE_BUDGET_RATIO × its size, within floor and cap. */
  static forSize(size: number, cap = DEFAULT_DECODE_BUDGET_CAP): DecodeBudget {
    return new DecodeBudget(Math.min(cap, Math.max(DECODE_BUDGET_FLOOR, size * DECODE_BUDGET_RATIO)));
  }

  get remaining(): number {
    return Math.max(0, this.limit - this.used);
  }

  get exceeded(): boolean {
    return this.used > this.limit;
  }

  spend(bytes: number): void {
    this.used += bytes;
    if (this.used > this.limit) throw this.error();
  }

  error(): AppError {
    this.used = Math.max(this.used, this.limit + 1);
    return new AppError('PDF_DECODE_BUDGET_EXCEEDED', `the document's compressed streams decode to more than ${this.limit} bytes (its decoding budget)`);
  }
}

export function decodeStream(stream: PdfStream, budget: DecodeBudget = DecodeBudget.forSize(stream.raw.length)): Buffer {
  const filter = stream.dict.get('Filter');
  const filters: PdfObject[] = filter === undefined ? [] : Array.isArray(filter) ? filter : [filter];
  const parmsEntry = stream.dict.get('DecodeParms');
  const parms: PdfObject[] = Array.isArray(parmsEntry) ? parmsEntry : [parmsEntry ?? null];
  let data = stream.raw;
  filters.forEach((f, i) => {
    if (!isName(f)) throw new AppError('PDF_MALFORMED', 'stream filter is not a name');
    if (f.name !== 'FlateDecode' && f.name !== 'Fl') {
      throw new AppError('PDF_MALFORMED', `unsupported filter /${f.name} on a structural stream`);
    }
    data = inflate(data, budget);
    data = unpredict(data, asDict(parms[i] ?? undefined));
  });
  return data;
}

const tooLarge = (error: unknown): boolean => (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError;

function inflate(data: Buffer, budget: DecodeBudget): Buffer {
  const maxOutputLength = Math.max(1, budget.remaining);
  let out: Buffer;
  try {
    out = inflateSync(data, { maxOutputLength });
  } catch (error) {
    if (tooLarge(error)) throw budget.error();
    // Truncated deflate data is common in the wild; take what decodes, as viewers do.
    try {
      out = inflateSync(data, { maxOutputLength, finishFlush: constants.Z_SYNC_FLUSH });
    } catch (again) {
      if (tooLarge(again)) throw budget.error();
      throw new AppError('PDF_MALFORMED', 'stream data cannot be decompressed', { cause: error });
    }
  }
  budget.spend(out.length);
  return out;
}

function unpredict(data: Buffer, parms: ReturnType<typeof asDict>): Buffer {
  const predictor = asNumber(parms?.get('Predictor')) ?? 1;
  if (predictor < 10) return data; // TIFF predictor 2 is not used by xref/object streams in practice
  const colors = asNumber(parms?.get('Colors')) ?? 1;
  const bpc = asNumber(parms?.get('BitsPerComponent')) ?? 8;
  const columns = asNumber(parms?.get('Columns')) ?? 1;
  if (!Number.isInteger(colors) || colors < 1 || colors > MAX_COLORS || ![1, 2, 4, 8, 16].includes(bpc) || !Number.isInteger(columns) || columns < 1 || columns > MAX_COLUMNS) {
    throw new AppError('PDF_MALFORMED', `unsupported predictor parameters (Colors ${colors}, BitsPerComponent ${bpc}, Columns ${columns})`);
  }
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLength = Math.ceil((colors * bpc * columns) / 8);
  const rows = Math.floor(data.length / (rowLength + 1));
  const out = Buffer.alloc(rows * rowLength);
  let prev = Buffer.alloc(rowLength);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLength + 1)];
    const row = data.subarray(r * (rowLength + 1) + 1, (r + 1) * (rowLength + 1));
    const cur = out.subarray(r * rowLength, (r + 1) * rowLength);
    for (let i = 0; i < rowLength; i++) {
      const left = i >= bpp ? cur[i - bpp] : 0;
      const up = prev[i];
      const upLeft = i >= bpp ? prev[i - bpp] : 0;
      let v = row[i];
      switch (type) {
        case 1: v += left; break;
        case 2: v += up; break;
        case 3: v += (left + up) >> 1; break;
        case 4: {
          const p = left + up - upLeft;
          const pa = Math.abs(p - left), pb = Math.abs(p - up), pc = Math.abs(p - upLeft);
          v += pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
          break;
        }
        default: break;
      }
      cur[i] = v & 0xff;
    }
    prev = cur;
  }
  return out;
}
