import * as tf from '@tensorflow/tfjs';

import { PosePoolError } from '../errors.js';
import { Module, type Parameter } from './module.js';

/**
 * A lookup table: row `k` of `weight` is the vector of category `k` (e.g. an atomic number).
 * Initialised from N(0, 1), as `torch.nn.Embedding`.
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

  /**
   * @param count - number of categories
   * @param size - vector size
   * @param init - `seed` for reproducible initialisation
   */
  constructor(
    readonly count: number,
    readonly size: number,
    init: { seed?: number } = {},
  ) {
    super();
    this.weight = this.addParameter('weight', tf.randomNormal([count, size], 0, 1, 'float32', init.seed));
  }

  /**
   * @param indices - categories in [0, count)
   * @returns `[indices.length, size]`
   */
  apply(indices: Int32Array): tf.Tensor2D {
    const bad = indices.findIndex((k) => k < 0 || k >= this.count);
    if (bad >= 0) throw new PosePoolError('E_INPUT', `Atom ${bad} has category ${indices[bad]}, outside this embedding's range [0, ${this.count}) (atomic numbers ≥ ${this.count} are not supported).`);
    return tf.tidy(() => tf.gather(this.weight.variable, tf.tensor1d(indices, 'int32')) as tf.Tensor2D);
  }
}
