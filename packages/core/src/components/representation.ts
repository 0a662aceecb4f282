import type * as tf from '@tensorflow/tfjs';

import type { Module } from '../nn/module.js';
import type { Pose } from '../pose.js';

/**
 * A representation turns one pose (or one part of it) into a fixed-size vector, e.g. SchNet's
 * summed atom features before its last linear layer.
 *
 * @example
 * ```ts
 * class AtomCount extends Module implements Representation {
 *   readonly outputSize = 1;
 *   represent(pose: Pose) { return tf.tensor1d([pose.z.length]); }
 * }
 * ```
 */
export interface Representation extends Module {
  /** Length of the vector {@link Representation.represent} returns. */
  readonly outputSize: number;
  /**
   * @param pose - the pose or pose part
   * @returns its representation, float32 of length {@link Representation.outputSize}
   */
  represent(pose: Pose): tf.Tensor1D;
}
