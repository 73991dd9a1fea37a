import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { FormatError, InputError } from '#lib/errors.ts';

/**
 * Chunks are kept small: every bound the readers apply (a line, a message's headers) is
 * checked per chunk, so a chunk is the most they ever hold beyond a bound.
 */
export const CHUNK_BYTES = 64 * 1024;

/** How far into a file (decompressed) the readers look to tell its format. */
const HEAD_BYTES = 64 * 1024;

/** An input file as the readers see it: its size on disk, whether gzipped, its first bytes. */
export interface InputFile {
  file: string;
  /** Bytes on disk (compressed, for a gzipped file). */
  size: number;
  gz: boolean;
  /** Up to 64 KiB from the start, decompressed. */
  head: Buffer;
}

/**
 * Checks that `file` exists and is a regular file, tells whether it is gzipped (by its
 * magic bytes, whatever its name) and reads its first bytes, decompressed.
 *
 * @param what how errors name the file, e.g. `mbox file`.
 * @throws InputError when the file is missing or not a regular file.
 * @throws FormatError when it is gzipped but its first bytes do not decompress.
 */
export async function inspectInput(file: string, what: string): Promise<InputFile> {
  let size: number;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new InputError(`${file} is not a file: pass an ${what}`);
    size = info.size;
    handle = await open(file, 'r');
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot read ${what} ${file}: ${(err as Error).message}`, { cause: err });
  }
  let head: Buffer;
  try {
    const buf = Buffer.alloc(Math.min(HEAD_BYTES, size));
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const gz = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  if (gz) head = await gunzipHead(file);
  return { file, size, gz, head };
}

/** The first bytes of a gzipped file, decompressed; a short or damaged file gives what there is. */
async function gunzipHead(file: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  const input = openInput({ file, gz: true });
  try {
    for await (const chunk of input.chunks) {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= HEAD_BYTES) break;
    }
  } catch (err) {
    if (!(err instanceof DamagedInputError) || total === 0) {
      throw new FormatError(`not a readable gzip file: ${(err as Error).message}`, file, { cause: err });
    }
  } finally {
    input.close();
  }
  return Buffer.concat(chunks);
}

/**
 * The gzip data of a file ends early or is corrupt (a download cut short): what came
 * before is good, the rest is lost. Readers turn it into a `file` skip.
 */
export class DamagedInputError extends Error {
  override name = 'DamagedInputError';
}

/** An open input: its (decompressed) chunks, and how many bytes of the file were read. */
export interface OpenInput {
  chunks: AsyncIterable<Buffer>;
  /** Bytes of the file on disk read so far (compressed bytes for a gzipped file). */
  bytesRead(): number;
  close(): void;
}

/**
 * Streams a file in {@link CHUNK_BYTES} chunks, through zlib when gzipped. Decompressed
 * chunks are as small: a gzip bomb arrives 64 KiB at a time, never whole. A zlib error
 * (truncated or corrupt data) surfaces as {@link DamagedInputError}.
 */
export function openInput(input: { file: string; gz: boolean }): OpenInput {
  const source = createReadStream(input.file, { highWaterMark: CHUNK_BYTES });
  const gunzip = input.gz ? source.pipe(createGunzip({ chunkSize: CHUNK_BYTES })) : undefined;
  if (gunzip) source.on('error', (err) => gunzip.destroy(err));
  const stream = gunzip ?? source;
  return {
    chunks: (async function* () {
      try {
        for await (const chunk of stream) yield chunk as Buffer;
      } catch (err) {
        if (gunzip && isZlibError(err)) throw new DamagedInputError(`gzip data ends early or is damaged (${(err as Error).message})`, { cause: err });
        throw err;
      }
    })(),
    bytesRead: () => source.bytesRead,
    close() {
      source.destroy();
      gunzip?.destroy();
    },
  };
}

function isZlibError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}
