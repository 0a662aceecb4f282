// The tiny run the training tests share: a SchNet small enough for seconds on two cores.
import type { RunConfigInput } from '../config/schema.js';

/** The bundled tyk2 folder. */
export const TYK2 = new URL('../../../../examples/data/tyk2', import.meta.url).pathname;

/** A tiny model on the two best-docked poses of each compound, two epochs of mini-batches of 4. */
export const TINY_RUN = {
  model: {
    representation: { name: 'schnet', options: { hiddenChannels: 8, numFilters: 8, numInteractions: 1, numGaussians: 8, cutoff: 5, maxNumNeighbors: 8, seed: 1 } },
    strategy: { name: 'complex-only', options: { seed: 1 } },
    combination: { name: 'boltzmann' },
    readout: { name: 'pki' },
  },
  data: { topPoses: { tag: 'vina_score', k: 2 } },
  epochs: 2,
  batchSize: 4,
} satisfies RunConfigInput;
