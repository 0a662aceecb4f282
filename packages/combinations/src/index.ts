/**
 * Pose combinations for PosePool, as one plugin: `mean`, `max` (smooth max/min by
 * LogSumExp), `free-energy`, `boltzmann` and `learned-boltzmann`.
 *
 * @example
 * ```ts
 * import { createRegistry, corePlugin } from '@posepool/core';
 * import { combinationsPlugin } from '@posepool/combinations';
 * const registry = createRegistry().use(corePlugin).use(combinationsPlugin);
 * const softMin = registry.create('combination', 'max', { negate: true, scale: 1000 });
 * ```
 *
 * @packageDocumentation
 */
import { definePlugin } from '@posepool/core';
import type { z } from 'zod';

import { boltzmann, boltzmannOptions, learnedBoltzmann, learnedBoltzmannOptions } from './boltzmann.js';
import { freeEnergy, freeEnergyOptions, max, maxOptions } from './max.js';
import { mean, meanOptions } from './mean.js';

export { BoltzmannCombination, LearnedBoltzmannCombination, boltzmannOptions, learnedBoltzmannOptions } from './boltzmann.js';
export { MaxCombination, freeEnergyOptions, maxOptions, type MaxOptions } from './max.js';
export { MeanCombination, meanOptions } from './mean.js';

declare module '@posepool/core' {
  interface CombinationOptionsMap {
    mean: z.input<typeof meanOptions>;
    max: z.input<typeof maxOptions>;
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
  components: [mean, max, freeEnergy, boltzmann, learnedBoltzmann],
});
