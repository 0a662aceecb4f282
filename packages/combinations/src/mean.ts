import * as tf from '@tensorflow/tfjs';
import { Module, defineComponent, type Combination } from '@posepool/core';
import { z } from 'zod';

/**
 * The mean of the pose predictions: h = (1/N) Σ ŷ_i, w_i = 1/N.
 *
 * @example
 * ```ts
 * new MeanCombination().combine(tf.tensor1d([1, 2, 6])); // 3
 * ```
 */
export class MeanCombination extends Module implements Combination {
  combine(predictions: tf.Tensor1D): tf.Scalar {
    return tf.mean(predictions) as tf.Scalar;
  }

  poseWeights(predictions: tf.Tensor1D): tf.Tensor1D {
    return tf.fill([predictions.size], 1 / predictions.size) as tf.Tensor1D;
  }

  combineReference(predictions: readonly number[]): number {
    return predictions.reduce((sum, v) => sum + v, 0) / predictions.length;
  }
}

/**
 * Options of `mean`: none.
 *
 * @example
 * ```ts
 * meanOptions.parse({}); // {}
 * ```
 */
export const meanOptions = z.object({}).strict();

/**
 * `mean`: the average pose prediction.
 *
 * @example
 * ```ts
 * createRegistry().register(mean).create('combination', 'mean');
 * ```
 */
export const mean = defineComponent({
  kind: 'combination',
  name: 'mean',
  description: 'Mean of the pose predictions.',
  options: meanOptions,
  create: () => new MeanCombination(),
});
