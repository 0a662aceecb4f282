import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildModel, loadModel, type MultiPoseModel } from '@posepool/core';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';

import type { RunConfigInput } from '../config/schema.js';
import { runRegistry } from '../plugins.js';
import { readCheckpoint, type Checkpoint } from './checkpoint.js';
import { initializeFrom, parametersUnder, underPrefix } from './init.js';
import { loadTensor, type SavedTensor } from './optimizer.js';
import { TINY_RUN, TYK2 } from './tiny-run.fixture.js';
import { resumeRun, train } from './train.js';

const tempDir = () => mkdtemp(join(tmpdir(), 'posepool-init-'));
const registry = runRegistry([]);
type TinyModel = typeof TINY_RUN.model;
const withSchnet = (options: Partial<TinyModel['representation']['options']>, seed = 1): TinyModel => ({
  ...TINY_RUN.model,
  representation: { name: 'schnet', options: { ...TINY_RUN.model.representation.options, ...options, seed } },
  strategy: { name: 'complex-only', options: { seed } },
});

/** Every parameter's bytes, by path. */
function weightsOf(model: MultiPoseModel): Map<string, string> {
  return new Map(model.namedParameters().map(([path, p]) => [path, Buffer.from((p.variable.dataSync() as Float32Array).buffer).toString('base64')]));
}
const savedBytes = (saved: readonly SavedTensor[]): Map<string, string> => new Map(saved.map((s) => [s.name, s.data]));
const modelBytes = async (dir: string): Promise<Map<string, string>> => {
  const model = await loadModel(join(dir, 'model'), registry);
  try {
    return weightsOf(model);
  } finally {
    model.dispose();
  }
};
/** The checkpoint as it is now (read at once, before the run writes the next one). */
const checkpointNow = (run: string): Checkpoint => JSON.parse(readFileSync(join(run, 'checkpoint', 'state.json'), 'utf8')) as Checkpoint;
const pick = (bytes: Map<string, string>, prefix: string) => [...bytes].filter(([path]) => path.startsWith(prefix));

describe('parameter prefixes', () => {
  it('match whole path segments and must each match a parameter', () => {
    expect(underPrefix('strategy.head.bias', 'strategy.head')).toBe(true);
    expect(underPrefix('strategy.head.bias', 'strategy.head.')).toBe(true);
    expect(underPrefix('strategy.header.bias', 'strategy.head')).toBe(false);
    const model = buildModel(TINY_RUN.model, registry);
    try {
      expect([...parametersUnder(model, ['strategy'], 'init.freeze')]).toEqual(['strategy.head.weight', 'strategy.head.bias']);
      expect(() => parametersUnder(model, ['representation', 'strategy.hed'], 'init.reinitialize')).toThrow(
        /init\.reinitialize: 'strategy\.hed' matches no parameter of the model\. Use a prefix of its parameter paths: representation\.embedding, representation\.interactions, representation\.lin1, strategy\.head\./,
      );
    } finally {
      model.dispose();
    }
  });
});

describe('initializeFrom', () => {
  it("copies the saved weights except the re-initialised ones, which keep the fresh model's", () => {
    const saved = buildModel(withSchnet({}, 7), registry);
    const model = buildModel(withSchnet({}, 1), registry);
    const [fresh, theirs] = [weightsOf(model), weightsOf(saved)];
    const copied = initializeFrom(model, saved, { source: 'pretrained', reinitialize: parametersUnder(model, ['strategy.head'], 'init.reinitialize') });
    saved.dispose();
    const now = weightsOf(model);
    expect(copied).toEqual([...now.keys()].filter((p) => !p.startsWith('strategy.head')));
    for (const [path, bytes] of now) expect(bytes, path).toBe(path.startsWith('strategy.head') ? fresh.get(path) : theirs.get(path));
    expect(now.get('representation.lin1.weight')).not.toBe(fresh.get('representation.lin1.weight'));
    model.dispose();
  });

  it('refuses another architecture, naming the first differing path, both shapes and the setting', () => {
    const saved = buildModel(withSchnet({ hiddenChannels: 16 }), registry);
    const model = buildModel(withSchnet({}), registry);
    const before = weightsOf(model);
    try {
      expect(() => initializeFrom(model, saved, { source: 'runs/pretrained' })).toThrow(
        expect.objectContaining({
          code: 'E_CONFIG',
          message:
            "--init runs/pretrained: the saved model does not fit the run's model: parameter 'representation.embedding.weight' is [100, 16] in the saved model and [100, 8] in the run's " +
            "(model.representation.options.hiddenChannels is 16 in the saved model and 8 in the run config). Make the run config's model section match the saved model's, or leave it out to take the saved model's.",
        }),
      );
      expect(weightsOf(model)).toEqual(before);
    } finally {
      saved.dispose();
      model.dispose();
    }
  });
});

describe('a run started from a saved model', () => {
  let pretrained: string;
  const FINE_TUNE: RunConfigInput = {
    ...TINY_RUN,
    split: { validation: 0, test: 0 },
    checkpointEveryBatches: 1,
    init: { reinitialize: ['strategy.head'], freeze: ['representation'], freezeEpochs: 1 },
  };

  beforeAll(async () => {
    pretrained = join(await tempDir(), 'pretrained');
    await train({ ...TINY_RUN, epochs: 1, model: withSchnet({}, 3) }, { data: [TYK2], out: pretrained });
  }, 60_000);

  it("starts from the saved weights, takes the saved model's architecture without a model section, and records the source", async () => {
    const out = join(await tempDir(), 'run');
    const run = train(
      { ...TINY_RUN, model: undefined },
      {
        data: [TYK2],
        out,
        init: pretrained,
        onStart: (s) => {
          expect(s.init).toBe(pretrained);
          throw new Error('started');
        },
      },
    );
    await expect(run).rejects.toThrow('started');
    const start = await readCheckpoint(out);
    // Nothing re-initialised: centerTarget leaves the pre-trained output alone, and every weight is the saved one.
    expect(savedBytes(start.weights)).toEqual(await modelBytes(pretrained));
    const config = parse(await readFile(join(out, 'config.yaml'), 'utf8')) as { init: unknown; model: { representation: { options: { seed: number } } } };
    expect(config.init).toEqual({ model: pretrained, reinitialize: [], freeze: [], freezeEpochs: 0 });
    expect(config.model.representation.options.seed).toBe(3);
  });

  it('refuses a model section of another shape, writing nothing', async () => {
    const out = join(await tempDir(), 'run');
    const run = train({ ...TINY_RUN, model: withSchnet({ numFilters: 4 }, 3) }, { data: [TYK2], out, init: pretrained });
    await expect(run).rejects.toMatchObject({ code: 'E_CONFIG', message: expect.stringMatching(/'representation\.interactions\.0\.mlp\.0\.weight' is \[8, 8\] in the saved model and \[4, 8\] in the run's \(model\.representation\.options\.numFilters is 8 in the saved model and 4 in the run config\)/) });
    expect(await readdir(out).catch(() => 'none')).toBe('none');
  });

  let straight: string;
  it('keeps frozen parameters bitwise unchanged, with untouched optimizer slots, for freezeEpochs, then trains them', async () => {
    straight = join(await tempDir(), 'run');
    const saved = await modelBytes(pretrained);
    const epochEnds: Checkpoint[] = [];
    let initial: Checkpoint | undefined;
    await train({ ...FINE_TUNE, init: { ...FINE_TUNE.init, model: pretrained } }, {
      data: [TYK2],
      out: straight,
      onStart: () => (initial = checkpointNow(straight)),
      onEpoch: () => void epochEnds.push(checkpointNow(straight)),
    });
    const first = savedBytes(epochEnds[0]!.weights);
    // The head was re-initialised (and centred), the representation copied.
    expect(pick(savedBytes(initial!.weights), 'representation')).toEqual(pick(saved, 'representation'));
    expect(savedBytes(initial!.weights).get('strategy.head.weight')).not.toBe(saved.get('strategy.head.weight'));
    // After the frozen epoch: the representation as saved, its optimizer slots zero; the head trained.
    expect(pick(first, 'representation')).toEqual(pick(saved, 'representation'));
    expect(first.get('strategy.head.weight')).not.toBe(savedBytes(initial!.weights).get('strategy.head.weight'));
    const slots = epochEnds[0]!.optimizer.slots.filter((s) => s.name !== 'iter');
    expect(slots.length).toBeGreaterThan(0);
    const nonZero = (s: SavedTensor): boolean => {
      const t = loadTensor(s);
      const any = t.abs().sum().dataSync()[0]! > 0;
      t.dispose();
      return any;
    };
    const representationSlots = slots.filter((s) => /representation/.test(s.name));
    expect(representationSlots.length).toBeGreaterThan(0);
    expect(representationSlots.some(nonZero)).toBe(false);
    expect(slots.filter((s) => /strategy/.test(s.name)).every(nonZero)).toBe(true);
    // Then it trains.
    const last = await modelBytes(straight);
    for (const [path, bytes] of pick(saved, 'representation')) expect(last.get(path), path).not.toBe(bytes);
  }, 60_000);

  it('gives bitwise the same weights with two worker threads', async () => {
    const out = join(await tempDir(), 'run');
    await train({ ...FINE_TUNE, workers: 2, init: { ...FINE_TUNE.init, model: pretrained } }, { data: [TYK2], out });
    expect(await modelBytes(out)).toEqual(await modelBytes(straight));
  }, 120_000);

  it('resumed inside the frozen epochs still freezes, from its checkpoint (the saved model is not read again)', async () => {
    const source = join(await tempDir(), 'source');
    await rename(pretrained, source);
    const out = join(await tempDir(), 'run');
    const stop = (p: { epoch: number; batch: number }): void => {
      if (p.epoch === 1 && p.batch === 2) throw new Error('stopped');
    };
    await expect(train({ ...FINE_TUNE, init: { ...FINE_TUNE.init, model: source } }, { data: [TYK2], out, onBatch: stop })).rejects.toThrow('stopped');
    await rename(source, pretrained); // the straight run's config named this path; the resumed one names `source`, now gone
    await resumeRun(out);
    expect(await modelBytes(out)).toEqual(await modelBytes(straight));
  }, 60_000);

  it('refuses init.reinitialize without a model to start from, and init.freeze without freezeEpochs', async () => {
    await expect(train({ ...TINY_RUN, init: { reinitialize: ['strategy'] } }, { data: [TYK2], out: join(await tempDir(), 'run') })).rejects.toMatchObject({
      code: 'E_RUN_CONFIG',
      message: 'init.reinitialize needs a saved model to start from: set init.model (or pass --init), or drop init.reinitialize.',
    });
    await expect(train({ ...TINY_RUN, init: { freeze: ['representation'] } }, { data: [TYK2], out: join(await tempDir(), 'run') })).rejects.toMatchObject({
      code: 'E_RUN_CONFIG',
      message: expect.stringMatching(/init\.freezeEpochs: init\.freeze needs init\.freezeEpochs > 0/),
    });
  });
});
