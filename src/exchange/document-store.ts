/**
 * Document bytes in GridFS. Uploads stream into the bucket as they arrive, hashed (SHA-256) on the way, and
 * stay marked pending until an exchange refers to them; pending files older than an hour are removed by an
 * explicit expiry query (no TTL indexes: FerretDB 1.x has none). A refused or abandoned upload therefore
 * never lingers, and an accepted one is never lost.
 */
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Connection, mongo } from 'mongoose';

export interface StoredUpload {
  fileId: mongo.ObjectId;
  sha256: string;
  size: number;
  /** The bytes as received, for validation (the validator needs random access to the whole file). */
  bytes: Buffer;
}

const PENDING_MAX_AGE_MS = 3600_000;

export function createDocumentStore(connection: Connection) {
  // One bucket per service: a new bucket re-checks its indexes on first upload, a schema write each time.
  let documents: mongo.GridFSBucket | undefined;
  const bucket = (): mongo.GridFSBucket => (documents ??= new mongo.GridFSBucket(connection.db as never, { bucketName: 'documents' }));
  const files = () => connection.db!.collection('documents.files');

  /** Streams one upload into GridFS, pending until commit(); hashing and collecting the bytes on the way. */
  async function upload(source: Readable, fileName: string, contentType = 'application/pdf'): Promise<StoredUpload> {
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let size = 0;
    const tee = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        chunks.push(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    const target = bucket().openUploadStream(fileName, { metadata: { contentType, pending: true, uploadedAt: new Date() } });
    try {
      await pipeline(source, tee, target);
    } catch (error) {
      await bucket().delete(target.id as mongo.ObjectId).catch(() => undefined);
      throw error;
    }
    const sha256 = hash.digest('hex');
    // The hash is known only at the end; it is recorded on the file with the commit.
    return { fileId: target.id as mongo.ObjectId, sha256, size, bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size) };
  }

  /** Stores bytes already in memory (documents signed by the service itself). */
  async function store(bytes: Buffer, fileName: string, sha256: string): Promise<mongo.ObjectId> {
    const target = bucket().openUploadStream(fileName, { metadata: { sha256, contentType: 'application/pdf' } });
    await pipeline(Readable.from([bytes]), target);
    return target.id as mongo.ObjectId;
  }

  /** Makes uploads permanent: an exchange now refers to them. */
  async function commit(uploads: Array<{ fileId: mongo.ObjectId; sha256: string }>): Promise<void> {
    await Promise.all(uploads.map((u) => files().updateOne({ _id: u.fileId }, { $set: { 'metadata.sha256': u.sha256, 'metadata.pending': false } })));
  }

  async function discard(ids: mongo.ObjectId[]): Promise<void> {
    for (const id of ids) await bucket().delete(id).catch(() => undefined);
  }

  /** Removes those of the given uploads that are still pending (never those an exchange refers to). */
  async function discardPending(ids: mongo.ObjectId[]): Promise<void> {
    if (ids.length === 0) return;
    const pending = await files().find({ _id: { $in: ids }, 'metadata.pending': true }, { projection: { _id: 1 } }).toArray();
    await discard(pending.map((f) => f._id as mongo.ObjectId));
  }

  /** Removes uploads that never became part of an exchange (a crash between upload and commit). */
  async function sweepPending(now = new Date(), maxAgeMs = PENDING_MAX_AGE_MS): Promise<number> {
    const stale = await files().find({ 'metadata.pending': true, 'metadata.uploadedAt': { $lt: new Date(now.getTime() - maxAgeMs) } }, { projection: { _id: 1 } }).toArray();
    await discard(stale.map((f) => f._id as mongo.ObjectId));
    return stale.length;
  }

  return {
    upload, store, commit, discard, discardPending, sweepPending,
    open: (id: mongo.ObjectId) => bucket().openDownloadStream(id),
  };
}

export type DocumentStore = ReturnType<typeof createDocumentStore>;
