import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { FileSource, PdfDict, PdfFile, PdfObject, PdfRef, PdfStream } from '../../../src/pdf';
import { buildObjectStreamPdf } from '../../helpers/compression-bomb';
import { CORPUS, OUTPUT } from '../../helpers/fixtures';

/**
 * PdfFile.mayReferToAny rules out, from one search of the bytes and of each object stream, that any object
 * refers to the given numbers, so the modification analysis reads every object only when it may. It may
 * answer true for nothing, never false for a reference the lexer reads.
 */
function pdfsUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return pdfsUnder(full);
    return name.toLowerCase().endsWith('.pdf') ? [full] : [];
  });
}

/** Every number some object of the view (or its trailer) refers to, read object by object. */
function referredNumbers(view: PdfFile): Set<number> {
  const out = new Set<number>();
  const walk = (value: PdfObject | undefined, depth: number): void => {
    if (depth > 32 || value === undefined || value === null) return;
    if (value instanceof PdfRef) out.add(value.num);
    else if (Array.isArray(value)) value.forEach((v) => walk(v, depth + 1));
    else if (value instanceof PdfDict) for (const v of value.map.values()) walk(v, depth + 1);
    else if (value instanceof PdfStream) walk(value.dict, depth + 1);
  };
  for (const [num, entry] of view.xref.entries) {
    if (entry.type === 'free') continue;
    try {
      walk(view.getObject(new PdfRef(num, entry.type === 'offset' ? entry.gen : 0)), 0);
    } catch {
      // an unreadable object refers to nothing
    }
  }
  walk(view.trailer, 0);
  return out;
}

describe('PdfFile.mayReferToAny', () => {
  const withReference = (written: string): PdfFile => PdfFile.parse(buildObjectStreamPdf({ streams: 1, decodedEach: 100, orphan: `<< /Type /Annot /P ${written} >>` }));

  it('when a reference is written inside an object stream, with leading zeros, comments and line breaks, then it is found', () => {
    const file = withReference('0077 %a comment\n0\r\nR');
    expect(file.resolveDict(new PdfRef(12, 0))?.get('P')).toEqual(new PdfRef(77, 0)); // as the lexer reads it
    expect(file.source.read(0, file.source.length).indexOf('0077', 0, 'latin1')).toBe(-1); // compressed: not in the raw bytes
    expect([file.mayReferToAny([77]), file.mayReferToAny([76, 77]), file.mayReferToAny([7, 770])]).toEqual([true, true, false]);
  });

  it('when a comment or a string holds a look-alike reference before the real one on its line, then the real one is found', () => {
    // Each is read as its first number: "3 0 R" (the comment runs from "%"), "12 0 R" (the "%" is in a string).
    const commented = withReference('3 0 %x 5 0 \nR');
    const quoted = withReference('[(1 0 %) 12 0\n R]');
    expect([commented.resolveDict(new PdfRef(12, 0))?.get('P'), (quoted.resolveDict(new PdfRef(12, 0))?.get('P') as PdfObject[])[1]]).toEqual([new PdfRef(3, 0), new PdfRef(12, 0)]);
    expect([commented.mayReferToAny([3]), quoted.mayReferToAny([12])]).toEqual([true, true]);
  });

  it('when references are written with one whitespace byte in each gap, or with a line break in either, then each is found', () => {
    // The first shapes are read without the general walk; a line break in a gap may close a comment and takes it.
    const file = withReference('[41 0 R 42\t0\tR 43\f0\u0000R 44 0\nR 45\n0 R 46\r\n0 R 9 47 0 R]');
    expect((file.resolveDict(new PdfRef(12, 0))?.get('P') as PdfObject[]).filter((v) => v instanceof PdfRef)).toEqual([41, 42, 43, 44, 45, 46, 47].map((n) => new PdfRef(n, 0)));
    expect([41, 42, 43, 44, 45, 46, 47, 9, 48].map((num) => file.mayReferToAny([num]))).toEqual([true, true, true, true, true, true, true, false, false]);
  });

  it('when the number is only part of another number or not followed by a generation and R, then it is ruled out', () => {
    expect([withReference('177 0 R').mayReferToAny([77]), withReference('[77 0]').mayReferToAny([77]), withReference('77.0 0 R').mayReferToAny([77])]).toEqual([false, false, false]);
  });

  it('when the reference is written only after an earlier revision\'s end, then that revision rules it out and the whole file does not', () => {
    const pdf = buildObjectStreamPdf({ streams: 1, decodedEach: 100 });
    const appended = Buffer.concat([pdf, Buffer.from('99 0 obj\n<< /Type /Annot /P 0088 0 R >>\nendobj\n', 'latin1')]);
    const whole = PdfFile.parse(appended);
    // The whole file first (one search of the document's bytes serves every view), then the earlier revision.
    expect([whole.mayReferToAny([88]), whole.prefix(pdf.length).mayReferToAny([88]), whole.prefix(pdf.length + 45).mayReferToAny([88])]).toEqual([true, false, true]);
  });

  it('when a number is followed by a long run of "%" (a hostile file), then the search still ends, ruling it out', () => {
    // A comment has one way to match (to the end of its line): the search cannot try every split of the run.
    const file = withReference(`(4242 ${'%'.repeat(200_000)}) 4242 0 S`);
    expect([file.mayReferToAny([4242]), file.mayReferToAny([77])]).toEqual([false, false]);
  });

  it('when "R"s follow long comment lines, whitespace runs and lines of "%", then each is read once and the answer is exact', () => {
    // Shapes that would make a search from each "R" go over the same bytes again and again.
    const shapes = [
      `${'%'.repeat(100_000)}\n R ${'\n'.repeat(50_000)}R 6161 0 R`,
      `(${'% R'.repeat(40_000)}) 6262 0 R`,
      `(${'7101 0 % 7505 0\n'.repeat(15_000)}R)`,
    ];
    const answers = shapes.map((written) => withReference(written)).map((file) => [6161, 6262, 7101, 7505].map((num) => file.mayReferToAny([num])));
    expect(answers).toEqual([
      [true, false, false, false],
      [false, true, false, false],
      [false, false, true, true], // the last line and "R": 7101 0 R through the comment, 7505 0 R without it
    ]);
  });

  it('when no number is asked, or the file is read from disk, then the answer is false and true', () => {
    const pdf = buildObjectStreamPdf({ streams: 1, decodedEach: 100 });
    const onDisk = path.join(OUTPUT, 'may-refer-to-any.pdf');
    writeFileSync(onDisk, pdf);
    const fromDisk = PdfFile.parse(FileSource.open(onDisk));
    expect([PdfFile.parse(pdf).mayReferToAny([]), PdfFile.parse(pdf).mayReferToAny([999]), fromDisk.mayReferToAny([999])]).toEqual([false, false, true]);
  });

  it('when any object of any revision of a corpus file refers to a number, then that number is never ruled out', () => {
    let checked = 0;
    for (const file of pdfsUnder(CORPUS)) {
      let current: PdfFile;
      try {
        current = PdfFile.parse(readFileSync(file));
      } catch {
        continue;
      }
      for (const section of current.xref.sections) {
        let view: PdfFile;
        try {
          view = current.revisionAt(section.offset);
        } catch {
          continue;
        }
        const missed = [...referredNumbers(view)].filter((num) => !view.mayReferToAny([num]));
        expect({ file: path.relative(CORPUS, file), revision: section.offset, missed }).toEqual({ file: path.relative(CORPUS, file), revision: section.offset, missed: [] });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(150);
  });
});
