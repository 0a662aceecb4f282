import { z } from 'zod';

import { defineComponent, definePlugin } from '../registry/registry.js';
import { PIC50Readout, PKiReadout, pic50Options } from './readouts.js';
import { SinglePrediction } from './single-prediction.js';
import { ComplexOnlyStrategy, ConcatStrategy, DeltaStrategy, LigandOnlyStrategy, strategyOptions } from './strategies.js';

const noOptions = z.object({}).strict();

declare module '../registry/registry.js' {
  interface StrategyOptionsMap {
    'complex-only': z.input<typeof strategyOptions>;
    delta: z.input<typeof strategyOptions>;
    'split-delta': z.input<typeof strategyOptions>;
    concat: z.input<typeof strategyOptions>;
    'ligand-only': z.input<typeof strategyOptions>;
  }
  interface CombinationOptionsMap {
    single: Record<string, never>;
  }
  interface ReadoutOptionsMap {
    pic50: z.input<typeof pic50Options>;
    pki: Record<string, never>;
  }
}

/**
 * The standard strategies (`complex-only`, `delta`, `split-delta`, `concat`, `ligand-only`),
 * readouts (`pic50`, `pki`) and the `single` combination of ligand-only models, as a plugin.
 *
 * @example
 * ```ts
 * const registry = createRegistry().use(corePlugin);
 * registry.create('readout', 'pic50', { substrateConcentration: 0.375, km: 0.35 });
 * ```
 */
export const corePlugin = definePlugin({
  name: '@posepool/core',
  components: [
    defineComponent({
      kind: 'strategy',
      name: 'complex-only',
      description: 'Linear energy head on the complex representation.',
      options: strategyOptions,
      create: (options, { inputSizes }) => new ComplexOnlyStrategy(inputSizes, options),
    }),
    defineComponent({
      kind: 'strategy',
      name: 'delta',
      description: 'E(complex) − E(protein) − E(ligand) with one shared energy head.',
      options: strategyOptions,
      create: (options, { inputSizes }) => new DeltaStrategy(inputSizes, options),
    }),
    defineComponent({
      kind: 'strategy',
      name: 'split-delta',
      description: 'E(complex) − E(protein) − E(ligand) with one energy head per part (for separate representations).',
      options: strategyOptions,
      create: (options, { inputSizes }) => new DeltaStrategy(inputSizes, { ...options, split: true }),
    }),
    defineComponent({
      kind: 'strategy',
      name: 'concat',
      description: 'Linear layer on complex ⊕ (protein ⊕ ligand summed over permutations).',
      options: strategyOptions,
      create: (options, { inputSizes }) => new ConcatStrategy(inputSizes, options),
    }),
    defineComponent({
      kind: 'strategy',
      name: 'ligand-only',
      description: 'Linear head on the ligand representation (2D-graph models).',
      options: strategyOptions,
      create: (options, { inputSizes }) => new LigandOnlyStrategy(inputSizes, options),
    }),
    defineComponent({
      kind: 'combination',
      name: 'single',
      description: 'The one prediction of a compound scored once (ligand-only models).',
      options: noOptions,
      create: () => new SinglePrediction(),
    }),
    defineComponent({
      kind: 'readout',
      name: 'pic50',
      description: 'ΔG (kT) → pIC50 = −ΔG/ln10 − log10(1 + [S]/Km).',
      options: pic50Options,
      create: (options) => new PIC50Readout(options),
    }),
    defineComponent({
      kind: 'readout',
      name: 'pki',
      description: 'ΔG (kT) → pKi = −ΔG/ln10.',
      options: noOptions,
      create: () => new PKiReadout(),
    }),
  ],
});
