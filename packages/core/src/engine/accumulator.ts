import * as tf from '@tensorflow/tfjs';

import { PosePoolError } from '../errors.js';

/**
 * Checks a gradient map: one entry per variable, with the variable's shape, and nothing else.
 *
 * @param grads - gradients keyed by variable name
 * @param variables - the variables they are for
 * @param who - names the producer in the error
 * @throws PosePoolError `E_PROTOCOL` naming the variable and the problem
 * @example
 * ```ts
 * assertGradientMap(step.grads, model.trainableVariables(), 'my model');
 * ```
 */
export function assertGradientMap(grads: tf.NamedTensorMap, variables: readonly tf.Variable[], who: string): void {
  const fail = (problem: string): never => {
    throw new PosePoolError('E_PROTOCOL', `Invalid gradient map from ${who}: ${problem}.`);
  };
  const expected = new Set(variables.map((v) => v.name));
  for (const name of Object.keys(grads)) if (!expected.has(name)) fail(`'${name}' is not one of the variables`);
  for (const v of variables) {
    const g = grads[v.name];
    if (g === undefined) fail(`no gradient for '${v.name}'`);
    if (!tf.util.arraysEqual(g!.shape, v.shape)) fail(`'${v.name}' has shape [${g!.shape.join(', ')}], expected [${v.shape.join(', ')}]`);
  }
}

/**
 * Sums the gradients of several compounds into one mini-batch gradient, explicitly: nothing
 * is zeroed until you call {@link GradientAccumulator.reset}.
 *
 * @example
 * ```ts
 * const batch = new GradientAccumulator(model.trainableVariables());
 * for (const compound of compounds) batch.add(model.valueAndGrads(compound, squaredError()).grads);
 * batch.applyTo(optimizer); // mean over the 2 compounds
 * batch.reset();
 * ```
 */
export class GradientAccumulator {
  readonly #variables: readonly tf.Variable[];
  #sums: tf.NamedTensorMap;
  #count = 0;

  /** @param variables - the variables gradients will be given for */
  constructor(variables: readonly tf.Variable[]) {
    this.#variables = variables;
    this.#sums = Object.fromEntries(variables.map((v) => [v.name, tf.zerosLike(v)]));
  }

  /** How many gradient maps were added since the last reset. */
  get count(): number {
    return this.#count;
  }

  /**
   * Adds one compound's gradients (`scale` times) and disposes them.
   *
   * @param grads - one entry per variable, e.g. `valueAndGrads(...).grads`; taken over
   * @param scale - multiplies the gradients (e.g. a compound weight)
   * @throws PosePoolError `E_PROTOCOL` when the map does not match the variables
   */
  add(grads: tf.NamedTensorMap, scale = 1): void {
    try {
      assertGradientMap(grads, this.#variables, 'GradientAccumulator.add()');
      for (const v of this.#variables) {
        const sum = this.#sums[v.name]!;
        this.#sums[v.name] = tf.tidy(() => (scale === 1 ? sum.add(grads[v.name]!) : sum.add(grads[v.name]!.mul(scale))));
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
   * @returns new tensors keyed by variable name; the caller owns them
   */
  gradients(options: { mean?: boolean } = {}): tf.NamedTensorMap {
    const divisor = options.mean === false || this.#count === 0 ? 1 : this.#count;
    return tf.tidy(() => Object.fromEntries(Object.entries(this.#sums).map(([name, g]) => [name, g.div(divisor)])));
  }

  /**
   * Applies the accumulated gradients with any TF.js optimizer (`optimizer.applyGradients`).
   *
   * @param optimizer - e.g. `tf.train.adam(1e-3)`
   * @param options - `mean`: divide by the count first (default true)
   */
  applyTo(optimizer: tf.Optimizer, options: { mean?: boolean } = {}): void {
    const grads = this.gradients(options);
    optimizer.applyGradients(grads);
    tf.dispose(grads);
  }

  /** Zeroes the sums and the count. */
  reset(): void {
    tf.dispose(this.#sums);
    this.#sums = Object.fromEntries(this.#variables.map((v) => [v.name, tf.zerosLike(v)]));
    this.#count = 0;
  }

  /** Frees the sums. */
  dispose(): void {
    tf.dispose(this.#sums);
    this.#sums = {};
  }
}
