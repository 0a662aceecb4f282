import * as tf from '@tensorflow/tfjs';
import { Module, defineComponent, parseOptions, type Combination } from '@posepool/core';
import { z } from 'zod';

import { logSumExp } from './reference.js';

/**
 * Options of {@link LogSumExpCombination}.
 *
 * @example
 * ```ts
 * logSumExpOptions.parse({}); // { smooth: 'min', scale: 1000 }
 * ```
 */
export const logSumExpOptions = z
  .object({
    /** Which extreme h approaches: `min` for energies (lower is better), `max` for scores such as pIC50. @defaultValue 'min' */
    smooth: z.enum(['min', 'max']).default('min'),
    /** Sharpness t > 0: larger approaches the hard min/max. @defaultValue 1000 */
    scale: z.number().positive().finite().default(1000),
  })
  .strict();

/** Options of {@link LogSumExpCombination}, as a user writes them. */
export type LogSumExpOptions = z.input<typeof logSumExpOptions>;

/**
 * Smooth minimum or maximum by LogSumExp: h = (s/t) ln Σ exp(s t ŷ_i) with s = −1 for a smooth
 * min, +1 for a smooth max, and t = `scale`; w = softmax(s t ŷ). Stable for large |s t ŷ| (the
 * extreme is factored out). mtenn's `MaxCombination` defaults (`negate=True, scale=1000`) are
 * `{ smooth: 'min', scale: 1000 }`, the `smooth-min` component.
 *
 * @example
 * ```ts
 * new LogSumExpCombination({ smooth: 'min', scale: 1000 }).combine(tf.tensor1d([-9.1, -7.4])); // ≈ −9.1
 * ```
 */
export class LogSumExpCombination extends Module implements Combination {
  /** s: −1 for a smooth min, +1 for a smooth max. */
  readonly sign: number;
  /** t: the sharpness. */
  readonly scale: number;
  /**
   * From a scale of 100 on: a pose more than 104/t above the best (about 1 unit at 100, 0.1 at
   * mtenn's 1000) has a float32 weight of exactly 0.
   */
  readonly sparseWeights: boolean;

  /** @param options - `smooth` (`min` or `max`) and `scale` */
  constructor(options: LogSumExpOptions = {}) {
    super();
    const o = parseOptions(logSumExpOptions, options, 'LogSumExpCombination');
    this.sign = o.smooth === 'min' ? -1 : 1;
    this.scale = o.scale;
    this.sparseWeights = o.scale >= 100;
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
 * Options of `smooth-min` and `smooth-max`.
 *
 * @example
 * ```ts
 * smoothExtremumOptions.parse({}); // { scale: 1000 }
 * ```
 */
export const smoothExtremumOptions = logSumExpOptions.pick({ scale: true });

/**
 * `smooth-min`: (−1/t) ln Σ exp(−t ŷ_i), the best pose of energies (mtenn's `MaxCombination` defaults).
 *
 * @example
 * ```ts
 * createRegistry().register(smoothMin).create('combination', 'smooth-min', { scale: 1000 });
 * ```
 */
export const smoothMin = defineComponent({
  kind: 'combination',
  name: 'smooth-min',
  description: 'Smooth minimum by LogSumExp, (−1/t) ln Σ exp(−t ŷ_i): the best pose of energies.',
  options: smoothExtremumOptions,
  create: ({ scale }) => new LogSumExpCombination({ smooth: 'min', scale }),
});

/**
 * `smooth-max`: (1/t) ln Σ exp(t ŷ_i), the best pose of scores where larger is better.
 *
 * @example
 * ```ts
 * createRegistry().register(smoothMax).create('combination', 'smooth-max', { scale: 10 });
 * ```
 */
export const smoothMax = defineComponent({
  kind: 'combination',
  name: 'smooth-max',
  description: 'Smooth maximum by LogSumExp, (1/t) ln Σ exp(t ŷ_i): the best pose of scores where larger is better.',
  options: smoothExtremumOptions,
  create: ({ scale }) => new LogSumExpCombination({ smooth: 'max', scale }),
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
 * i.e. `smooth-min` with scale 1/T.
 *
 * @example
 * ```ts
 * createRegistry().register(freeEnergy).create('combination', 'free-energy', { temperature: 0.6 });
 * ```
 */
export const freeEnergy = defineComponent({
  kind: 'combination',
  name: 'free-energy',
  description: 'Free energy of the poses, −T ln Σ exp(−ΔG_i/T) (smooth-min with scale 1/T).',
  options: freeEnergyOptions,
  create: ({ temperature }) => new LogSumExpCombination({ smooth: 'min', scale: 1 / temperature }),
});
