import * as tf from '@tensorflow/tfjs';

import { PosePoolError } from '../errors.js';
import type { NamedVariables } from '../nn/module.js';

/**
 * Checks a gradient map: one entry per variable, keyed like `variables` (parameter paths), with
 * the variable's shape, and nothing else.
 *
 * @param grads - gradients keyed by parameter path
 * @param variables - the variables they are for, keyed the same way
 * @param who - names the producer in the error
 * @throws PosePoolError `E_PROTOCOL` naming the variable and the problem
 * @example
 * ```ts
 * assertGradientMap(step.grads, model.trainableVariables(), 'my model');
 * ```
 */
export function assertGradientMap(grads: tf.NamedTensorMap, variables: NamedVariables, who: string): void {
  const fail = (problem: string): never => {
    throw new PosePoolError('E_PROTOCOL', `Invalid gradient map from ${who}: ${problem}.`);
  };
  for (const path of Object.keys(grads)) if (variables[path] === undefined) fail(`'${path}' is not one of the variables`);
  for (const [path, v] of Object.entries(variables)) {
    const g = grads[path];
    if (g === undefined) fail(`no gradient for '${path}'`);
    if (!tf.util.arraysEqual(g!.shape, v.shape)) fail(`'${path}' has shape [${g!.shape.join(', ')}], expected [${v.shape.join(', ')}]`);
  }
}

/**
 * Applies a gradient map keyed by parameter path with any TF.js optimizer. The map is checked
 * against the variables, then handed over as `{ name, tensor }` pairs named by the TF.js variable
 * names, in the order of `variables` (TF.js optimizers keep their state by position), so it
 * type-checks with every optimizer (`tf.train.adam`'s `applyGradients` rejects a plain
 * `NamedTensorMap`) and works when a second live model's variables carry `_1` suffixes.
 *
 * @param optimizer - e.g. `tf.train.adam(1e-3)`
 * @param grads - gradients keyed by parameter path (not disposed)
 * @param variables - the variables, keyed the same way (e.g. `model.trainableVariables()`)
 * @throws PosePoolError `E_PROTOCOL` when the map does not match the variables
 * @example
 * ```ts
 * applyGradients(tf.train.adam(1e-3), step.grads, model.trainableVariables());
 * ```
 */
export function applyGradients(optimizer: tf.Optimizer, grads: tf.NamedTensorMap, variables: NamedVariables): void {
  assertGradientMap(grads, variables, 'applyGradients()');
  optimizer.applyGradients(Object.entries(variables).map(([path, v]) => ({ name: v.name, tensor: grads[path]! })));
}

/**
 * Sums the gradients of several compounds into one mini-batch gradient, explicitly: nothing
 * is zeroed until you call {@link GradientAccumulator.reset}.
 *
 * @example
 * ```ts
 * const batch = new GradientAccumulator(model.trainableVariables());
 * for (const compound of compounds) batch.add(model.valueAndGrads(compound, squaredError()).grads);
 * batch.applyTo(optimizer); // mean over the compounds
 * batch.reset();
 * ```
 */
export class GradientAccumulator {
  readonly #variables: NamedVariables;
  #sums: tf.NamedTensorMap;
  #count = 0;

  /** @param variables - the variables gradients will be given for, keyed by parameter path */
  constructor(variables: NamedVariables) {
    this.#variables = { ...variables };
    this.#sums = this.#zeros();
  }

  #zeros(): tf.NamedTensorMap {
    return Object.fromEntries(Object.entries(this.#variables).map(([path, v]) => [path, tf.zerosLike(v)]));
  }

  /** How many gradient maps were added since the last reset. */
  get count(): number {
    return this.#count;
  }

  /**
   * Adds one compound's gradients (`scale` times) and disposes them.
   *
   * @param grads - one entry per variable, keyed by parameter path, e.g. `valueAndGrads(...).grads`; taken over
   * @param scale - multiplies the gradients (e.g. a compound weight)
   * @throws PosePoolError `E_PROTOCOL` when the map does not match the variables
   */
  add(grads: tf.NamedTensorMap, scale = 1): void {
    try {
      assertGradientMap(grads, this.#variables, 'GradientAccumulator.add()');
      for (const path of Object.keys(this.#variables)) {
        const sum = this.#sums[path]!;
        this.#sums[path] = tf.tidy(() => (scale === 1 ? sum.add(grads[path]!) : sum.add(grads[path]!.mul(scale))));
        sum.dispose();
      }
      this.#count++;
    } finally {
      tf.dispose(grads);
    }
  }

  /**
   * The accumulated gradients.
   *
   * @param options - `mean`: divide by {@link GradientAccumulator.count} (default true)
   * @returns new tensors keyed by parameter path; the caller owns them
   */
  gradients(options: { mean?: boolean } = {}): tf.NamedTensorMap {
    const divisor = options.mean === false || this.#count === 0 ? 1 : this.#count;
    return tf.tidy(() => Object.fromEntries(Object.entries(this.#sums).map(([path, g]) => [path, g.div(divisor)])));
  }

  /**
   * Applies the accumulated gradients with any TF.js optimizer (see {@link applyGradients}).
   *
   * @param optimizer - e.g. `tf.train.adam(1e-3)`
   * @param options - `mean`: divide by the count first (default true)
   */
  applyTo(optimizer: tf.Optimizer, options: { mean?: boolean } = {}): void {
    const grads = this.gradients(options);
    try {
      applyGradients(optimizer, grads, this.#variables);
    } finally {
      tf.dispose(grads);
    }
  }

  /** Zeroes the sums and the count. */
  reset(): void {
    tf.dispose(this.#sums);
    this.#sums = this.#zeros();
    this.#count = 0;
  }

  /** Frees the sums. */
  dispose(): void {
    tf.dispose(this.#sums);
    this.#sums = {};
  }
}
