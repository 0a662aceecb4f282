/**
 * Stable error codes carried by every {@link PosePoolError}. Match on `code`, not on messages.
 */
export type PosePoolErrorCode =
  /** A backend could not be loaded or initialised. */
  | 'E_BACKEND'
  /** A component name is already registered (pass `override: true` to replace it). */
  | 'E_REGISTRY_DUPLICATE'
  /** A component name is not registered. */
  | 'E_REGISTRY_MISSING'
  /** A registry that has built components was asked to register more. */
  | 'E_REGISTRY_FROZEN'
  /** A plugin or component definition is malformed. */
  | 'E_PLUGIN'
  /** Component options or a model config failed validation. */
  | 'E_CONFIG'
  /** A component broke the gradient protocol (bad pose weights, bad gradient map). */
  | 'E_PROTOCOL'
  /** A gradient was requested inside another gradient tape. */
  | 'E_NESTED_TAPE'
  /** Model inputs (poses, compounds) are unusable. */
  | 'E_INPUT'
  /** A saved model could not be written or read. */
  | 'E_SERIALIZATION'
  /** A step would not fit the backend's memory. */
  | 'E_MEMORY'
  /** The model predicted NaN or an infinity, or a training gradient or loss became one (the run stops on the last good weights). */
  | 'E_NONFINITE'
  /** A run config is invalid: unknown key, bad value, unreadable file (training and the command line). */
  | 'E_RUN_CONFIG'
  /** A run directory is missing, incomplete or not resumable. */
  | 'E_RUN_DIR'
  /** A command-line value or combination of flags is unusable (exit code 2). */
  | 'E_USAGE'
  /** A worker thread failed or could not start (the message names the compound it was computing). */
  | 'E_WORKER';

/**
 * The one error class PosePool throws for problems a user can act on.
 *
 * @example
 * ```ts
 * try {
 *   registry.create('combination', 'maxx');
 * } catch (error) {
 *   if (error instanceof PosePoolError && error.code === 'E_REGISTRY_MISSING') console.error(error.message);
 * }
 * ```
 */
export class PosePoolError extends Error {
  /** Stable, machine-readable error code. */
  readonly code: PosePoolErrorCode;

  /**
   * @param code - the stable error code
   * @param message - what went wrong and how to fix it
   * @param options - `cause`: the underlying failure, kept for debugging
   */
  constructor(code: PosePoolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PosePoolError';
    this.code = code;
  }
}
