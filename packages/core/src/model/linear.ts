import * as tf from '@tensorflow/tfjs';

import { Module, type Parameter } from '../module.js';

/** How a {@link Linear} layer starts. */
export interface LinearInit {
  /** Seed for reproducible initialisation (random when absent). */
  seed?: number;
  /**
   * `pytorch`: weight and bias uniform in ±1/√inputs (torch.nn.Linear's default);
   * `xavier`: weight Glorot-uniform, bias zero (PyTorch Geometric's SchNet).
   * @defaultValue 'pytorch'
   */
  scheme?: 'pytorch' | 'xavier';
  /**
   * Whether the layer has a bias.
   * @defaultValue true
   */
  bias?: boolean;
}

/**
 * A dense layer `y = x Wᵀ + b` with PyTorch's layout (`weight` is `[outputs, inputs]`), so
 * weights exported from PyTorch load unchanged.
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
  /** `[outputs]`, or undefined for a layer without bias. */
  readonly bias: Parameter | undefined;

  /**
   * @param inputs - input features
   * @param outputs - output features
   * @param init - seed, initialisation scheme, bias
   */
  constructor(
    readonly inputs: number,
    readonly outputs: number,
    init: LinearInit = {},
  ) {
    super();
    const { seed, scheme = 'pytorch', bias = true } = init;
    const bound = scheme === 'xavier' ? Math.sqrt(6 / (inputs + outputs)) : 1 / Math.sqrt(inputs);
    this.weight = this.addParameter('weight', tf.randomUniform([outputs, inputs], -bound, bound, 'float32', seed));
    if (!bias) {
      this.bias = undefined;
    } else {
      const b = 1 / Math.sqrt(inputs);
      this.bias = this.addParameter('bias', scheme === 'xavier' ? tf.zeros([outputs]) : tf.randomUniform([outputs], -b, b, 'float32', seed === undefined ? undefined : seed + 1));
    }
  }

  /**
   * @param x - `[inputs]` or `[rows, inputs]`
   * @returns `[outputs]` or `[rows, outputs]`
   */
  apply<T extends tf.Tensor1D | tf.Tensor2D>(x: T): T {
    return tf.tidy(() => {
      const rows = x.rank === 1 ? x.reshape([1, -1]) : x;
      const product = tf.matMul(rows as tf.Tensor2D, this.weight.variable, false, true);
      const y = this.bias === undefined ? product : product.add(this.bias.variable);
      return (x.rank === 1 ? y.reshape([-1]) : y) as T;
    });
  }
}
