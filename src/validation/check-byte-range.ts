/**
 * What a signature's /ByteRange covers (ISO 32000-1 §12.8.1, ETSI EN 319 142-1 §6.3): two ranges from
 * byte 0 around exactly this signature's /Contents, ending at a revision end. Coverage is measured against
 * the file's physical length: ENTIRE_FILE only when nothing but end-of-line bytes follows the range.
 */
import type { ByteSource, FoundSignature } from '../pdf';
import { say } from './messages';
import type { Coverage, Message } from './report';
import { isRevisionEnd, onlyEolAfter, RevisionEnd } from './revisions';

export interface ByteRangeFindings {
  coverage: Coverage;
  problems: Message[];
}

type ByteRangeProblem = 'BYTERANGE_SHAPE' | 'BYTERANGE_START' | 'BYTERANGE_OVERLAP' | 'BYTERANGE_PAST_EOF' | 'BYTERANGE_GAP_NOT_CONTENTS' | 'BYTERANGE_GAP_NOT_HEX' | 'BYTERANGE_GAP_DIFFERS';

export function checkByteRange(source: ByteSource, sig: FoundSignature, ends: RevisionEnd[]): ByteRangeFindings {
  const bad = (code: ByteRangeProblem): ByteRangeFindings => ({ coverage: 'UNCLEAR', problems: [say(code)] });
  const br = sig.byteRange;
  if (!br || br.length !== 4 || !br.every((x) => Number.isInteger(x) && x >= 0)) return bad('BYTERANGE_SHAPE');
  const [a, b, c, d] = br;
  if (a !== 0) return bad('BYTERANGE_START');
  if (c < a + b) return bad('BYTERANGE_OVERLAP');
  if (c + d > source.length) return bad('BYTERANGE_PAST_EOF');
  const gap = source.read(b, c);
  const span = sig.contentsSpan;
  if (span && (span[0] !== b || span[1] !== c)) return bad('BYTERANGE_GAP_NOT_CONTENTS');
  if (gap.length < 2 || gap[0] !== 0x3c || gap[gap.length - 1] !== 0x3e) return bad('BYTERANGE_GAP_NOT_HEX');
  const inner = gap.toString('latin1', 1, gap.length - 1);
  // Plain hex digits decode natively in one step (the decoder stops at the first byte that is not one);
  // white space between them is allowed, anything else is not.
  let decoded = Buffer.from(inner, 'hex');
  if (decoded.length * 2 !== inner.length) {
    if (!/^[0-9a-fA-F\s]*$/.test(inner)) return bad('BYTERANGE_GAP_NOT_HEX');
    decoded = Buffer.from(inner.replace(/\s+/g, ''), 'hex');
  }
  if (sig.contents && decoded.subarray(0, sig.contents.length).compare(sig.contents) !== 0) return bad('BYTERANGE_GAP_DIFFERS');
  if (!isRevisionEnd(ends, c + d)) return { coverage: 'PARTIAL', problems: [say('NOT_REVISION_END')] };
  return { coverage: onlyEolAfter(source, c + d) ? 'ENTIRE_FILE' : 'ENTIRE_REVISION', problems: [] };
}
