/**
 * A multer storage engine that streams each uploaded file into the document store (GridFS) as it
 * arrives, instead of buffering it before storage. Files of a request that fails (size limit, client gone,
 * refused document) are removed again; see DocumentStore.
 */
import type { Request } from 'express';
import type { StorageEngine } from 'multer';
import type { DocumentStore, StoredUpload } from '../exchange';

export type StreamedFile = Express.Multer.File & { stored: StoredUpload };

export function streamingUpload(store: DocumentStore): StorageEngine {
  return {
    _handleFile(_req: Request, file: Express.Multer.File, callback: (error?: unknown, info?: Partial<StreamedFile>) => void): void {
      store.upload(file.stream, file.originalname || 'document.pdf', file.mimetype).then(
        (stored) => callback(null, { stored, size: stored.size, buffer: stored.bytes }),
        (error) => callback(error),
      );
    },
    _removeFile(_req: Request, file: Express.Multer.File, callback: (error: Error | null) => void): void {
      const stored = (file as Partial<StreamedFile>).stored;
      store.discard(stored ? [stored.fileId] : []).then(() => callback(null), () => callback(null));
    },
  };
}
