/**
 * Stream decoding for the structural streams Kyso must read (xref and object streams, §7.5.7–§7.5.8):
 * FlateDecode with PNG/TIFF predictors. Output is bounded so a compression bomb cannot exhaust memory.
 */
import { inflateSync } from 'node:zlib';
import { AppError } from '../errors';
import { asDict, asNumber, isName, PdfObject, PdfStream } from './objects';

const MAX_DECODED_BYTES = 256 * 1024 * 1024;

export function decodeStream(stream: PdfStream, maxBytes = MAX_DECODED_BYTES): Buffer {
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
    data = inflate(data, maxBytes);
    data = unpredict(data, asDict(parms[i] ?? undefined));
  });
  return data;
}

function inflate(data: Buffer, maxBytes: number): Buffer {
  try {
    return inflateSync(data, { maxOutputLength: maxBytes });
  } catch (error) {
    // Truncated deflate data is common in the wild; take what decodes, as viewers do.
    try {
      return inflateSync(data, { maxOutputLength: maxBytes, finishFlush: 2 /* Z_SYNC_FLUSH */ });
    } catch {
      throw new AppError('PDF_MALFORMED', 'stream data cannot be decompressed', { cause: error });
    }
  }
}

function unpredict(data: Buffer, parms: ReturnType<typeof asDict>): Buffer {
  const predictor = asNumber(parms?.get('Predictor')) ?? 1;
  if (predictor < 10) return data; // TIFF predictor 2 is not used by xref/object streams in practice
  const colors = asNumber(parms?.get('Colors')) ?? 1;
  const bpc = asNumber(parms?.get('BitsPerComponent')) ?? 8;
  const columns = asNumber(parms?.get('Columns')) ?? 1;
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
