import { mkdtemp, readdir, readFile, rm, stat, symlink, truncate, writeFile, mkdir } from 'node:fs/promises';
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
    ['a missing weight', (c) => editJson(c, (j) => (j.weightsManifest[0].weights[0].name = 'renamed')), /missing: representation\.embedding; not in the model: renamed/],
    ['a weight the config does not build', (c) => editJson(c, (j) => j.weightsManifest[0].weights.push({ name: 'stray.weight', shape: [0], dtype: 'float32' })), /not in the model: stray\.weight/],
    ['a weights file longer than the manifest', (c) => editJson(c, (j) => j.weightsManifest[0].weights.pop()), /weights\.bin: has \d+ bytes; the manifest needs \d+\. The file is longer than expected/],
    ['a wrong shape', (c) => editJson(c, (j) => (j.weightsManifest[0].weights[0].shape = [6, 100])), /weight 'representation\.embedding' has shape \[6, 100\]; the model expects \[100, 6\]/],
    ['a newer format', (c) => editJson(c, (j) => (j.formatVersion = 2)), /has format version 2; this PosePool .* reads version 1/],
    ['an incompatible version', (c) => editJson(c, (j) => (j.posepoolVersion = '7.0.0')), /was saved by PosePool 7\.0\.0, which is incompatible/],
    ['no model file', (c) => rm(join(c, MODEL_FILE)), /posepool-model\.json: not found\. Is this a saved PosePool model directory\?/],
    // Hostile directories: every check happens before any weight is read or any layer allocated.
    ['a weights path outside the directory', (c) => editJson(c, (j) => (j.weightsManifest[0].paths = ['../../outside.bin'])), /the path '\.\.\/\.\.\/outside\.bin' leaves the model directory/],
    ['an absolute weights path', (c) => editJson(c, (j) => (j.weightsManifest[0].paths = ['/etc/hostname'])), /the path '\/etc\/hostname' leaves the model directory/],
    ['a weights file linked to /dev/zero', (c) => rm(join(c, WEIGHTS_FILE)).then(() => symlink('/dev/zero', join(c, WEIGHTS_FILE))), /weights\.bin: is a link to \/dev\/zero, outside the model directory; refusing to read it/],
    ['a model file linked to /dev/zero', (c) => rm(join(c, MODEL_FILE)).then(() => symlink('/dev/zero', join(c, MODEL_FILE))), /posepool-model\.json: is a link to \/dev\/zero, outside the model directory/],
    ['a folder as the weights file', (c) => rm(join(c, WEIGHTS_FILE)).then(() => mkdir(join(c, WEIGHTS_FILE))), /weights\.bin: is not a regular file \(a folder\)/],
    ['a symbolic link loop', (c) => rm(join(c, WEIGHTS_FILE)).then(() => symlink(WEIGHTS_FILE, join(c, WEIGHTS_FILE))), /weights\.bin: is a symbolic link loop/],
    ['a manifest declaring huge weights', (c) => editJson(c, (j) => (j.weightsManifest[0].weights[0].shape = [1_000_000, 1_000_000])), /declares more than 2147483648 bytes of weights \(at 'representation\.embedding' \[1000000, 1000000\]\)/],
    ['a config with huge layers', (c) => editJson(c, (j) => (j.config.representation.options.hidden = 1_000_000)), /the config describes a bigger model than its weights manifest \(\d+ values\): toy-message-passing embedding 100 × 1000000 needs 100000000 parameter values/],
    ['weights full of NaN', (c) => stat(join(c, WEIGHTS_FILE)).then((s) => writeFile(join(c, WEIGHTS_FILE), new Uint8Array(new Float32Array(s.size / 4).fill(Number.NaN).buffer))), /weights\.bin: weight 'representation\.embedding' holds NaN \(value 0\).*pass \{ allowNonFinite: true \}/],
  ];
  for (const [what, edit, message] of broken) {
    it(`rejects ${what} with a clear error and no leaked tensors`, async () => {
      const error = await loadBroken(edit);
      expect(error.message).toMatch(message);
    });
  }

  it('loads non-finite weights only when asked to', async () => {
    const copy = await mkdtemp(join(dir, 'nan-'));
    await writeFile(join(copy, MODEL_FILE), await readFile(join(saved, MODEL_FILE)));
    const size = (await stat(join(saved, WEIGHTS_FILE))).size;
    await writeFile(join(copy, WEIGHTS_FILE), new Uint8Array(new Float32Array(size / 4).fill(Number.POSITIVE_INFINITY).buffer));
    await expect(loadModel(copy, registry)).rejects.toThrow(/holds Infinity/);
    const loaded = await loadModel(copy, registry, { allowNonFinite: true });
    expect(loaded.variables().reduce((n, v) => n + v.size, 0)).toBe(size / 4);
    loaded.dispose();
  });

  it('refuses a weights file over the size limit before reading it', async () => {
    await expect(loadModel(saved, registry, { maxWeightBytes: 64 })).rejects.toThrow(/declares more than 64 bytes of weights/);
  });
});
