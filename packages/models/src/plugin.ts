import { defineComponent, definePlugin } from '@posepool/core';
import type { z } from 'zod';

import { GAT, gatOptions } from './gat/gat.js';
import { SchNet, schNetOptions } from './schnet/schnet.js';

declare module '@posepool/core' {
  interface RepresentationOptionsMap {
    schnet: z.input<typeof schNetOptions>;
    gat: z.input<typeof gatOptions>;
  }
}

/** `schnet`: PyTorch Geometric-compatible SchNet. */
export const schnet = defineComponent({
  kind: 'representation',
  name: 'schnet',
  description: 'SchNet (PyTorch Geometric semantics and parameter names; mtenn defaults).',
  options: schNetOptions,
  create: (options) => new SchNet(options),
});

/** `gat`: graph attention over the ligand's 2D graph (DGL-LifeSci hyperparameters). */
export const gat = defineComponent({
  kind: 'representation',
  name: 'gat',
  description: "Graph attention network over the ligand's atoms and bonds (use with the ligand-only strategy).",
  options: gatOptions,
  create: (options) => new GAT(options),
});

/**
 * Registers the architectures of this package.
 *
 * @example
 * ```ts
 * const registry = createRegistry().use(corePlugin).use(combinationsPlugin).use(modelsPlugin);
 * registry.create('representation', 'schnet', { numInteractions: 3 });
 * ```
 */
export const modelsPlugin = definePlugin({ name: '@posepool/models', components: [schnet, gat] });
