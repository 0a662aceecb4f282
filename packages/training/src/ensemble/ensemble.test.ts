import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';

import { readRunConfig, resolveRunConfig } from '../config/load.js';
import type { RunConfigInput } from '../config/schema.js';
import { evaluate } from '../evaluate/evaluate.js';
import { predict } from '../predict/predict.js';
import { predictionsFromCsv, predictionsToCsv, type CompoundPredictionRow } from '../predict/predictions.js';
import { readStatus } from '../run/run-directory.js';
import { TINY_RUN, TYK2 } from '../train/tiny-run.fixture.js';
import { resumeRun, train, type EnsembleMetrics } from '../train/train.js';
import { ensembleRows, formatSpreadMetrics, memberConfig, spreadMetrics } from './ensemble.js';

const tempDir = () => mkdtemp(join(tmpdir(), 'posepool-ensemble-'));
const row = (id: string, predicted: number, poses: number[], measured: number | null = null): CompoundPredictionRow => ({
  folder: 'f',
  id,
  measured,
  predicted,
  poses: poses.map((p, i) => ({ pose: i, prediction: p, weight: 1 / poses.length })),
});

describe('ensemble members and rows', () => {
  it("shift the run's seed and every model seed by the member's index", () => {
    const config = resolveRunConfig({ ...TINY_RUN, seed: 5, ensemble: 3 });
    const member = memberConfig(config, 2);
    expect(member).toMatchObject({ seed: 7, ensemble: 1, model: { representation: { options: { seed: 3, hiddenChannels: 8 } }, strategy: { options: { seed: 3 } } } });
    expect(memberConfig(config, 0)).toEqual({ ...config, ensemble: 1 });
  });

  it('combine into the mean with the sample standard deviation, and per pose the means', () => {
    const rows = ensembleRows([[row('a', 1, [1, 3]), row('b', 5, [5])], [row('a', 3, [2, 4]), row('b', 5, [5])], [row('a', 5, [3, 5]), row('b', 5, [5])]]);
    expect(rows[0]).toMatchObject({ id: 'a', predicted: 3, spread: 2, poses: [{ pose: 0, prediction: 2, weight: 0.5 }, { pose: 1, prediction: 4, weight: 0.5 }] });
    expect(rows[1]).toMatchObject({ id: 'b', predicted: 5, spread: 0 });
    expect(() => ensembleRows([[row('a', 1, [1])], [row('b', 1, [1])]])).toThrow(/differ at compound 0 \(f\/a\)/);
  });

  it('spread metrics: Spearman ρ of |error| against spread, and the coverage of mean ± 2·spread', () => {
    const rows = [
      { measured: 1, predicted: 1.1, spread: 0.1 }, // error 0.1, covered
      { measured: 2, predicted: 2.5, spread: 0.2 }, // error 0.5, not covered
      { measured: 3, predicted: 4, spread: 0.6 }, // error 1, covered
      { measured: null, predicted: 0, spread: 9 }, // no measurement: left out
    ];
    const metrics = spreadMetrics(rows)!;
    expect(metrics).toMatchObject({ n: 3, spearman: 1, coverage: 2 / 3 });
    expect(metrics.meanSpread).toBeCloseTo(0.3, 12);
    expect(formatSpreadMetrics(metrics)).toBe('ensemble spread: mean 0.30, ρ(|error|, spread) 1.00, coverage of mean ± 2·spread 0.67 (n=3)');
    expect(spreadMetrics([{ measured: 1, predicted: 1 }])).toBeUndefined();
  });

  it('write the spread as a CSV column that reads back', () => {
    const rows = ensembleRows([[row('a', 1, [1, 3], 2)], [row('a', 2, [2, 4], 2)]]);
    const csv = predictionsToCsv(rows);
    expect(csv.split('\n')[0]).toBe('folder,id,measured,predicted,spread,pose,pose_prediction,pose_weight');
    expect(predictionsFromCsv(csv)).toEqual(rows);
    expect(predictionsToCsv([row('a', 1, [1])]).split('\n')[0]).toBe('folder,id,measured,predicted,pose,pose_prediction,pose_weight');
  });
});

describe('an ensemble run', () => {
  const TINY: RunConfigInput = { ...TINY_RUN, split: { validation: 0.2, test: 0.2 }, checkpointEveryBatches: 1 };
  let dir: string;
  const weights = (run: string) => readFile(join(run, 'model', 'weights.bin'));

  beforeAll(async () => {
    dir = await tempDir();
    await train(TINY, { data: [TYK2], out: join(dir, 'single') });
  }, 60_000);

  it('trains K members on one split, member i as the single run with seeds + i, and writes their mean and spread', async () => {
    const before = tf.memory().numTensors;
    const out = join(dir, 'ensemble');
    const run = await train(TINY, { data: [TYK2], out, ensemble: 2 });
    expect(tf.memory().numTensors).toBe(before);
    expect((await readdir(out)).sort()).toEqual(['config.yaml', 'members', 'metrics.json', 'plots', 'predictions.csv', 'report.html', 'split.json', 'status']);
    expect(await readdir(join(out, 'members'))).toEqual(['0', '1']);
    expect(await readStatus(out)).toEqual({ state: 'done' });
    expect((await readRunConfig(join(out, 'config.yaml'))).ensemble).toBe(2);
    expect((await readRunConfig(join(out, 'members', '1', 'config.yaml'))).seed).toBe(2);
    for (const m of ['0', '1']) expect(await readFile(join(out, 'members', m, 'split.json'), 'utf8')).toBe(await readFile(join(out, 'split.json'), 'utf8'));
    // Member 0 is the single run, byte for byte; member 1 differs.
    expect(Buffer.compare(await weights(join(out, 'members', '0')), await weights(join(dir, 'single')))).toBe(0);
    expect(Buffer.compare(await weights(join(out, 'members', '1')), await weights(join(dir, 'single')))).not.toBe(0);
    const metrics = run.metrics as EnsembleMetrics;
    expect(metrics.members).toHaveLength(2);
    expect(metrics.spread.test).toMatchObject({ n: 3, coverage: expect.any(Number), spearman: expect.any(Number) });
    expect(JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'))).toEqual(metrics);
    // predictions.csv: the mean of the members' predictions, with the spread.
    const rows = predictionsFromCsv(await readFile(join(out, 'predictions.csv'), 'utf8'));
    const members = await Promise.all(['0', '1'].map(async (m) => predictionsFromCsv(await readFile(join(out, 'members', m, 'predictions.csv'), 'utf8'))));
    expect(rows).toEqual(ensembleRows(members).map((r) => ({ ...r, spread: expect.closeTo(r.spread!, 12), predicted: expect.closeTo(r.predicted, 12) })));
    expect(rows.every((r) => r.spread! > 0)).toBe(true);
  }, 120_000);

  it('predicts and evaluates as an ensemble: the mean, the spread and the spread metrics', async () => {
    const out = join(dir, 'ensemble');
    const rows = await predict(out);
    const members = await Promise.all(['0', '1'].map((m) => predict(join(out, 'members', m))));
    expect(rows).toEqual(ensembleRows(members));
    const { evaluation, rows: evaluated } = await evaluate(out, { split: 'test' });
    expect(evaluated.every((r) => r.spread !== undefined)).toBe(true);
    expect(evaluation.spread).toEqual(spreadMetrics(evaluated));
    expect(evaluation.spread).toEqual((JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8')) as EnsembleMetrics).spread.test);
    expect(evaluation.model.pooled.n).toBe(3);
    expect((await evaluate(join(out, 'members', '0'), { split: 'test' })).evaluation.spread).toBeUndefined();
    // A member, not the ensemble, starts a transfer run.
    await expect(train(TINY, { data: [TYK2], out: join(dir, 'from-ensemble'), init: out })).rejects.toThrow(/an ensemble run, which holds several models\. Give one member's run directory, e\.g\. .*members\/0\./);
  }, 120_000);

  it('resumes member by member: a finished member is kept, the stopped one continues', async () => {
    const out = join(dir, 'stopped');
    let batches = 0;
    const stop = (): void => {
      if (++batches === 4 + 3) throw new Error('stopped'); // in member 1's second epoch (members have 2 epochs of 2 batches)
    };
    await expect(train(TINY, { data: [TYK2], out, ensemble: 2, onBatch: stop })).rejects.toThrow('stopped');
    expect(await readStatus(out)).toEqual({ state: 'failed', reason: 'stopped' });
    expect(await readStatus(join(out, 'members', '0'))).toEqual({ state: 'done' });
    const member0 = await readFile(join(out, 'members', '0', 'history.jsonl'), 'utf8');
    const starts: unknown[] = [];
    await resumeRun(out, { onStart: (s) => starts.push([s.dir, s.ensemble]) });
    expect(starts).toEqual([[join(out, 'members', '1'), { dir: out, member: 1, members: 2 }]]);
    expect(await readFile(join(out, 'members', '0', 'history.jsonl'), 'utf8')).toBe(member0);
    for (const m of ['0', '1']) expect(Buffer.compare(await weights(join(out, 'members', m)), await weights(join(dir, 'ensemble', 'members', m)))).toBe(0);
    expect(await readFile(join(out, 'predictions.csv'), 'utf8')).toBe(await readFile(join(dir, 'ensemble', 'predictions.csv'), 'utf8'));
  }, 120_000);
});
