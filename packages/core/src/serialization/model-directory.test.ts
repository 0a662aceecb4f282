import { mkdtemp, readdir, readFile, rm, truncate, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { buildModel, type ModelConfig } from '../model/config.js';
import { MultiPoseModel } from '../model/multi-pose-model.js';
import { corePlugin } from '../standard/plugin.js';
import { ComplexOnlyStrategy } from '../standard/strategies.js';
import { createRegistry, defineComponent, definePlugin } from '../registry/registry.js';
import { expectNoLeaks, PoseMean, randomCompound, testingPlugin, ToyMessagePassing } from '../testing/index.js';
import { POSEPOOL_VERSION } from '../version.js';
import { loadModel, MODEL_FILE, saveModel, WEIGHTS_FILE } from './model-directory.js';

const meanPlugin = definePlugin({
  name: 'test-mean',
  components: [defineComponent({ kind: 'combination', name: 'mean', description: 'mean', options: z.object({}).strict(), create: () => new PoseMean() })],
});
const registry = createRegistry().use(corePlugin).use(testingPlugin).use(meanPlugin);
const config: ModelConfig = {
  representation: { name: 'toy-message-passing', options: { hidden: 6, layers: 1, seed: 3 } },
  strategy: { name: 'delta' },
  combination: { name: 'mean' },
  readout: { name: 'pki' },
};

let dir: string;
let saved: string;
let model: MultiPoseModel;
const compound = randomCompound({ poses: 3, atoms: 12 });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posepool-save-'));
  saved = join(dir, 'model');
  model = buildModel(config, registry);
  await saveModel(model, saved);
});
afterAll(async () => {
  model.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** Copies the saved model, lets `edit` break it, and returns the load error. */
async function loadBroken(edit: (copy: string) => Promise<void>): Promise<Error> {
  const copy = await mkdtemp(join(dir, 'broken-'));
  for (const file of [MODEL_FILE, WEIGHTS_FILE]) await writeFile(join(copy, file), await readFile(join(saved, file)));
  await edit(copy);
  return expectNoLeaks(() =>
    loadModel(copy, registry).then(
      () => new Error('loaded'),
      (e: Error) => e,
    ),
  );
}

async function editJson(copy: string, change: (json: Record<string, any>) => void): Promise<void> {
  const json = JSON.parse(await readFile(join(copy, MODEL_FILE), 'utf8'));
  change(json);
  await writeFile(join(copy, MODEL_FILE), JSON.stringify(json));
}

describe('saving and loading', () => {
  it('round-trips config and weights: the loaded model predicts the same', async () => {
    const loaded = await loadModel(saved, registry);
    expect(Array.from(loaded.predict(compound).poses)).toEqual(Array.from(model.predict(compound).poses));
    const json = JSON.parse(await readFile(join(saved, MODEL_FILE), 'utf8'));
    expect(json).toMatchObject({ format: 'posepool-model', formatVersion: 1, posepoolVersion: POSEPOOL_VERSION });
    expect(json.config.representation).toEqual({ name: 'toy-message-passing', options: { hidden: 6, layers: 1, gaussians: 8, cutoff: 5, maxNeighbors: 32, seed: 3 } });
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toContain('representation.0.filter.weight');
    loaded.dispose();
  });

  it('records which plugin provides each component, and names it when a registry lacks it', async () => {
    const json = JSON.parse(await readFile(join(saved, MODEL_FILE), 'utf8'));
    expect(json.plugins).toEqual({
      'representation:toy-message-passing': '@posepool/core/testing',
      'strategy:delta': '@posepool/core',
      'combination:mean': 'test-mean',
      'readout:pki': '@posepool/core',
    });
    const withoutTesting = createRegistry().use(corePlugin).use(meanPlugin);
    await expect(loadModel(saved, withoutTesting)).rejects.toThrow(
      /model\.json: the model needs representation 'toy-message-passing' from the plugin '@posepool\/core\/testing', which this registry does not have. Install @posepool\/core\/testing and pass its plugin to registry.use\(\) before loading./,
    );
  });

  it('replaces a saved model atomically and leaves no temporary files', async () => {
    await saveModel(model, saved);
    expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
    expect((await readdir(saved)).sort()).toEqual([MODEL_FILE, WEIGHTS_FILE]);
  });

  it('refuses to overwrite a directory that is not a saved model', async () => {
    const other = join(dir, 'notes');
    await mkdir(other);
    await writeFile(join(other, 'keep.txt'), 'precious');
    await expect(saveModel(model, other)).rejects.toThrow(/is not a saved PosePool model; refusing to overwrite it/);
    expect(await readFile(join(other, 'keep.txt'), 'utf8')).toBe('precious');
  });

  it('refuses models with components made outside a registry', async () => {
    const representation = new ToyMessagePassing({ hidden: 4, layers: 1 });
    const direct = new MultiPoseModel({ representation, strategy: new ComplexOnlyStrategy({ complex: 4 }), combination: new PoseMean() });
    await expect(saveModel(direct, join(dir, 'direct'))).rejects.toThrow(/representation \(ToyMessagePassing\) was constructed directly/);
    direct.dispose();
  });

  const broken: Array<[string, (copy: string) => Promise<void>, RegExp]> = [
    ['a truncated weights file', (c) => truncate(join(c, WEIGHTS_FILE), 100), /weights\.bin: has 100 bytes; the manifest needs \d+\. The file is truncated/],
    ['invalid JSON', (c) => writeFile(join(c, MODEL_FILE), '{"format": "posepool-model",'), /posepool-model\.json: is not valid JSON/],
    ['an unknown key', (c) => editJson(c, (j) => (j.config.extra = 1)), /config: Unrecognized key: "extra"/],
    ['an unknown option', (c) => editJson(c, (j) => (j.config.combination.options = { scale: 2 })), /Invalid options for combination 'mean'/],
    ['an unknown component', (c) => editJson(c, (j) => (j.config.combination.name = 'medianish')), /combination 'medianish' is not registered. Registered combination names: mean/],
    ['a missing weight', (c) => editJson(c, (j) => j.weightsManifest[0].weights.pop()), /missing: strategy\.head\.bias/],
    ['an extra weight', (c) => editJson(c, (j) => j.weightsManifest[0].weights.push({ name: 'stray.weight', shape: [1], dtype: 'float32' })), /not in the model: stray\.weight/],
    ['a wrong shape', (c) => editJson(c, (j) => (j.weightsManifest[0].weights[0].shape = [99, 6])), /weight 'representation\.embedding' has shape \[99, 6\]; the model expects \[100, 6\]/],
    ['a newer format', (c) => editJson(c, (j) => (j.formatVersion = 2)), /has format version 2; this PosePool .* reads version 1/],
    ['an incompatible version', (c) => editJson(c, (j) => (j.posepoolVersion = '7.0.0')), /was saved by PosePool 7\.0\.0, which is incompatible/],
    ['no model file', (c) => rm(join(c, MODEL_FILE)), /posepool-model\.json: cannot be read .* Is this a saved PosePool model directory\?/],
  ];
  for (const [what, edit, message] of broken) {
    it(`rejects ${what} with a clear error and no leaked tensors`, async () => {
      const error = await loadBroken(edit);
      expect(error.message).toMatch(message);
    });
  }
});
