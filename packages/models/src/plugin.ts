import { defineComponent, definePlugin } from '@posepool/core';
import type { z } from 'zod';

import { SchNet, schNetOptions } from './schnet/schnet.js';

declare module '@posepool/core' {
  interface RepresentationOptionsMap {
    schnet: z.input<typeof schNetOptions>;
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

/**
 * Registers the architectures of this package.
 *
 * @example
 * ```ts
 * const registry = createRegistry().use(corePlugin).use(combinationsPlugin).use(modelsPlugin);
 * registry.create('representation', 'schnet', { numInteractions: 3 });
 * ```
 */
export const modelsPlugin = definePlugin({ name: '@posepool/models', components: [schnet] });
