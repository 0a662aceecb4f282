import * as tf from '@tensorflow/tfjs';

import type { Combination } from '../components/combination.js';
import { PosePoolError } from '../errors.js';
import { Module } from '../nn/module.js';

/**
 * The combination of a compound scored once: h(ŷ) = ŷ for a single prediction. Ligand-only
 * models see the 2D graph, which all poses share, so they score one "pose" per compound.
 *
 * @example
 * ```ts
 * new SinglePrediction().combine(tf.tensor1d([7.1])); // 7.1
 * ```
 */
export class SinglePrediction extends Module implements Combination {
  combine(predictions: tf.Tensor1D): tf.Scalar {
    if (predictions.size !== 1) {
      throw new PosePoolError(
        'E_INPUT',
        `Combination 'single' takes one prediction per compound, got ${predictions.size}. Ligand-only models score the ligand graph once: pass ligandOnlyCompound(compound).`,
      );
    }
    return predictions.reshape([]) as tf.Scalar;
  }

  poseWeights(predictions: tf.Tensor1D): tf.Tensor1D {
    return tf.onesLike(predictions);
  }

  combineReference(predictions: readonly number[]): number {
    return predictions[0]!;
  }
}
