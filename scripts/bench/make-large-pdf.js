// Makes (once) a large PDF: the sample công văn with an embedded attachment of the given size, added as an
// incremental update written a megabyte at a time, so even a 1 GB file is made in constant memory.
const fs = require('node:fs');
const path = require('node:path');
const { randomBytes } = require('node:crypto');

const root = path.join(__dirname, '..', '..');

async function makeLargePdf(target, megabytes = 60) {
  if (fs.existsSync(target)) return target;
  const { PdfFile, PdfDict, PdfRef, PdfString, name, serializeObject } = require(path.join(root, 'dist', 'pdf'));
  const original = fs.readFileSync(path.join(root, 'samples', 'cong-van.pdf'));
  const file = PdfFile.parse(original);
  const size = file.size;
  const [data, spec, names] = [size, size + 1, size + 2].map((n) => new PdfRef(n, 0));
  const catalogRef = file.trailer.get('Root');
  const length = megabytes * 1024 * 1024;
  const tmp = `${target}.${process.pid}.tmp`;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const out = fs.openSync(tmp, 'w');
  let offset = 0;
  const write = (bytes) => {
    fs.writeSync(out, bytes);
    offset += bytes.length;
  };
  const offsets = new Map();
  write(original);
  write(Buffer.from('\n'));
  offsets.set(data.num, offset);
  write(Buffer.from(`${data.num} 0 obj\n<< /Type /EmbeddedFile /Subtype /application#2Foctet-stream /Length ${length} >>\nstream\n`, 'latin1'));
  const block = randomBytes(1024 * 1024);
  for (let left = length; left > 0; left -= block.length) {
    block.writeUInt32BE(left, 0); // each megabyte differs
    write(left >= block.length ? block : block.subarray(0, left));
  }
  write(Buffer.from('\nendstream\nendobj\n'));
  const object = (ref, value) => {
    offsets.set(ref.num, offset);
    write(Buffer.from(`${ref.num} 0 obj\n${serializeObject(value)}\nendobj\n`, 'latin1'));
  };
  object(spec, new PdfDict([['Type', name('Filespec')], ['F', PdfString.fromText('phu-luc.bin')], ['UF', PdfString.fromText('phu-luc.bin')], ['Desc', PdfString.fromText('Phụ lục')], ['EF', new PdfDict([['F', data]])]]));
  object(names, new PdfDict([['Names', [PdfString.fromText('phu-luc.bin'), spec]]]));
  object(catalogRef, file.catalog().clone().set('Names', new PdfDict([['EmbeddedFiles', names]])));
  const xref = offset;
  const nums = [...offsets.keys()].sort((a, b) => a - b);
  let table = 'xref\n';
  for (const n of nums) table += `${n} 1\n${String(offsets.get(n)).padStart(10, '0')} 00000 n\r\n`;
  const trailer = new PdfDict([['Size', size + 3], ['Root', catalogRef], ['Prev', file.xref.startxref]]);
  write(Buffer.from(`${table}trailer\n${serializeObject(trailer)}\nstartxref\n${xref}\n%%EOF\n`, 'latin1'));
  fs.closeSync(out);
  fs.renameSync(tmp, target);
  return target;
}
module.exports = { makeLargePdf };
