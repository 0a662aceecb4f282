import { CommanderError } from '@commander-js/extra-typings';
import { PosePoolError } from '@posepool/core';

/**
 * Exit codes of the `posepool` command.
 *
 * @example
 * ```ts
 * process.exitCode = EXIT.usage; // 2
 * ```
 */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/**
 * A command-line problem (a bad flag value or combination): exit code 2.
 *
 * @example
 * ```ts
 * throw new UsageError("--out preds.txt: expected a .csv or .json file name.");
 * ```
 */
export class UsageError extends PosePoolError {
  /** @param message - what is wrong with the flags and how to call the command instead */
  constructor(message: string) {
    super('E_USAGE', message);
  }
}

/**
 * The exit code and the one-line message for an error thrown by a command.
 *
 * @param error - what was thrown
 * @returns exit code 2 for usage problems (commander's, `E_USAGE`), 1 for everything else, and the message on one line
 * @example
 * ```ts
 * const { code, line } = describeError(new UsageError('--shard 5/4: need 0 ≤ i < n.'));
 * ```
 */
export function describeError(error: unknown): { code: number; line: string } {
  if (error instanceof CommanderError) return { code: error.exitCode === 0 ? EXIT.ok : EXIT.usage, line: '' };
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code === 'E_USAGE' ? EXIT.usage : EXIT.failure;
  return { code, line: `posepool: error: ${message.replace(/\s*\n\s*/g, ' ').trim()}` };
}
