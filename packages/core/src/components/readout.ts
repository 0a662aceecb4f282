import type * as tf from '@tensorflow/tfjs';

import { type Module } from '../nn/module.js';

/**
 * A readout maps a prediction to the quantity the loss compares with the experiment, e.g.
 * ΔG (in kT) to pIC50. It applies elementwise, so it works per pose (before the combination)
 * and on the combined prediction (after it).
 *
 * @example
 * ```ts
 * class Negate extends Module implements Readout {
 *   apply(x: tf.Tensor) { return x.neg(); }
 * }
 * ```
 */
export interface Readout extends Module {
  /**
   * @param prediction - predictions of any shape
   * @returns readout values of the same shape
   */
  apply<T extends tf.Tensor>(prediction: T): T;
}
