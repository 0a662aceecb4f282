import * as tf from '@tensorflow/tfjs';
import { Module, defineComponent, type Combination } from '@posepool/core';
import { z } from 'zod';

import { logSumExp } from './reference.js';

/**
 * Options of `max`.
 *
 * @example
 * ```ts
 * maxOptions.parse({}); // { negate: true, scale: 1000 }
 * ```
 */
export const maxOptions = z
  .object({
    /** Smooth minimum instead of maximum (s = −1); for energies, where lower is better. @defaultValue true */
    negate: z.boolean().default(true),
    /** Sharpness t > 0: larger approaches the hard max/min. @defaultValue 1000 */
    scale: z.number().positive().finite().default(1000),
  })
  .strict();

/** Options of `max`, as a user writes them. */
export type MaxOptions = z.input<typeof maxOptions>;

/**
 * Smooth maximum (or minimum) by LogSumExp: h = (s/t) ln Σ exp(s t ŷ_i) with s = −1 when
 * `negate` (a smooth min) and t = `scale`; w = softmax(s t ŷ). mtenn's defaults are
 * `negate: true, scale: 1000`. Stable for large |s t ŷ| (the maximum is factored out).
 *
 * @example
 * ```ts
 * new MaxCombination({ negate: true, scale: 1000 }).combine(tf.tensor1d([-9.1, -7.4])); // ≈ −9.1
 * ```
 */
export class MaxCombination extends Module implements Combination {
  /** s: −1 for a smooth min, +1 for a smooth max. */
  readonly sign: number;
  /** t: the sharpness. */
  readonly scale: number;

  /** @param options - `negate` and `scale` */
  constructor(options: MaxOptions = {}) {
    super();
    const o = maxOptions.parse(options);
    this.sign = o.negate ? -1 : 1;
    this.scale = o.scale;
  }

  combine(predictions: tf.Tensor1D): tf.Scalar {
    return tf.tidy(() => tf.logSumExp(predictions.mul(this.sign * this.scale)).mul(this.sign / this.scale) as tf.Scalar);
  }

  poseWeights(predictions: tf.Tensor1D): tf.Tensor1D {
    return tf.tidy(() => tf.softmax(predictions.mul(this.sign * this.scale)) as tf.Tensor1D);
  }

  combineReference(predictions: readonly number[]): number {
    return (this.sign / this.scale) * logSumExp(predictions.map((v) => this.sign * this.scale * v));
  }
}

/**
 * `max`: smooth max/min by LogSumExp.
 *
 * @example
 * ```ts
 * createRegistry().register(max).create('combination', 'max', { negate: false, scale: 10 });
 * ```
 */
export const max = defineComponent({
  kind: 'combination',
  name: 'max',
  description: 'Smooth max/min by LogSumExp, (s/t) ln Σ exp(s t ŷ_i); negate (s = −1) and scale t.',
  options: maxOptions,
  create: (options) => new MaxCombination(options),
});

/**
 * Options of `free-energy`.
 *
 * @example
 * ```ts
 * freeEnergyOptions.parse({}); // { temperature: 1 }
 * ```
 */
export const freeEnergyOptions = z
  .object({
    /** Temperature T in the units of the predictions (1 for energies in kT). @defaultValue 1 */
    temperature: z.number().positive().finite().default(1),
  })
  .strict();

/**
 * `free-energy`: the preset h = −T ln Σ exp(−ΔG_i / T) of pose free energies (no −T ln N term),
 * i.e. `max` with `negate: true, scale: 1/T`.
 *
 * @example
 * ```ts
 * createRegistry().register(freeEnergy).create('combination', 'free-energy', { temperature: 0.6 });
 * ```
 */
export const freeEnergy = defineComponent({
  kind: 'combination',
  name: 'free-energy',
  description: 'Free energy of the poses, −T ln Σ exp(−ΔG_i/T) (max with negate, scale 1/T).',
  options: freeEnergyOptions,
  create: ({ temperature }) => new MaxCombination({ negate: true, scale: 1 / temperature }),
});
