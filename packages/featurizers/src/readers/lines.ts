import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';

import { InputError } from '../errors.js';

/**
 * Refuses files that cannot be text structure files: missing, empty, or binary (a NUL byte in
 * the first 8 KiB).
 *
 * @param file - the path
 * @param kind - what the file should be, for the message (e.g. `SDF`)
 * @throws InputError naming the file
 *
 * @example
 * ```ts
 * await assertTextFile('poses.sdf', 'SDF'); // throws InputError if missing, empty or binary
 * ```
 */
export async function assertTextFile(file: string, kind: string): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  if (info === undefined) throw new InputError({ file }, `${kind} file not found`);
  if (!info.isFile()) throw new InputError({ file }, `is not a file`);
  if (info.size === 0) throw new InputError({ file }, `the ${kind} file is empty`);
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(8192), 0, 8192, 0);
    if (buffer.subarray(0, bytesRead).includes(0)) throw new InputError({ file }, `looks like a binary file, not ${kind} text`, 'Check the path, or decompress it first.');
  } finally {
    await handle.close();
  }
}

/**
 * The lines of a text file with their 1-based numbers, streamed: memory does not grow with the
 * file's size. Handles `\n` and `\r\n`.
 *
 * @param file - the path
 * @returns an async iterable of `[line, number]`
 * @example
 * ```ts
 * for await (const [text, number] of lines('poses.sdf')) ...
 * ```
 */
export async function* lines(file: string): AsyncGenerator<[string, number]> {
  const reader = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let number = 0;
  for await (const line of reader) yield [line, ++number];
}
