import type * as tf from '@tensorflow/tfjs';

import type { Module } from '../nn/module.js';
import type { PosePart } from '../pose.js';

/**
 * A strategy turns the representations of a pose's parts into one prediction, as in mtenn.
 *
 * @example
 * ```ts
 * const strategy = new ComplexOnlyStrategy({ complex: 64 });
 * strategy.apply({ complex: representation.represent(pose) });
 * ```
 */
export interface Strategy extends Module {
  /** The parts whose representations {@link Strategy.apply} needs. */
  readonly parts: readonly PosePart[];
  /** The representation size of each part in {@link Strategy.parts} that the strategy was built for; a model checks them against its representations. */
  readonly inputSizes: Readonly<InputSizes>;
  /**
   * @param representations - one vector per part in {@link Strategy.parts}
   * @returns the pose's prediction, a scalar
   */
  apply(representations: Partial<Record<PosePart, tf.Tensor1D>>): tf.Scalar;
}

/** Output sizes of the representation of each part. */
export type InputSizes = Partial<Record<PosePart, number>>;
