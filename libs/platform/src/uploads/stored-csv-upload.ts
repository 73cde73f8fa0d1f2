import { createHash } from 'node:crypto';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** An upload is kept in Postgres in pieces of about this size until a job applies it. */
export const UPLOAD_CHUNK_BYTES = 1_048_576;

export interface StoredCsvUpload {
  bytes: number;
  sha256: string;
  /** CSV records read, the header included. */
  records: number;
  /** The multipart stream hit its size limit (it ends early, marked truncated). */
  truncated: boolean;
}

/**
 * Streams a CSV upload once: its bytes go to `saveChunk` in pieces of about UPLOAD_CHUNK_BYTES
 * (in order, `seq` from 0), hashed on the way, while `parser` (csv-parse, as the import job will
 * read it) counts the records and `checkHeader` vets the first one (an error it answers ends the
 * stream). Errors (the parser's, `saveChunk`'s, the stream's) are thrown as they come; the caller
 * turns them into its own problems. The file is never held whole in memory.
 */
export async function storeCsvUpload(
  stream: Readable,
  opts: {
    parser: () => Transform;
    checkHeader: (record: string[]) => Error | undefined;
    saveChunk: (seq: number, data: Buffer) => Promise<unknown>;
  },
): Promise<StoredCsvUpload> {
  const hash = createHash('sha256');
  let bytes = 0;
  let seq = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await opts.saveChunk(seq++, data);
  };
  const store = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes < UPLOAD_CHUNK_BYTES) return cb(null, chunk);
      flush().then(() => cb(null, chunk), cb);
    },
    flush(cb) {
      flush().then(() => cb(), cb);
    },
  });
  let records = 0;
  const count = new Writable({
    objectMode: true,
    write(record: string[], _enc, cb) {
      if (records === 0) {
        const error = opts.checkHeader(record);
        if (error) return cb(error);
      }
      records++;
      cb();
    },
  });
  const truncated = () => (stream as Readable & { truncated?: boolean }).truncated === true;
  try {
    await pipeline(stream, store, opts.parser(), count);
  } catch (err) {
    if (truncated()) return { bytes, sha256: '', records, truncated: true };
    throw err;
  }
  return { bytes, sha256: hash.digest('hex'), records, truncated: truncated() };
}
