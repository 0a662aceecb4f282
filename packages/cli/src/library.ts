// The library, loaded on first use so that usage errors and --help answer without loading TF.js.
import type * as Training from '@posepool/training';

/**
 * Imports TF.js (quietly) and `@posepool/training`.
 *
 * @returns the training library
 * @example
 * ```ts
 * const { train } = await library();
 * ```
 */
export async function library(): Promise<typeof Training> {
  const tf = await import('@tensorflow/tfjs');
  tf.enableProdMode();
  return import('@posepool/training');
}

/**
 * Writes `text` to stdout and waits until it is flushed.
 *
 * @param text - what to print
 * @example
 * ```ts
 * await print(JSON.stringify(schema, null, 2));
 * ```
 */
export function print(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(`${text}\n`, (error) => (error ? reject(error) : resolve())));
}
