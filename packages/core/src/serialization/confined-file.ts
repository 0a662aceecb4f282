import { readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';

import { PosePoolError } from '../errors.js';

/** What {@link readConfinedFile} requires of the file. */
export interface ConfinedFileLimits {
  /** Refuse a larger file. */
  readonly maxBytes: number;
  /** Refuse a file of any other size (checked before reading). */
  readonly exactBytes?: number;
}

const fail = (path: string, message: string, cause?: unknown): never => {
  throw new PosePoolError('E_SERIALIZATION', `${path}: ${message}`, cause === undefined ? undefined : { cause });
};

/**
 * Reads a file named by an untrusted directory (a saved model's manifest): the name must be a
 * relative path that stays inside `dir`, also after following symbolic links; the file must be
 * a regular file (not a device such as `/dev/zero`, a pipe or a folder) of at most `maxBytes`,
 * and of exactly `exactBytes` when given. Every check is made before any byte is read.
 *
 * @param dir - the directory the file must be inside
 * @param name - the relative path, as the directory's manifest gives it
 * @param limits - size limits
 * @returns the file's bytes
 * @throws PosePoolError `E_SERIALIZATION` naming the path, what is wrong and the fix
 * @example
 * ```ts
 * const bytes = await readConfinedFile('runs/model', 'weights.bin', { maxBytes: 2 ** 31, exactBytes: 4096 });
 * ```
 */
export async function readConfinedFile(dir: string, name: string, limits: ConfinedFileLimits): Promise<Buffer> {
  const path = join(dir, name);
  if (name === '' || name.includes('\0') || isAbsolute(name) || normalize(name).split(/[\\/]/).includes('..')) {
    fail(path, `the path '${name}' leaves the model directory`, 'A saved model names only files inside its directory; re-save it.');
  }
  const io = (cause: unknown): never => {
    const code = (cause as { code?: string }).code;
    const meaning = code === 'ENOENT' ? 'not found' : code === 'ELOOP' ? 'is a symbolic link loop' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOTDIR' ? 'a part of the path is not a folder' : `cannot be read (${(cause as Error).message})`;
    return fail(path, `${meaning}.`, cause);
  };
  const [realDir, real] = await Promise.all([realpath(dir), realpath(path)]).catch(io);
  if (real !== realDir && !real.startsWith(realDir.endsWith(sep) ? realDir : realDir + sep)) {
    fail(path, `is a link to ${real}, outside the model directory; refusing to read it.`, undefined);
  }
  const info = await stat(real).catch(io);
  if (!info.isFile()) fail(path, `is not a regular file (${info.isDirectory() ? 'a folder' : 'a device, pipe or socket'}); refusing to read it.`);
  if (limits.exactBytes !== undefined && info.size !== limits.exactBytes) {
    fail(path, `has ${info.size} bytes; the manifest needs ${limits.exactBytes}. The file is ${info.size < limits.exactBytes ? 'truncated' : 'longer than expected'}; re-save the model.`);
  }
  if (info.size > limits.maxBytes) fail(path, `has ${info.size} bytes, more than the ${limits.maxBytes} allowed. Raise the limit if the file is trusted.`);
  const bytes = await readFile(real).catch(io);
  if (bytes.byteLength !== info.size) fail(path, 'changed while it was read; try again.');
  return bytes;
}
