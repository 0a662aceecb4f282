// The architecture guide's test, verbatim: every gradient mode of a model built on the plugin.
import { buildModel, corePlugin, createRegistry } from '@posepool/core';
import { checkModelGradients, randomCompound } from '@posepool/core/testing';
import { combinationsPlugin } from '@posepool/combinations';
import { it } from 'vitest';

import { contactPlugin } from './architecture.js';

it('gives naive gradients in every mode inside a MultiPoseModel, and leaks nothing', () => {
  const registry = createRegistry().use(corePlugin).use(combinationsPlugin).use(contactPlugin);
  const model = buildModel(
    {
      representation: { name: 'contact-mlp', options: { hidden: 8, seed: 1 } },
      strategy: { name: 'complex-only', options: { seed: 1 } },
      combination: { name: 'boltzmann' },
    },
    registry,
  );
  // Every gradient mode against the naive full graph, two losses, and a leak check.
  checkModelGradients(model, [randomCompound({ poses: 4, atoms: 40, seed: 2 })]);
  model.dispose();
});
