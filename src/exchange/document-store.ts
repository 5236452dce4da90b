/**
 * Document bytes in GridFS. Uploads stream into the bucket as they arrive, hashed (SHA-256) on the way. An
 * upload becomes permanent when an exchange refers to it: that insert is the commit, so accepting a
 * document costs no extra write. Uploads of a request that fails are removed at once unless an exchange
 * refers to them; uploads orphaned by a crash are removed by a periodic sweep (an explicit expiry query
 * from a stored watermark: FerretDB 1.x has no TTL indexes). An accepted document is never lost.
 */
import { createHash } from 'node:crypto';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Connection, mongo } from 'mongoose';
import { createBatchedInsert } from './batched-insert';

/**
 * Deletes a GridFS file and its chunks. A file whose entry is already gone (removed before, or an upload
 * cut before its entry was written) is not an error: GridFS removes the chunks before it reports that.
 */
export async function deleteGridFile(bucket: mongo.GridFSBucket, id: mongo.ObjectId): Promise<void> {
  try {
    await bucket.delete(id);
  } catch (error) {
    if (!/File not found/i.test((error as Error).message)) throw error;
  }
}

export interface StoredUpload {
  fileId: mongo.ObjectId;
  sha256: string;
  size: number;
  /** The bytes as received, for validation (the validator needs random access to the whole file). */
  bytes: Buffer;
}

/** Which of these files something (an exchange) refers to. */
export type ReferenceCheck = (ids: mongo.ObjectId[]) => Promise<Set<string>>;

const ORPHAN_AFTER_MS = 3600_000;
/** GridFS's default chunk size (255 KiB), as the driver writes it. */
const CHUNK_SIZE = 255 * 1024;
const SWEEP_STATE_ID = 'upload-sweep';

export function createDocumentStore(connection: Connection, referenced: ReferenceCheck) {
  // One bucket per service, for reading and removing files (uploads are written by gridFile below).
  let documents: mongo.GridFSBucket | undefined;
  const bucket = (): mongo.GridFSBucket => (documents ??= new mongo.GridFSBucket(connection.db as never, { bucketName: 'documents' }));
  const files = () => connection.db!.collection('documents.files');
  const chunks = () => connection.db!.collection('documents.chunks');
  const maintenance = () => connection.db!.collection<{ _id: string; until: Date }>('maintenance');

  // Uploads are written in GridFS's own layout (the files entry with the last chunk), but through
  // write-combining inserters: concurrent uploads share one commit per round instead of two each, which is
  // most of what the embedded database spends on storing a send's document. GridFSBucket reads them as
  // its own; its indexes are made here, once per process, as the bucket would make them.
  const insertChunk = createBatchedInsert(() => chunks() as never);
  const insertFile = createBatchedInsert(() => files() as never);
  let indexed: Promise<unknown> | undefined;
  const ensureIndexes = (): Promise<unknown> => (indexed ??= Promise.all([
    chunks().createIndex({ files_id: 1, n: 1 }, { unique: true }),
    files().createIndex({ filename: 1, uploadDate: 1 }),
  ]).catch((error: unknown) => {
    indexed = undefined;
    throw error;
  }));

  /** A writable GridFS file: whole chunks are written as they fill, the last one and the entry at the end. */
  function gridFile(fileName: string, metadata: Record<string, unknown>): { id: mongo.ObjectId; stream: Writable } {
    const id = new mongo.ObjectId();
    let pending: Buffer[] = [];
    let pendingSize = 0;
    let n = 0;
    let length = 0;
    const writeChunk = async (data: Buffer): Promise<void> => {
      await insertChunk({ files_id: id, n: n++, data: new mongo.Binary(data) });
    };
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        pending.push(chunk);
        pendingSize += chunk.length;
        length += chunk.length;
        if (pendingSize < CHUNK_SIZE) return done();
        const all = Buffer.concat(pending, pendingSize);
        const whole = all.length - (all.length % CHUNK_SIZE);
        pending = whole < all.length ? [all.subarray(whole)] : [];
        pendingSize = all.length - whole;
        (async () => {
          await ensureIndexes();
          for (let at = 0; at < whole; at += CHUNK_SIZE) await writeChunk(all.subarray(at, at + CHUNK_SIZE));
        })().then(() => done(), done);
      },
      final(done) {
        (async () => {
          await ensureIndexes();
          // The last chunk and the entry together: an upload is only kept once an exchange (written after
          // both) refers to it, and an entry whose last chunk failed is an orphan the sweep removes.
          const last = pendingSize > 0 ? writeChunk(Buffer.concat(pending, pendingSize)) : Promise.resolve();
          const entry = insertFile({ _id: id, length, chunkSize: CHUNK_SIZE, uploadDate: new Date(), filename: fileName, metadata });
          await Promise.all([last, entry]);
        })().then(() => done(), done);
      },
    });
    return { id, stream };
  }

  /** Streams one upload into GridFS, hashing and collecting the bytes on the way. */
  async function upload(source: Readable, fileName: string, contentType = 'application/pdf'): Promise<StoredUpload> {
    const hash = createHash('sha256');
    const parts: Buffer[] = [];
    let size = 0;
    const tee = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        parts.push(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    const target = gridFile(fileName, { contentType, uploadedAt: new Date() });
    try {
      await pipeline(source, tee, target.stream);
    } catch (error) {
      // The chunks written so far go with it; a failure to remove them leaves them to the sweep.
      await discard([target.id]).catch(() => undefined);
      throw error;
    }
    return { fileId: target.id, sha256: hash.digest('hex'), size, bytes: parts.length === 1 ? parts[0] : Buffer.concat(parts, size) };
  }

  /** Stores bytes already in memory. */
  async function store(bytes: Buffer, fileName: string, sha256: string): Promise<mongo.ObjectId> {
    const target = gridFile(fileName, { sha256, contentType: 'application/pdf', uploadedAt: new Date() });
    await pipeline(Readable.from([bytes]), target.stream);
    return target.id;
  }

  /** Removes files and their chunks; a file whose entry was never written (cut upload) loses its chunks. */
  async function discard(ids: mongo.ObjectId[]): Promise<void> {
    for (const id of ids) await deleteGridFile(bucket(), id);
  }

  /** Removes those of the given uploads that no exchange refers to. */
  async function discardUnreferenced(ids: mongo.ObjectId[]): Promise<void> {
    if (ids.length === 0) return;
    const kept = await referenced(ids);
    await discard(ids.filter((id) => !kept.has(String(id))));
  }

  /**
   * Removes uploads older than an hour that no exchange refers to, looking only at files uploaded since
   * the previous sweep's watermark. Returns how many were removed.
   */
  async function sweepOrphans(now = new Date()): Promise<{ files: number; chunks: number }> {
    const until = new Date(now.getTime() - ORPHAN_AFTER_MS);
    const since = (await maintenance().findOne({ _id: SWEEP_STATE_ID }))?.until ?? new Date(0);
    if (until <= since) return { files: 0, chunks: 0 };
    const candidates = await files().find({ 'metadata.uploadedAt': { $gte: since, $lt: until } }, { projection: { _id: 1 } }).toArray();
    const ids = candidates.map((f) => f._id as mongo.ObjectId);
    const kept = ids.length > 0 ? await referenced(ids) : new Set<string>();
    const orphans = ids.filter((id) => !kept.has(String(id)));
    await discard(orphans);
    const chunkOrphans = await sweepHeadlessChunks(since, until);
    await maintenance().updateOne({ _id: SWEEP_STATE_ID }, { $set: { until } }, { upsert: true });
    return { files: orphans.length, chunks: chunkOrphans };
  }

  /**
   * Chunks of an upload cut by a crash before its files entry was written: they belong to no file. Their
   * files_id is an ObjectId, whose time says when the upload began; those begun in the window are checked.
   */
  async function sweepHeadlessChunks(since: Date, until: Date): Promise<number> {
    const range = { $gte: mongo.ObjectId.createFromTime(Math.floor(since.getTime() / 1000)), $lt: mongo.ObjectId.createFromTime(Math.floor(until.getTime() / 1000)) };
    const owners = (await chunks().distinct('files_id', { files_id: range })) as mongo.ObjectId[];
    if (owners.length === 0) return 0;
    const present = new Set((await files().find({ _id: { $in: owners } }, { projection: { _id: 1 } }).toArray()).map((f) => String(f._id)));
    const headless = owners.filter((id) => !present.has(String(id)));
    if (headless.length === 0) return 0;
    return (await chunks().deleteMany({ files_id: { $in: headless } })).deletedCount;
  }

  async function exists(id: mongo.ObjectId): Promise<boolean> {
    return (await files().countDocuments({ _id: id })) > 0;
  }

  return {
    upload, store, discard, discardUnreferenced, sweepOrphans, exists,
    open: (id: mongo.ObjectId) => bucket().openDownloadStream(id),
  };
}

export type DocumentStore = ReturnType<typeof createDocumentStore>;
