import { InputError } from './errors.js';

/** What each of Node's file-system error codes means to a user, and the fix. */
const MEANINGS: Record<string, [string, string]> = {
  ENOENT: ['not found', 'Check the path.'],
  EACCES: ['permission denied', 'Make it readable (and its folders searchable) by this user, or copy it somewhere that is.'],
  EPERM: ['operation not permitted', 'Check its permissions and ownership.'],
  ELOOP: ['is a symbolic link loop', 'Point the link at a real file.'],
  ENOTDIR: ['a part of the path is a file, not a folder', 'Check the path.'],
  EISDIR: ['is a folder where a file is expected', 'Name the file inside it.'],
  ENAMETOOLONG: ['the path is too long', 'Use a shorter path.'],
  EEXIST: ['already exists and is not what is expected', 'Remove it or choose another path.'],
  EROFS: ['is on a read-only file system', 'Choose a writable location.'],
  ENOSPC: ['no space left on the device', 'Free some space or choose another location.'],
  EMFILE: ['too many open files', 'Raise the open-file limit (ulimit -n).'],
  EIO: ['input/output error', 'The disk or network file system failed; check it.'],
};

/**
 * Turns any failure of a file-system call into an {@link InputError} naming the path, what the
 * Node error code means and the fix (`EACCES`, `ELOOP`, `ENOTDIR`, `EISDIR`, … and any other
 * code, which is quoted). An `InputError` passes through unchanged; the original error is kept as
 * `cause`.
 *
 * @param path - the path the call was about
 * @param error - what the call threw
 * @param action - what was being done, e.g. `cannot read`
 * @returns the error to throw
 * @example
 * ```ts
 * await readFile(file).catch((e: unknown) => { throw fileSystemError(file, e, 'cannot read'); });
 * ```
 */
export function fileSystemError(path: string, error: unknown, action = 'cannot read'): InputError {
  if (error instanceof InputError) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  const [meaning, fix] = typeof code === 'string' && code in MEANINGS ? MEANINGS[code]! : [`${typeof code === 'string' ? `${code}: ` : ''}${(error as Error | undefined)?.message ?? String(error)}`, 'Check the path and its permissions.'];
  return new InputError({ file: path }, `${action}: ${meaning}`, fix, { cause: error });
}
