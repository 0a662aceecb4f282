import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import type { RunConfigInput } from '../config/schema.js';
import { evaluate } from '../evaluate/evaluate.js';
import { predict } from '../predict/predict.js';
import { readStatus } from '../run/run-directory.js';
import { TINY_RUN, TYK2 } from './tiny-run.fixture.js';
import { resumeRun, train } from './train.js';

const TINY: RunConfigInput = {
  ...TINY_RUN,
  clipNorm: 0.5,
  split: { validation: 0.2, test: 0 },
};
const tempDir = () => mkdtemp(join(tmpdir(), 'posepool-workers-'));

/** Every file of the saved model, by name. */
async function modelFiles(run: string): Promise<Record<string, string>> {
  const dir = join(run, 'model');
  const names = (await readdir(dir)).sort();
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, (await readFile(join(dir, n))).toString('base64')] as const)));
}

describe('train with worker threads', () => {
  it('gives bitwise the weights, history losses and predictions of one thread, and leaks no tensor', async () => {
    const before = tf.memory().numTensors;
    const one = join(await tempDir(), 'run');
    const two = join(await tempDir(), 'run');
    const batches: Array<[number, number]> = [];
    const a = await train({ ...TINY, workers: 1 }, { data: [TYK2], out: one });
    const b = await train({ ...TINY, workers: 2 }, { data: [TYK2], out: two, onBatch: (p) => batches.push([p.epoch, p.batch]) });
    expect(tf.memory().numTensors).toBe(before);
    expect(batches).toEqual([1, 2].flatMap((e) => [1, 2, 3].map((k) => [e, k])));
    expect(b.history.map((r) => [r.trainLoss, r.validationLoss])).toEqual(a.history.map((r) => [r.trainLoss, r.validationLoss]));
    expect(await modelFiles(two)).toEqual(await modelFiles(one));
    expect(await readFile(join(two, 'predictions.csv'), 'utf8')).toBe(await readFile(join(one, 'predictions.csv'), 'utf8'));
    expect(await predict(one, { workers: 2 })).toEqual(await predict(one, { workers: 1 }));
    expect((await evaluate(one, { workers: 2 })).rows).toEqual((await evaluate(one, { workers: 1 })).rows);
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);
});

describe('a run with worker threads that stops', () => {
  it('resumes to the same bytes as the uninterrupted run', async () => {
    const config: RunConfigInput = { ...TINY, checkpointEveryBatches: 1, workers: 2 };
    const whole = join(await tempDir(), 'run');
    await train(config, { data: [TYK2], out: whole });
    const stopped = join(await tempDir(), 'run');
    const stop = (p: { epoch: number; batch: number }): void => {
      if (p.epoch === 1 && p.batch === 2) throw new Error('stopped');
    };
    await expect(train(config, { data: [TYK2], out: stopped, onBatch: stop })).rejects.toThrow('stopped');
    await resumeRun(stopped);
    expect(await modelFiles(stopped)).toEqual(await modelFiles(whole));
    expect(await readFile(join(stopped, 'history.jsonl'), 'utf8').then((t) => t.replace(/"(seconds|posesPerSecond)":[^,]+/g, ''))).toBe(
      await readFile(join(whole, 'history.jsonl'), 'utf8').then((t) => t.replace(/"(seconds|posesPerSecond)":[^,]+/g, '')),
    );
  }, 120_000);
});

describe('a run with coordinate jitter', () => {
  it('gives bitwise the weights of one thread with two workers, and after a stop and resume; unlike the run without jitter', async () => {
    const config: RunConfigInput = { ...TINY, augment: { jitter: 0.1 }, checkpointEveryBatches: 1 };
    const one = join(await tempDir(), 'run');
    const a = await train({ ...config, workers: 1 }, { data: [TYK2], out: one });
    expect(a.history[1]!.tensors).toBe(a.history[0]!.tensors); // jittered poses leave nothing behind
    const two = join(await tempDir(), 'run');
    const stop = (p: { epoch: number; batch: number }): void => {
      if (p.epoch === 2 && p.batch === 1) throw new Error('stopped');
    };
    await expect(train({ ...config, workers: 2 }, { data: [TYK2], out: two, onBatch: stop })).rejects.toThrow('stopped');
    const b = await resumeRun(two);
    expect(b.history.map((r) => [r.trainLoss, r.validationLoss])).toEqual(a.history.map((r) => [r.trainLoss, r.validationLoss]));
    expect(await modelFiles(two)).toEqual(await modelFiles(one));
    const plain = join(await tempDir(), 'run');
    await train({ ...TINY, checkpointEveryBatches: 1, workers: 2 }, { data: [TYK2], out: plain });
    expect(await modelFiles(plain)).not.toEqual(await modelFiles(one));
  }, 120_000);
});

describe('a failing worker', () => {
  it('stops on a non-finite gradient with the error one thread gives (the earliest compound of the batch)', async () => {
    const config: RunConfigInput = { ...TINY, optimizer: { name: 'sgd', learningRate: 1e38 } };
    const failure = async (workers: number): Promise<Error> =>
      train({ ...config, workers }, { data: [TYK2], out: join(await tempDir(), 'run') }).then(
        () => new Error('trained'),
        (e: unknown) => e as Error,
      );
    const one = await failure(1);
    const two = await failure(2);
    expect(two).toMatchObject({ code: 'E_NONFINITE', message: one.message });
    expect(two.message).toMatch(/compound 'lig_\w+' of tyk2/);
  }, 120_000);


  it('fails the run with the compound named, stops every worker and leaks no tensor', async () => {
    const before = tf.memory().numTensors;
    const out = join(await tempDir(), 'run');
    const plugin = new URL('../workers/throwing-plugin.fixture.ts', import.meta.url).pathname;
    // lig_jmc_28 is the one tyk2 compound with 8 poses.
    const config: RunConfigInput = { ...TINY, data: {}, plugins: [plugin], model: { ...TINY.model!, combination: { name: 'throwing-mean', options: { poses: 8 } } }, workers: 2 };
    const run = train(config, { data: [TYK2], out });
    await expect(run).rejects.toMatchObject({ code: 'E_WORKER', message: expect.stringMatching(/compound 'lig_jmc_28' of tyk2: no combination for 8 poses/) });
    expect(tf.memory().numTensors).toBe(before);
    expect(await readStatus(out)).toMatchObject({ state: 'failed' });
  }, 120_000);
});
