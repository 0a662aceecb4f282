import * as tf from '@tensorflow/tfjs';

import { PosePoolError } from '../errors.js';
import { Module, type Parameter } from './module.js';
import { checkParameterBudget } from './parameter-budget.js';

/** Identity on `w` whose gradient is multiplied by `mask` (rows × 1). */
const maskGradientRows = tf.customGrad(((w: tf.Tensor, mask: tf.Tensor, save: tf.GradSaveFunc) => {
  save([mask]);
  return {
    value: w.clone(),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [dy.mul(saved[0]!), tf.zerosLike(saved[0]!)],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (w: tf.Tensor, mask: tf.Tensor) => tf.Tensor;

/**
 * A lookup table: row `k` of `weight` is the vector of category `k` (e.g. an atomic number).
 * Initialised from N(0, 1), as `torch.nn.Embedding`; with `paddingIndex`, as
 * `torch.nn.Embedding(padding_idx=…)`: that row starts at zero and never receives a gradient.
 *
 * @example
 * ```ts
 * const embedding = new Embedding(100, 16, { seed: 0 });
 * embedding.apply(Int32Array.from([6, 8])); // [2, 16]
 * ```
 */
export class Embedding extends Module {
  /** `[count, size]`. */
  readonly weight: Parameter;

  /** The row that starts at zero and is never trained, if any. */
  readonly paddingIndex: number | undefined;

  /**
   * @param count - number of categories
   * @param size - vector size
   * @param init - `seed` for reproducible initialisation; `paddingIndex` for a zero, untrained row
   */
  constructor(
    readonly count: number,
    readonly size: number,
    init: { seed?: number; paddingIndex?: number } = {},
  ) {
    super();
    checkParameterBudget(count * size, `Embedding ${count} × ${size}`);
    this.paddingIndex = init.paddingIndex;
    const initial = tf.tidy(() => {
      const values = tf.randomNormal([count, size], 0, 1, 'float32', init.seed);
      return init.paddingIndex === undefined ? values : values.mul(this.#rowMask()).add(0); // + 0 turns −0 into +0: a zero row, as torch fills it
    });
    this.weight = this.addParameter('weight', initial);
  }

  /** `[count, 1]`: 0 on the padding row, 1 elsewhere. */
  #rowMask(): tf.Tensor2D {
    return tf.oneHot(tf.tensor1d([this.paddingIndex!], 'int32'), this.count).reshape([this.count, 1]).neg().add(1) as tf.Tensor2D;
  }

  /**
   * @param indices - categories in [0, count)
   * @returns `[indices.length, size]`
   */
  apply(indices: Int32Array): tf.Tensor2D {
    const bad = indices.findIndex((k) => k < 0 || k >= this.count);
    if (bad >= 0) throw new PosePoolError('E_INPUT', `Atom ${bad} has category ${indices[bad]}, outside this embedding's range [0, ${this.count}) (atomic numbers ≥ ${this.count} are not supported).`);
    return tf.tidy(() => {
      let weight: tf.Tensor = this.weight.variable;
      if (this.paddingIndex !== undefined) {
        // The table as it is, with the padding row's gradient masked out (PyTorch's padding_idx).
        weight = maskGradientRows(weight, this.#rowMask());
      }
      return tf.gather(weight, tf.tensor1d(indices, 'int32')) as tf.Tensor2D;
    });
  }
}
