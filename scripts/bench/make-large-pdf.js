// Makes (once) a PDF of about 60 MB: the sample công văn with a large embedded attachment.
const fs = require('node:fs');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { PDFDocument } = require('pdf-lib');

async function makeLargePdf(target, megabytes = 60) {
  if (fs.existsSync(target)) return target;
  const doc = await PDFDocument.load(fs.readFileSync(path.join(__dirname, '..', '..', 'samples', 'cong-van.pdf')));
  await doc.attach(randomBytes(megabytes * 1024 * 1024), 'phu-luc.bin', { mimeType: 'application/octet-stream', description: 'Phụ lục' });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, await doc.save({ useObjectStreams: false }));
  return target;
}
module.exports = { makeLargePdf };
