import { PosePoolError } from '@posepool/core';

/** Where in an input a problem is. */
export interface InputLocation {
  /** The file. */
  readonly file: string;
  /** 1-based line, when the problem has one. */
  readonly line?: number;
  /** The record (SDF title or ligand id, CSV id), when known. */
  readonly record?: string;
}

/**
 * A malformed or unusable input: names the file, the line or record, what is wrong and, where
 * there is one, the fix. `code` is `E_INPUT`.
 *
 * @example
 * ```ts
 * throw new InputError({ file: 'poses.sdf', line: 12 }, "x coordinate 'abc' is not a number");
 * // poses.sdf:12: x coordinate 'abc' is not a number.
 * ```
 */
export class InputError extends PosePoolError {
  readonly file: string;
  readonly line: number | undefined;
  readonly record: string | undefined;

  /**
   * @param where - file, line, record
   * @param problem - what is wrong (no trailing period)
   * @param fix - how to fix it, if there is something to say
   * @param options - `cause`: the underlying failure
   */
  constructor(where: InputLocation, problem: string, fix?: string, options?: { cause?: unknown }) {
    const place = `${where.file}${where.line === undefined ? '' : `:${where.line}`}${where.record === undefined ? '' : ` (record '${where.record}')`}`;
    super('E_INPUT', `${place}: ${problem}.${fix === undefined ? '' : ` ${fix}`}`, options);
    this.name = 'InputError';
    this.file = where.file;
    this.line = where.line;
    this.record = where.record;
  }
}
