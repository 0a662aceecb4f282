import * as tf from '@tensorflow/tfjs';

import type { Combination } from '../components/combination.js';
import { Module } from '../nn/module.js';

/**
 * The plain mean of the pose predictions, for tests of architectures and strategies that need
 * some combination (the real ones live in `@posepool/combinations`). Its weights come from autodiff.
 *
 * @example
 * ```ts
 * new MultiPoseModel({ representation, strategy, combination: new PoseMean() });
 * ```
 */
export class PoseMean extends Module implements Combination {
  combine(predictions: tf.Tensor1D): tf.Scalar {
    return tf.mean(predictions) as tf.Scalar;
  }
}
