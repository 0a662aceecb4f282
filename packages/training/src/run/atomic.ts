import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Writes a file atomically: to a temporary file beside it, then renamed over it, so a reader
 * (or a killed writer) never sees half a file.
 *
 * @param file - the destination
 * @param data - the content
 * @example
 * ```ts
 * await writeFileAtomic('runs/a/metrics.json', JSON.stringify(metrics));
 * ```
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${randomBytes(4).toString('hex')}.partial`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Fills a directory atomically: `fill` creates and fills a temporary sibling path, which then
 * replaces `dir` (any previous `dir` is removed just before the rename).
 *
 * @param dir - the destination directory
 * @param fill - creates the folder it is given (it does not exist yet) and writes the content
 * @example
 * ```ts
 * await writeDirectoryAtomic('runs/a/model', (tmp) => saveModel(model, tmp));
 * ```
 */
export async function writeDirectoryAtomic(dir: string, fill: (temporary: string) => Promise<unknown>): Promise<void> {
  const temporary = join(dirname(dir), `.${randomBytes(4).toString('hex')}.partial`);
  try {
    await mkdir(dirname(dir), { recursive: true });
    await fill(temporary);
    await rm(dir, { recursive: true, force: true });
    await rename(temporary, dir);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Removes the temporary files and folders a killed writer left under `dir` (names ending in
 * `.partial`, as {@link writeFileAtomic} and {@link writeDirectoryAtomic} make them).
 *
 * @param dir - a run directory
 * @returns how many were removed
 * @example
 * ```ts
 * await removePartials('runs/a'); // before resuming after a kill -9
 * ```
 */
export async function removePartials(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const partial = entries.filter((e) => e.name.endsWith('.partial')).map((e) => join(e.parentPath, e.name));
  for (const path of partial) await rm(path, { recursive: true, force: true });
  return partial.length;
}
