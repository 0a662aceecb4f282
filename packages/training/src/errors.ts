/** Stable codes of {@link TrainingError}. */
export type TrainingErrorCode =
  /** A run config is invalid: unknown key, bad value, unreadable file. */
  | 'E_RUN_CONFIG'
  /** A gradient or loss became NaN or ±Infinity; the run stopped on the last good weights. */
  | 'E_NONFINITE'
  /** A run directory is missing, incomplete or not resumable. */
  | 'E_RUN_DIR'
  /** A command-line value (shard, split, output path) is unusable. */
  | 'E_USAGE';

/**
 * An error of a training run a person can act on: it names the file, line or key and the fix.
 * Match on `code`, not on the message.
 *
 * @example
 * ```ts
 * throw new TrainingError('E_RUN_DIR', "runs/a: no checkpoint/ to resume from. Start a new run with 'posepool train'.");
 * ```
 */
export class TrainingError extends Error {
  /** Stable, machine-readable code. */
  readonly code: TrainingErrorCode;

  /**
   * @param code - the stable code
   * @param message - what, where, and the fix
   * @param options - `cause`: the underlying failure
   */
  constructor(code: TrainingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TrainingError';
    this.code = code;
  }
}
