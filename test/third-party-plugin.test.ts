import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildModel, configOf, corePlugin, createRegistry, loadModel, saveModel } from '@posepool/core';
import { randomCompound, testingPlugin } from '@posepool/core/testing';
import { combinationsPlugin } from '@posepool/combinations';
import { describe, expect, it } from 'vitest';

import { powerMeanPlugin } from 'posepool-plugin-power-mean';

describe('a third-party combination plugin', () => {
  const registry = createRegistry().use(corePlugin).use(combinationsPlugin).use(powerMeanPlugin);
  registry.use(testingPlugin); // the toy representation the models below are built on

  it('registers beside the first-party plugins with typed, validated options', () => {
    const combination = registry.create('combination', 'power-mean', { power: 3 });
    expect(configOf(combination)).toEqual({ name: 'power-mean', options: { power: 3 } });
    expect(() => registry.create('combination', 'power-mean', { power: 0.5 })).toThrow(/Invalid options for combination 'power-mean': power: Too small/);
    expect(createRegistry().use(powerMeanPlugin).use(powerMeanPlugin).names('combination')).toEqual(['power-mean']);
    combination.dispose();
  });

  it('saves and loads through the registry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'posepool-plugin-'));
    const model = buildModel(
      {
        representation: { name: 'toy-message-passing', options: { hidden: 8, layers: 1 } },
        strategy: { name: 'complex-only', options: { seed: 1 } },
        poseReadout: { name: 'pki' },
        combination: { name: 'power-mean', options: { power: 2 } },
      },
      registry,
    );
    const compound = randomCompound({ poses: 3, atoms: 10 });
    await saveModel(model, join(dir, 'model'));
    const loaded = await loadModel(join(dir, 'model'), registry);
    expect(loaded.predict(compound)).toEqual(model.predict(compound));
    await expect(loadModel(join(dir, 'model'), createRegistry().use(corePlugin).use(testingPlugin))).rejects.toThrow(
      /the model needs combination 'power-mean' from the plugin 'posepool-plugin-power-mean', which this registry does not have/,
    );
    model.dispose();
    loaded.dispose();
    await rm(dir, { recursive: true, force: true });
  });
});
