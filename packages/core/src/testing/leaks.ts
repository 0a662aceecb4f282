import * as tf from '@tensorflow/tfjs';

/** What TF.js holds: live tensors, and the backend's data buffers (which a kernel can leak without a tensor). */
function held(): [number, number] {
  return [tf.memory().numTensors, tf.backend().numDataIds()];
}

function check(before: [number, number], what: string): void {
  const after = held();
  if (after[0] !== before[0] || after[1] !== before[1]) {
    throw new Error(
      `${what} leaked: tf.memory().numTensors went ${before[0]} → ${after[0]}, backend data buffers ${before[1]} → ${after[1]}. ` +
        'Run per-pose work in tf.tidy() or dispose what it makes.',
    );
  }
}

/**
 * Runs `fn` and throws if it leaves more (or fewer) tensors or backend buffers alive than
 * before: the leak check every PosePool test and plugin test uses. Works with async functions
 * (checked once the promise settles). Create what must outlive `fn` (models, optimizers' first
 * slots) before calling it.
 *
 * @param fn - the code to check
 * @param what - names the code in the error
 * @returns what `fn` returns
 * @throws Error naming the counts before and after
 * @example
 * ```ts
 * const prediction = expectNoLeaks(() => model.predict(compound));
 * await expectNoLeaks(() => loadModel(dir, registry).catch(() => undefined));
 * ```
 */
export function expectNoLeaks<T>(fn: () => Promise<T>, what?: string): Promise<T>;
export function expectNoLeaks<T>(fn: () => T, what?: string): T;
export function expectNoLeaks<T>(fn: () => T | Promise<T>, what = 'The code'): T | Promise<T> {
  const before = held();
  const result = fn();
  if (result instanceof Promise) {
    return result.then(
      (value) => {
        check(before, what);
        return value;
      },
      (error: unknown) => {
        check(before, what);
        throw error;
      },
    );
  }
  check(before, what);
  return result;
}
