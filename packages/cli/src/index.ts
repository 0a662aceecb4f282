/**
 * The `posepool` command: a thin shell over `@posepool/training` (parsing, printing, progress,
 * exit codes). Run `posepool --help`.
 *
 * @example
 * ```ts
 * import { main } from '@posepool/cli';
 * process.exitCode = await main(['list']);
 * ```
 *
 * @packageDocumentation
 */
export { createProgram, main } from './main.js';
export { EXIT, UsageError, describeError } from './errors.js';
export { createProgress, type Progress } from './progress.js';
