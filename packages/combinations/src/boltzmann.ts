import * as tf from '@tensorflow/tfjs';
import { Module, defineComponent, parseOptions, type Combination, type Parameter } from '@posepool/core';
import { z } from 'zod';

import { softmax } from './reference.js';

/**
 * The Boltzmann-weighted mean: p = softmax(−ŷ/T), h = Σ p_i ŷ_i, with pose weights
 * w_i = p_i (1 − (ŷ_i − h)/T). Energies in kT want T = 1 (mtenn's BoltzmannCombination).
 *
 * @example
 * ```ts
 * new BoltzmannCombination({ temperature: 1 }).combine(tf.tensor1d([-9.1, -7.4]));
 * ```
 */
export class BoltzmannCombination extends Module implements Combination {
  readonly #temperature: number;

  /** @param options - the temperature T */
  constructor(options: z.input<typeof boltzmannOptions> = {}) {
    super();
    this.#temperature = parseOptions(boltzmannOptions, options, "combination 'boltzmann'").temperature;
  }

  /** T as a tensor (overridden by the learned variant). */
  protected temperature(): tf.Scalar {
    return tf.scalar(this.#temperature);
  }

  /** T in JS doubles. */
  protected temperatureValue(): number {
    return this.#temperature;
  }

  combine(predictions: tf.Tensor1D): tf.Scalar {
    return tf.tidy(() => {
      const p = tf.softmax(predictions.div(this.temperature()).neg());
      return p.mul(predictions).sum() as tf.Scalar;
    });
  }

  poseWeights(predictions: tf.Tensor1D): tf.Tensor1D {
    return tf.tidy(() => {
      const t = this.temperature();
      const p = tf.softmax(predictions.div(t).neg());
      const h = p.mul(predictions).sum();
      return p.mul(tf.scalar(1).sub(predictions.sub(h).div(t))) as tf.Tensor1D;
    });
  }

  combineReference(predictions: readonly number[]): number {
    const t = this.temperatureValue();
    const p = softmax(predictions.map((v) => -v / t));
    return p.reduce((sum, pi, i) => sum + pi * predictions[i]!, 0);
  }
}

/**
 * Options of `boltzmann`.
 *
 * @example
 * ```ts
 * boltzmannOptions.parse({}); // { temperature: 1 }
 * ```
 */
export const boltzmannOptions = z
  .object({
    /** Temperature T in the units of the predictions. @defaultValue 1 */
    temperature: z.number().positive().finite().default(1),
  })
  .strict();

/**
 * `boltzmann`: Boltzmann-weighted mean at a fixed temperature.
 *
 * @example
 * ```ts
 * createRegistry().register(boltzmann).create('combination', 'boltzmann', { temperature: 0.5 });
 * ```
 */
export const boltzmann = defineComponent({
  kind: 'combination',
  name: 'boltzmann',
  description: 'Boltzmann-weighted mean Σ p_i ŷ_i, p = softmax(−ŷ/T).',
  options: boltzmannOptions,
  create: (options) => new BoltzmannCombination(options),
});

/**
 * The Boltzmann-weighted mean with a learned temperature: φ = log T is a trainable parameter
 * (`log_temperature`), so T stays positive.
 *
 * @example
 * ```ts
 * const combination = new LearnedBoltzmannCombination({ initialTemperature: 2 });
 * combination.variables(); // [log_temperature]
 * ```
 */
export class LearnedBoltzmannCombination extends BoltzmannCombination {
  /** φ = log T. */
  readonly logTemperature: Parameter;

  /** @param options - the starting temperature */
  constructor(options: z.input<typeof learnedBoltzmannOptions> = {}) {
    super();
    const { initialTemperature } = parseOptions(learnedBoltzmannOptions, options, "combination 'learned-boltzmann'");
    this.logTemperature = this.addParameter('log_temperature', tf.scalar(Math.log(initialTemperature)));
  }

  protected override temperature(): tf.Scalar {
    return this.logTemperature.variable.exp() as tf.Scalar;
  }

  protected override temperatureValue(): number {
    return Math.exp(this.logTemperature.variable.dataSync()[0]!);
  }
}

/**
 * Options of `learned-boltzmann`.
 *
 * @example
 * ```ts
 * learnedBoltzmannOptions.parse({}); // { initialTemperature: 1 }
 * ```
 */
export const learnedBoltzmannOptions = z
  .object({
    /** Temperature at initialisation. @defaultValue 1 */
    initialTemperature: z.number().positive().finite().default(1),
  })
  .strict();

/**
 * `learned-boltzmann`: Boltzmann-weighted mean whose temperature trains (φ = log T).
 *
 * @example
 * ```ts
 * createRegistry().register(learnedBoltzmann).create('combination', 'learned-boltzmann');
 * ```
 */
export const learnedBoltzmann = defineComponent({
  kind: 'combination',
  name: 'learned-boltzmann',
  description: 'Boltzmann-weighted mean with a trained temperature (φ = log T).',
  options: learnedBoltzmannOptions,
  create: (options) => new LearnedBoltzmannCombination(options),
});
