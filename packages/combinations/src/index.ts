/**
 * Pose combinations for PosePool, as one plugin: `mean`, `smooth-min` and `smooth-max` (by
 * LogSumExp), `free-energy`, `boltzmann` and `learned-boltzmann`.
 *
 * @example
 * ```ts
 * import { createRegistry, corePlugin } from '@posepool/core';
 * import { combinationsPlugin } from '@posepool/combinations';
 * const registry = createRegistry().use(corePlugin).use(combinationsPlugin);
 * const softMin = registry.create('combination', 'smooth-min', { scale: 1000 });
 * ```
 *
 * @packageDocumentation
 */
import { definePlugin } from '@posepool/core';
import type { z } from 'zod';

import { boltzmann, type boltzmannOptions, learnedBoltzmann, type learnedBoltzmannOptions } from './boltzmann.js';
import { freeEnergy, type freeEnergyOptions, type smoothExtremumOptions, smoothMax, smoothMin } from './log-sum-exp.js';
import { mean, type meanOptions } from './mean.js';

export { BoltzmannCombination, LearnedBoltzmannCombination, boltzmannOptions, learnedBoltzmannOptions } from './boltzmann.js';
export { LogSumExpCombination, freeEnergyOptions, logSumExpOptions, smoothExtremumOptions, type LogSumExpOptions } from './log-sum-exp.js';
export { MeanCombination, meanOptions } from './mean.js';

declare module '@posepool/core' {
  interface CombinationOptionsMap {
    mean: z.input<typeof meanOptions>;
    'smooth-min': z.input<typeof smoothExtremumOptions>;
    'smooth-max': z.input<typeof smoothExtremumOptions>;
    'free-energy': z.input<typeof freeEnergyOptions>;
    boltzmann: z.input<typeof boltzmannOptions>;
    'learned-boltzmann': z.input<typeof learnedBoltzmannOptions>;
  }
}

/**
 * Registers every combination of this package.
 *
 * @example
 * ```ts
 * const registry = createRegistry().use(corePlugin).use(combinationsPlugin);
 * ```
 */
export const combinationsPlugin = definePlugin({
  name: '@posepool/combinations',
  components: [mean, smoothMin, smoothMax, freeEnergy, boltzmann, learnedBoltzmann],
});
