import * as tf from '@tensorflow/tfjs';

import { Module, type Parameter } from './module.js';
import { checkParameterBudget } from './parameter-budget.js';

/**
 * x + b (b broadcast over rows) whose gradient for b is ones·dy, a matrix product, instead of
 * a sum over rows: tfjs-wasm reduces axis 0 through a transpose and a scalar loop (~1.5 ms for
 * 9 727 × 128), the product runs in XNNPACK (~0.2 ms), and it keeps no input for the backward
 * pass (SchNet's peak per training pose fell from 519 to 410 MiB). Used for layers over many rows (edges).
 */
const addBiasRows = tf.customGrad(((x: tf.Tensor2D, b: tf.Tensor1D) => ({
  value: x.add(b),
  gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
    const g = (Array.isArray(dy) ? dy[0]! : dy) as tf.Tensor2D;
    return [g, tf.matMul(tf.ones([1, g.shape[0]]), g).reshape(b.shape)];
  },
})) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/** Rows from which {@link addBiasRows} pays off. */
const MANY_ROWS = 1024;

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
    checkParameterBudget(outputs * inputs + (bias ? outputs : 0), `Linear ${inputs} → ${outputs}`);
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
      const bias = this.bias?.variable as tf.Tensor1D | undefined;
      const y = bias === undefined ? product : (product.shape[0] as number) >= MANY_ROWS ? addBiasRows(product as tf.Tensor2D, bias) : product.add(bias);
      return (x.rank === 1 ? y.reshape([-1]) : y) as T;
    });
  }
}
