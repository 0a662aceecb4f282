/**
 * The version of `@posepool/core`, written into every saved model.
 *
 * @example
 * ```ts
 * POSEPOOL_VERSION; // '0.1.0'
 * ```
 */
export const POSEPOOL_VERSION = '0.1.0';
