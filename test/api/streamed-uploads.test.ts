import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { mongo } from 'mongoose';
import request from 'supertest';
import { Service } from '../../src/compose';
import { sample } from '../helpers/fixtures';
import { bearer, openTestService, sealedSample, seedAgencies } from '../helpers/service';

const metadata = (n: string) => JSON.stringify({ to: ['U.02'], codeNumber: n, codeNotation: 'U-VP', issuedDate: '2026-11-26', subject: 'V/v lưu trữ tệp' });

describe('exchange uploads stream into GridFS', () => {
  let service: Service;
  let keys: Record<string, Record<string, string>>;
  let signed: Buffer;
  const storedFiles = () => service.connection.db!.collection('documents.files').find({}).toArray();

  beforeAll(async () => {
    service = await openTestService({ uploadLimitBytes: 200_000 });
    keys = await seedAgencies(service, [{ organId: 'U.01', name: 'Cơ quan U' }, { organId: 'U.02', name: 'Cơ quan V' }]);
    signed = await sealedSample();
  });
  afterAll(() => service.close());

  it('when a document is sent, then its stored file is permanent and its bytes hash to the exchange\'s SHA-256', async () => {
    const sent = await request(service.app).post('/v1/exchanges').set(bearer(keys['U.01'].clerk)).set('Idempotency-Key', 'stream-0001')
      .attach('file', signed, 'cv.pdf').attach('attachments', Buffer.from('Phụ lục'), 'phu-luc.txt').field('metadata', metadata('1'));
    expect(sent.status).toBe(201);
    const exchange = await service.models.Exchange.findOne({ exchangeId: sent.body.exchangeId }).lean();
    const fileId = exchange?.fileId as unknown as mongo.ObjectId;
    const chunks: Buffer[] = [];
    for await (const chunk of service.documents.open(fileId)) chunks.push(chunk as Buffer);
    expect(createHash('sha256').update(Buffer.concat(chunks)).digest('hex')).toBe(exchange?.sha256);
    expect(exchange?.sha256).toBe(createHash('sha256').update(signed).digest('hex'));
    // An exchange refers to both files now: a failing request or the orphan sweep leaves them alone.
    await service.documents.discardUnreferenced([fileId, exchange?.attachments?.[0].fileId as unknown as mongo.ObjectId]);
    expect(await service.documents.exists(fileId)).toBe(true);
    expect(await service.documents.exists(exchange?.attachments?.[0].fileId as unknown as mongo.ObjectId)).toBe(true);
  });

  it('when uploads are written together, then each is a GridFS file of 255 KiB chunks that the driver reads back byte for byte', async () => {
    // Seeded bytes (seed 13): three uploads at once, one of them spanning three chunks.
    let seed = 13;
    const bytes = (length: number) => Buffer.from(Array.from({ length }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff));
    const inputs = [bytes(600_000), bytes(1000), Buffer.alloc(0)];
    // A slow trickle for the large one: whole chunks are written before the upload ends.
    const stored = await Promise.all(inputs.map((b, i) => service.documents.upload(Readable.from(i === 0 ? [b.subarray(0, 100_000), b.subarray(100_000, 300_000), b.subarray(300_000)] : [b]), `u${i}.bin`, 'application/octet-stream')));
    const db = service.connection.db!;
    const bucket = new mongo.GridFSBucket(db, { bucketName: 'documents' });
    for (const [i, s] of stored.entries()) {
      const read: Buffer[] = [];
      for await (const chunk of bucket.openDownloadStream(s.fileId)) read.push(chunk as Buffer);
      expect(Buffer.concat(read).equals(inputs[i])).toBe(true);
      const entry = await db.collection('documents.files').findOne({ _id: s.fileId });
      expect({ length: entry?.length, chunkSize: entry?.chunkSize, filename: entry?.filename, contentType: entry?.metadata?.contentType }).toEqual({ length: inputs[i].length, chunkSize: 261120, filename: `u${i}.bin`, contentType: 'application/octet-stream' });
    }
    const sizes = (await db.collection('documents.chunks').find({ files_id: stored[0].fileId }).sort({ n: 1 }).toArray()).map((c) => [c.n, (c.data as mongo.Binary).length()]);
    expect(sizes).toEqual([[0, 261120], [1, 261120], [2, 600_000 - 2 * 261120]]);
    expect(await db.collection('documents.chunks').countDocuments({ files_id: stored[2].fileId })).toBe(0);
    // The unique index GridFS relies on is there.
    expect((await db.collection('documents.chunks').indexes()).some((ix) => ix.unique && JSON.stringify(ix.key) === '{"files_id":1,"n":1}')).toBe(true);
    await service.documents.discard(stored.map((s) => s.fileId));
  });

  it('when a document is refused (unsigned, or no metadata), then nothing it uploaded stays stored', async () => {
    const before = (await storedFiles()).length;
    const unsigned = await request(service.app).post('/v1/exchanges').set(bearer(keys['U.01'].clerk)).set('Idempotency-Key', 'stream-0002')
      .attach('file', sample('cong-van.pdf'), 'cv.pdf').attach('attachments', Buffer.from('x'), 'x.txt').field('metadata', metadata('2'));
    expect([unsigned.status, unsigned.body.code]).toEqual([422, 'DOCUMENT_NOT_SIGNED']);
    const noMetadata = await request(service.app).post('/v1/exchanges').set(bearer(keys['U.01'].clerk)).set('Idempotency-Key', 'stream-0003')
      .attach('file', signed, 'cv.pdf');
    expect(noMetadata.status).toBe(400);
    expect((await storedFiles()).length).toBe(before);
  });

  it('when an upload exceeds the limit, then 413 and the partial file is removed', async () => {
    const before = (await storedFiles()).length;
    const big = Buffer.concat([signed, Buffer.alloc(300_000, 0x20)]);
    const res = await request(service.app).post('/v1/exchanges').set(bearer(keys['U.01'].clerk)).set('Idempotency-Key', 'stream-0004')
      .attach('file', big, 'big.pdf').field('metadata', metadata('4'));
    expect([res.status, res.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect((await storedFiles()).length).toBe(before);
  });

  it('when an upload was orphaned (the process died before the exchange), then the sweep removes it after an hour, not before', async () => {
    const orphan = await service.documents.upload(Readable.from([Buffer.from('%PDF-1.7 orphan')]), 'orphan.pdf');
    expect(await service.documents.sweepOrphans(new Date())).toEqual({ files: 0, chunks: 0 });
    expect(await service.documents.exists(orphan.fileId)).toBe(true);
    expect(await service.documents.sweepOrphans(new Date(Date.now() + 2 * 3600_000))).toEqual({ files: 1, chunks: 0 });
    expect(await service.documents.exists(orphan.fileId)).toBe(false);
    // Files that exchanges refer to are never swept.
    const exchange = await service.models.Exchange.findOne({ idempotencyKey: 'stream-0001' }).lean();
    expect((await storedFiles()).some((f) => String(f._id) === String(exchange?.fileId))).toBe(true);
  });

  it('when an upload was cut by a crash before GridFS wrote its files entry, then the sweep removes its headless chunks', async () => {
    // What a crash mid-upload leaves: chunks of a file id that has no files entry (it is written with the last chunk).
    // (The sweep before this one, run as of two hours ahead, moved the watermark to one hour ahead.)
    const cut = mongo.ObjectId.createFromTime(Math.floor(Date.now() / 1000) + 2 * 3600);
    const chunks = service.connection.db!.collection('documents.chunks');
    await chunks.insertMany([0, 1, 2].map((n) => ({ files_id: cut, n, data: new mongo.Binary(Buffer.alloc(1024, n)) })));
    const kept = await service.documents.upload(Readable.from([Buffer.from('%PDF-1.7 kept')]), 'kept.pdf');
    const swept = await service.documents.sweepOrphans(new Date(Date.now() + 4 * 3600_000));
    expect(swept.chunks).toBe(3);
    expect(await chunks.countDocuments({ files_id: cut })).toBe(0);
    // Chunks of a complete upload stay.
    expect(await chunks.countDocuments({ files_id: kept.fileId })).toBe(1);
  });
});
