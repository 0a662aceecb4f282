import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import type { RunConfigInput } from '../config/schema.js';
import { readHistory, readStatus } from '../run/run-directory.js';
import { evaluate } from '../evaluate/evaluate.js';
import { predict } from '../predict/predict.js';
import { TINY_RUN, TYK2 } from './tiny-run.fixture.js';
import { resumeRun, train } from './train.js';

const TINY: RunConfigInput = {
  ...TINY_RUN,
  checkpointEveryBatches: 1,
  split: { validation: 0.2, test: 0.2 },
};
const tempDir = () => mkdtemp(join(tmpdir(), 'posepool-run-'));

let finished: string;

describe('train', () => {
  it('writes a complete run directory and leaks no tensor', async () => {
    const out = join(await tempDir(), 'run');
    finished = out;
    const before = tf.memory().numTensors;
    const epochs: number[] = [];
    const run = await train(TINY, { data: [TYK2], out, onEpoch: (r) => epochs.push(r.epoch) });
    expect(tf.memory().numTensors).toBe(before);
    expect(epochs).toEqual([1, 2]);
    expect((await readdir(out)).sort()).toEqual(['checkpoint', 'config.yaml', 'history.jsonl', 'metrics.json', 'model', 'plots', 'predictions.csv', 'report.html', 'split.json', 'status']);
    expect(await readStatus(out)).toEqual({ state: 'done' });
    expect((await readdir(join(out, 'plots'))).sort()).toEqual(['learning-curves.svg', 'parity-test.svg', 'parity-train.svg', 'parity-validation.svg']);
    const history = await readHistory(out);
    expect(history.map((r) => r.epoch)).toEqual([1, 2]);
    expect(history[0]).toMatchObject({ learningRate: 3e-3, validation: { rmse: expect.any(Number) } });
    expect(run.metrics.splits.test?.pooled.n).toBe(3);
    const csv = (await readFile(join(out, 'predictions.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('folder,id,split,measured,predicted,pose,pose_prediction,pose_weight');
    expect(csv).toHaveLength(1 + 13 * 2); // top 2 poses by vina_score
    expect(await readFile(join(out, 'config.yaml'), 'utf8')).toMatch(/topPoses:\n\s+tag: vina_score\n\s+k: 2\n\s+order: ascending/);
    await expect(train(TINY, { data: [TYK2], out })).rejects.toThrow(/exists and is not empty\. Choose another --out, or continue it with --resume/);
  });

  it('predicts and evaluates the run without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const rows = await predict(finished, { shard: { index: 0, count: 2 } });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(13);
    const out = join(await tempDir(), 'evaluation');
    const { evaluation } = await evaluate(finished, { split: 'test', baseline: 'vina_score', out });
    expect(tf.memory().numTensors).toBe(before);
    expect(evaluation.model.pooled.n).toBe(3);
    // The baseline is minus the best (lowest) vina_score among each compound's kept poses.
    expect(evaluation.baseline?.pooled.n).toBe(3);
    expect((await readdir(out)).sort()).toEqual(['metrics.json', 'plots', 'predictions.csv', 'report.html']);
  });

  it('stops early after `patience` epochs without an improvement of at least minDelta', async () => {
    const out = join(await tempDir(), 'run');
    const run = await train({ ...TINY, epochs: 5, checkpointEveryBatches: null, earlyStopping: { patience: 2, minDelta: 1e9 } }, { data: [TYK2], out });
    expect(run.history.map((r) => r.epoch)).toEqual([1, 2, 3]);
    expect(run.metrics).toMatchObject({ bestEpoch: 1, epochs: 3, stoppedEarly: true });
  });

  it('without a validation set keeps the last weights and says so', async () => {
    const run = await train({ ...TINY, checkpointEveryBatches: null, split: { validation: 0, test: 0 } }, { data: [TYK2], out: join(await tempDir(), 'run') });
    expect(run.metrics).toMatchObject({ bestEpoch: 2, epochs: 2, stoppedEarly: false });
    expect(Object.keys(run.metrics.splits)).toEqual(['train']);
    expect(run.history.every((r) => r.validationLoss === null && r.validation === null)).toBe(true);
  });

  it('resumes after an interruption to the same weights, byte for byte', async () => {
    const dir = await tempDir();
    await train(TINY, { data: [TYK2], out: join(dir, 'straight') });
    let batches = 0;
    const interrupted = train(TINY, {
      data: [TYK2],
      out: join(dir, 'resumed'),
      onBatch: () => {
        if (++batches === 4) throw new Error('interrupted');
      },
    });
    await expect(interrupted).rejects.toThrow('interrupted');
    expect(await readStatus(join(dir, 'resumed'))).toEqual({ state: 'failed', reason: 'interrupted' });
    await resumeRun(join(dir, 'resumed'));
    const weights = (name: string) => readFile(join(dir, name, 'model', 'weights.bin'));
    expect(Buffer.compare(await weights('straight'), await weights('resumed'))).toBe(0);
    // Killed before its first checkpoint: only config.yaml and a temporary file were written.
    await mkdir(join(dir, 'early'));
    await writeFile(join(dir, 'early', 'config.yaml'), await readFile(join(dir, 'straight', 'config.yaml')));
    await writeFile(join(dir, 'early', 'split.json.1a2b3c4d.partial'), '{"tr');
    await resumeRun(join(dir, 'early'));
    expect(Buffer.compare(await weights('straight'), await weights('early'))).toBe(0);
    expect((await readdir(join(dir, 'early'))).some((f) => f.endsWith('.partial'))).toBe(false);
  });

  it('stops on a non-finite gradient, naming the compound, and keeps the last good weights', async () => {
    const out = join(await tempDir(), 'run');
    const config: RunConfigInput = { ...TINY, optimizer: { name: 'sgd', learningRate: 1e38 } };
    await expect(train(config, { data: [TYK2], out })).rejects.toMatchObject({ code: 'E_NONFINITE', message: expect.stringMatching(/of compound 'lig_\w+' of tyk2 (is|are) (not finite|NaN|Infinity)/) });
    expect((await readStatus(out))?.state).toBe('failed');
    expect(await readdir(join(out, 'model'))).toContain('weights.bin');
    expect((await readdir(out)).some((f) => f.endsWith('.partial'))).toBe(false);
  });

  it('reads a numeric SD tag the loss names as a pose label, and refuses one no training compound carries', async () => {
    const poseIndex: RunConfigInput = { ...TINY, epochs: 1, loss: { poseLabel: { label: 'pose_index', weight: 0.01 } } };
    await expect(train(poseIndex, { data: [TYK2], out: join(await tempDir(), 'run') })).resolves.toMatchObject({ history: [{ epoch: 1 }] });
    const text: RunConfigInput = { ...TINY, loss: { poseCrossEntropy: { label: 'pose_source', threshold: 1 } } };
    await expect(train(text, { data: [TYK2], out: join(await tempDir(), 'run') })).rejects.toMatchObject({
      code: 'E_RUN_CONFIG',
      message: "loss.poseCrossEntropy.label: no training compound has a numeric SD tag 'pose_source' on every pose, so the term would add nothing. Name a tag the poses carry (e.g. rmsd_to_reference).",
    });
  });
});
