import { defineComponent, definePlugin } from '@posepool/core';
import type { z } from 'zod';

import { GAT, gatOptions } from './gat/gat.js';
import { PaiNN, paiNNOptions } from './painn/painn.js';
import { SchNet, schNetOptions } from './schnet/schnet.js';

declare module '@posepool/core' {
  interface RepresentationOptionsMap {
    schnet: z.input<typeof schNetOptions>;
    gat: z.input<typeof gatOptions>;
    painn: z.input<typeof paiNNOptions>;
  }
}

/**
 * `schnet`: PyTorch Geometric-compatible SchNet.
 *
 * @example
 * ```ts
 * createRegistry().register(schnet).create('representation', 'schnet', { numInteractions: 3 });
 * ```
 */
export const schnet = defineComponent({
  kind: 'representation',
  name: 'schnet',
  description: 'SchNet (PyTorch Geometric semantics and parameter names; mtenn defaults).',
  options: schNetOptions,
  create: (options) => new SchNet(options),
});

/**
 * `gat`: graph attention over the ligand's 2D graph (DGL-LifeSci hyperparameters).
 *
 * @example
 * ```ts
 * createRegistry().register(gat).create('representation', 'gat', { numHeads: 4 });
 * ```
 */
export const gat = defineComponent({
  kind: 'representation',
  name: 'gat',
  description: "Graph attention network over the ligand's atoms and bonds (use with the ligand-only strategy).",
  options: gatOptions,
  create: (options) => new GAT(options),
});

/**
 * `painn`: rotation-equivariant message passing with scalar and vector features.
 *
 * @example
 * ```ts
 * createRegistry().register(painn).create('representation', 'painn', { hiddenChannels: 64 });
 * ```
 */
export const painn = defineComponent({
  kind: 'representation',
  name: 'painn',
  description: 'PaiNN: rotation-equivariant message passing (scalar and vector features).',
  options: paiNNOptions,
  create: (options) => new PaiNN(options),
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
export const modelsPlugin = definePlugin({ name: '@posepool/models', components: [schnet, gat, painn] });
