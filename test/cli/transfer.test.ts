// Transfer through the real bin: train a tiny model, then fine-tune it with `posepool train --init`.
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { readRunConfig } from '@posepool/training';
import { beforeAll, describe, expect, it } from 'vitest';

import { TINY_CONFIG, TYK2, runBin } from './bin.js';

let dir: string;
const path = (...names: string[]) => join(dir, ...names);
const exists = (p: string) => stat(p).then(() => true, () => false);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posepool-cli-transfer-'));
  await writeFile(path('tiny.yaml'), TINY_CONFIG.replace('epochs: 3', 'epochs: 1'));
  // No model section: the saved model's architecture is used.
  await writeFile(path('fine-tune.yaml'), 'data:\n  topPoses: { tag: vina_score, k: 3 }\nepochs: 2\nbatchSize: 3\ninit:\n  reinitialize: [strategy.head]\n  freeze: [representation]\n  freezeEpochs: 1\n');
  const pretrained = await runBin(['train', TYK2, '-c', path('tiny.yaml'), '-o', path('pretrained')]);
  expect(pretrained.code).toBe(0);
}, 120_000);

describe('posepool train --init', () => {
  it("fine-tunes a finished run's model, with the saved architecture, and records where it started", async () => {
    const run = await runBin(['train', TYK2, '-c', path('fine-tune.yaml'), '--init', path('pretrained'), '-o', path('fine-tuned')]);
    expect(run.stderr).toMatch(/run .*fine-tuned: .* parameters, starting from .*pretrained\n/);
    expect(run.code).toBe(0);
    expect(await readFile(path('fine-tuned', 'status'), 'utf8')).toBe('done\n');
    const config = await readRunConfig(path('fine-tuned', 'config.yaml'));
    expect(config.init).toEqual({ model: path('pretrained'), reinitialize: ['strategy.head'], freeze: ['representation'], freezeEpochs: 1 });
    expect(config.model).toMatchObject(JSON.parse(await readFile(path('pretrained', 'model', 'posepool-model.json'), 'utf8')).config);
    // The fine-tuned run predicts like any other.
    const predicted = await runBin(['predict', path('fine-tuned'), '-o', path('fine-tuned.csv')]);
    expect(predicted.code).toBe(0);
  }, 120_000);

  it("takes a model directory too, with the config's own model section when it matches", async () => {
    const run = await runBin(['train', TYK2, '-c', path('tiny.yaml'), '--init', path('pretrained', 'model'), '-o', path('same')]);
    expect(run.code).toBe(0);
  }, 120_000);

  it('refuses a model of another shape, naming the parameter and the setting, and writes nothing', async () => {
    await writeFile(path('bigger.yaml'), TINY_CONFIG.replace('hiddenChannels: 8', 'hiddenChannels: 16'));
    const bigger = await runBin(['train', TYK2, '-c', path('bigger.yaml'), '--init', path('pretrained'), '-o', path('refused')]);
    expect(bigger.code).toBe(1);
    expect(bigger.stderr).toMatch(/parameter 'representation\.embedding\.weight' is \[100, 8\] in the saved model and \[100, 16\] in the run's \(model\.representation\.options\.hiddenChannels is 8 in the saved model and 16 in the run config\)/);
    expect(await exists(path('refused'))).toBe(false);
  }, 120_000);

  it('is refused with --resume', async () => {
    const run = await runBin(['train', '--resume', path('pretrained'), '--init', path('pretrained')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/drop DATA, --config, --out, --init and --ensemble/);
  });
});
