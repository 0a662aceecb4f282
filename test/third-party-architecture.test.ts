import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { combinationsPlugin } from '@posepool/combinations';
import { buildModel, corePlugin, createRegistry, loadModel, saveModel } from '@posepool/core';
import { randomCompound } from '@posepool/core/testing';
import { describe, expect, it } from 'vitest';

import { contactPlugin } from './plugin-example/architecture.js';

describe('a third-party architecture plugin', () => {
  const registry = createRegistry().use(corePlugin).use(combinationsPlugin).use(contactPlugin);
  const config = {
    representation: { name: 'contact-mlp', options: { hidden: 8, seed: 1 } },
    strategy: { name: 'complex-only', options: { seed: 1 } },
    combination: { name: 'boltzmann' },
    readout: { name: 'pki' },
  };

  it('saves and loads through the registry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'posepool-arch-'));
    const model = buildModel(config, registry);
    const compound = randomCompound({ poses: 3, atoms: 40, seed: 3 });
    await saveModel(model, join(dir, 'model'));
    const loaded = await loadModel(join(dir, 'model'), registry);
    expect(loaded.predict(compound)).toEqual(model.predict(compound));
    model.dispose();
    loaded.dispose();
    await rm(dir, { recursive: true, force: true });
  });
});
