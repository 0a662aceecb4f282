import * as tf from '@tensorflow/tfjs';

import { Module, type Parameter } from '../module.js';

/**
 * A dense layer `y = x Wᵀ + b` with PyTorch's layout (`weight` is `[outputs, inputs]`) and
 * initialisation (uniform in ±1/√inputs), so weights exported from PyTorch load unchanged.
 *
 * @example
 * ```ts
 * const head = new Linear(64, 1, { seed: 1 });
 * head.apply(tf.ones([64])); // shape [1]
 * ```
 */
export class Linear extends Module {
  /** `[outputs, inputs]`. */
  readonly weight: Parameter;
  /** `[outputs]`. */
  readonly bias: Parameter;

  /**
   * @param inputs - input features
   * @param outputs - output features
   * @param init - `seed` for reproducible initialisation
   */
  constructor(
    readonly inputs: number,
    readonly outputs: number,
    init: { seed?: number } = {},
  ) {
    super();
    const bound = 1 / Math.sqrt(inputs);
    this.weight = this.addParameter('weight', tf.randomUniform([outputs, inputs], -bound, bound, 'float32', init.seed));
    this.bias = this.addParameter('bias', tf.randomUniform([outputs], -bound, bound, 'float32', init.seed === undefined ? undefined : init.seed + 1));
  }

  /**
   * @param x - `[inputs]` or `[rows, inputs]`
   * @returns `[outputs]` or `[rows, outputs]`
   */
  apply<T extends tf.Tensor1D | tf.Tensor2D>(x: T): T {
    return tf.tidy(() => {
      const rows = x.rank === 1 ? x.reshape([1, -1]) : x;
      const y = tf.matMul(rows as tf.Tensor2D, this.weight.variable, false, true).add(this.bias.variable);
      return (x.rank === 1 ? y.reshape([-1]) : y) as T;
    });
  }
}
