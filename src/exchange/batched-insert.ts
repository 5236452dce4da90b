/**
 * Inserts from concurrent requests combined into one insertMany per round (write combining): on the
 * embedded SQLite-backed server every write is a commit with an fsync, so a busy service writes a few
 * larger commits instead of many small ones. Each caller's promise settles with its own document's fate:
 * after a failed batch, what was written is read back by _id and the rest is inserted one by one, so a
 * unique-index clash reaches exactly the request that caused it.
 */
import { mongo } from 'mongoose';

type Doc = Record<string, unknown> & { _id: mongo.ObjectId };

export function createBatchedInsert(collection: () => mongo.Collection) {
  let queue: Array<{ doc: Doc; resolve: () => void; reject: (error: unknown) => void }> = [];
  let flushing = false;

  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    try {
      while (queue.length > 0) {
        const batch = queue;
        queue = [];
        try {
          await collection().insertMany(batch.map((b) => b.doc), { ordered: false });
          batch.forEach((b) => b.resolve());
        } catch (error) {
          let written: Set<string>;
          try {
            const found = await collection().find({ _id: { $in: batch.map((b) => b.doc._id) } }, { projection: { _id: 1 } }).toArray();
            written = new Set(found.map((d) => String(d._id)));
          } catch (readError) {
            batch.forEach((b) => b.reject(readError));
            continue;
          }
          for (const b of batch) {
            if (written.has(String(b.doc._id))) {
              b.resolve();
              continue;
            }
            try {
              await collection().insertOne(b.doc);
              b.resolve();
            } catch (insertError) {
              b.reject(insertError);
            }
          }
        }
      }
    } finally {
      flushing = false;
    }
  }

  /** Resolves once `doc` is written; rejects with the server's error for this document (e.g. code 11000). */
  return function insert(doc: Record<string, unknown>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      queue.push({ doc: { ...doc, _id: (doc._id as mongo.ObjectId | undefined) ?? new mongo.ObjectId() }, resolve, reject });
      void flush();
    });
  };
}
