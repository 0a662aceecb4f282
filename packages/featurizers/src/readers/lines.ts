import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';

import { InputError } from '../errors.js';
import { fileSystemError } from '../fs-errors.js';

/**
 * The longest line the readers accept, in bytes: 16 MiB. Structure files have lines of at most a
 * few hundred bytes; a longer line is a wrong or damaged file, and refusing it keeps memory flat
 * (at most this much plus one 64 KiB chunk is held) whatever the file.
 *
 * @example
 * ```ts
 * MAX_LINE_BYTES; // 16777216
 * ```
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** Options of {@link lines} and {@link splitLines}. */
export interface LineOptions {
  /** The longest line accepted, in bytes. @defaultValue {@link MAX_LINE_BYTES} */
  maxLineBytes?: number;
}

/**
 * Refuses files that cannot be text structure files: missing, unreadable, not a regular file,
 * empty, or binary (a NUL byte in the first 8 KiB; {@link lines} refuses NUL bytes anywhere).
 *
 * @param file - the path
 * @param kind - what the file should be, for the message (e.g. `SDF`)
 * @throws InputError naming the file, what is wrong and the fix
 *
 * @example
 * ```ts
 * await assertTextFile('poses.sdf', 'SDF'); // throws InputError if missing, empty or binary
 * ```
 */
export async function assertTextFile(file: string, kind: string): Promise<void> {
  const info = await stat(file).catch((error: unknown) => {
    if ((error as { code?: string }).code === 'ENOENT') throw new InputError({ file }, `${kind} file not found`, 'Check the path.', { cause: error });
    throw fileSystemError(file, error, `cannot read the ${kind} file`);
  });
  if (!info.isFile()) throw new InputError({ file }, info.isDirectory() ? `is a folder; a ${kind} file is expected here` : `is not a regular file (a device, pipe or socket)`, `Name the ${kind} file itself.`);
  if (info.size === 0) throw new InputError({ file }, `the ${kind} file is empty`);
  const handle = await open(file, 'r').catch((error: unknown) => {
    throw fileSystemError(file, error, `cannot read the ${kind} file`);
  });
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(8192), 0, 8192, 0);
    if (buffer.subarray(0, bytesRead).includes(0)) throw new InputError({ file }, `looks like a binary file, not ${kind} text`, 'Check the path, or decompress it first.');
  } finally {
    await handle.close();
  }
}

const LF = 0x0a;
const CR = 0x0d;
/** The index of `byte` in `chunk` from `from`, or the chunk's length. */
const find = (chunk: Uint8Array, byte: number, from: number): number => {
  const k = chunk.indexOf(byte, from);
  return k < 0 ? chunk.length : k;
};

/**
 * Splits a byte stream into lines with their 1-based numbers. Ends of line are `\n`, `\r\n` and a
 * lone `\r`; a byte-order mark at the start of a line is dropped; UTF-8 is decoded per line.
 * Memory stays flat: a line longer than `maxLineBytes` and a NUL byte (binary data) are
 * {@link InputError}s naming the source and the line, raised as soon as they are seen.
 *
 * @param chunks - the bytes (a Node Readable, a file stream, any async iterable of chunks)
 * @param file - the name used in errors
 * @param options - the line-length cap
 * @returns an async iterable of `[line, number]`
 * @example
 * ```ts
 * for await (const [text, number] of splitLines(process.stdin, '(stdin)')) ...
 * ```
 */
export async function* splitLines(chunks: AsyncIterable<Uint8Array>, file: string, options: LineOptions = {}): AsyncGenerator<[string, number]> {
  const cap = options.maxLineBytes ?? MAX_LINE_BYTES;
  const decoder = new TextDecoder('utf-8');
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let number = 0;
  let afterCR = false;
  const take = (piece: Uint8Array): Uint8Array => {
    if (pending.length === 0) return piece;
    const whole = Buffer.concat([...pending, piece]);
    pending = [];
    pendingBytes = 0;
    return whole;
  };
  for await (const chunk of chunks) {
    let start = 0;
    if (afterCR && chunk[0] === LF) start = 1; // the \n of a \r\n split across chunks
    afterCR = false;
    let nextLF = -1;
    let nextCR = -1;
    while (start < chunk.length) {
      // Native searches, each redone only once passed: linear in the chunk.
      if (nextLF < start) nextLF = find(chunk, LF, start);
      if (nextCR < start) nextCR = find(chunk, CR, start);
      let end = Math.min(nextLF, nextCR);
      const piece = chunk.subarray(start, end);
      if (piece.includes(0)) throw new InputError({ file, line: number + 1 }, 'holds binary data (a NUL byte), not text', 'Check the file: it may be damaged, padded or compressed.');
      if (pendingBytes + piece.length > cap) {
        throw new InputError({ file, line: number + 1 }, `the line is longer than ${cap} bytes (the limit is ${(cap / 1048576).toFixed(cap % 1048576 === 0 ? 0 : 2)} MiB)`, 'Structure files have short lines; is this the right file, or is it missing its line breaks?');
      }
      if (end === chunk.length) {
        pending.push(piece);
        pendingBytes += piece.length;
        break;
      }
      yield [decoder.decode(take(piece)), ++number];
      if (chunk[end] === CR) {
        if (end + 1 === chunk.length) afterCR = true;
        else if (chunk[end + 1] === LF) end++;
      }
      start = end + 1;
    }
  }
  if (pendingBytes > 0) yield [decoder.decode(take(new Uint8Array(0))), number + 1];
}

/**
 * The lines of a text file with their 1-based numbers, streamed by {@link splitLines}: memory
 * does not grow with the file's size, whatever its content. File-system failures (`EACCES`,
 * `EISDIR`, `ELOOP`, …) become {@link InputError}s naming the path.
 *
 * @param file - the path
 * @param options - the line-length cap
 * @returns an async iterable of `[line, number]`
 * @example
 * ```ts
 * for await (const [text, number] of lines('poses.sdf')) ...
 * ```
 */
export async function* lines(file: string, options: LineOptions = {}): AsyncGenerator<[string, number]> {
  const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
  try {
    yield* splitLines(stream as AsyncIterable<Buffer>, file, options);
  } catch (error) {
    throw fileSystemError(file, error);
  } finally {
    stream.destroy();
  }
}
