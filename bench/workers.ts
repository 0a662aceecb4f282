// Training and prediction throughput through the training library with 1 worker thread and with every core:
// a mini-batch of tyk2-complex compounds (as throughput.ts builds them), smooth-min, the default
// SchNet and PaiNN. Writes its keys into bench/results/throughput.json's `ratios` (other keys
// kept) and its details under `workers`.
import { readFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { buildModel, useBackend, type MultiPoseModel } from '@posepool/core';
import { ComputePool, LearningRateSchedule, RunOptimizer, initialTrainingState, predictEntriesInParallel, resolveRunConfig, runEpochs, runLoss, runRegistry, type DatasetEntry } from '@posepool/training';

import { benchmarkCompound, benchmarkPose, machine, writeResult } from './lib.js';

tf.enableProdMode();
await useBackend('wasm');
const { pose, source } = benchmarkPose();
const BATCH = 4;
const WORKERS = Math.min(availableParallelism(), BATCH);
/** One mini-batch per epoch; the first epoch warms up (neighbour lists; worker start-up is not timed). At N = 9 an epoch is short (36 poses): more of them for a stable median. */
const epochsAt = (n: number): number => (n === 64 ? 3 : 8);
/** Predictions of the mini-batch per variant, interleaved; the median counts. */
const PREDICTIONS = 5;

/** A training setup with `workers` threads whose epochs (one mini-batch each) run one at a time. */
async function setup(representation: string, mode: 'auto' | 'recompute', n: number, workers: number): Promise<{ epoch: () => Promise<number>; predict: () => Promise<number>; startupS: number; close: () => Promise<void> }> {
  const config = resolveRunConfig({
    model: { representation: { name: representation, options: { seed: 1 } }, strategy: { name: 'complex-only', options: { seed: 1 } }, combination: { name: 'smooth-min', options: { scale: 1000 } } },
    gradients: { mode },
    batchSize: BATCH,
    split: { validation: 0 },
    workers,
  });
  const entries: DatasetEntry[] = Array.from({ length: BATCH }, (_, k) => ({ compound: benchmarkCompound(pose, n, 1000 * n + k), folder: 'tyk2', key: `tyk2/${k}`, tags: [], molblock: '', affinities: '' }));
  const model: MultiPoseModel = buildModel(config.model, runRegistry());
  const optimizer = new RunOptimizer(config.optimizer);
  const start = performance.now();
  const pool = workers > 1 ? await ComputePool.start({ workers, model, config, cwd: process.cwd(), entries }) : undefined;
  const startupS = (performance.now() - start) / 1000;
  const state = initialTrainingState(config);
  const schedule = new LearningRateSchedule(config.schedule, config.optimizer.learningRate, config.epochs, state.schedule);
  const epoch = async (): Promise<number> => {
    await runEpochs({ ...(pool && { pool }), model, config: { ...config, epochs: state.epoch + 1 }, train: entries, validation: [], loss: runLoss(config.loss), optimizer, schedule, state, checkpoint: async () => {} });
    return state.history.at(-1)!.posesPerSecond;
  };
  /** Prediction poses/s over the mini-batch (through the workers, as `posepool predict --workers`). */
  const predict = async (): Promise<number> => {
    const start = performance.now();
    await predictEntriesInParallel(model, entries, { ...(pool && { pool }), workers, config });
    return (1000 * BATCH * n) / (performance.now() - start);
  };
  const close = async (): Promise<void> => {
    await pool?.close();
    optimizer.dispose();
    model.dispose();
  };
  return { epoch, predict, startupS, close };
}

/**
 * Training and prediction poses/s with 1 and with `WORKERS` threads: epochs interleaved (this
 * machine's load drifts), one warm-up epoch each, then medians; then interleaved predictions.
 */
async function compare(representation: string, mode: 'auto' | 'recompute', n: number): Promise<{ one: number; all: number; predictOne: number; predictAll: number; startupS: number }> {
  const variants = [await setup(representation, mode, n, 1), await setup(representation, mode, n, WORKERS)];
  const rates: number[][] = [[], []];
  const predictions: number[][] = [[], []];
  try {
    for (let e = 0; e < epochsAt(n); e++) {
      for (const [v, variant] of variants.entries()) {
        const rate = await variant.epoch();
        if (e > 0) rates[v]!.push(rate);
      }
    }
    for (let r = 0; r < PREDICTIONS; r++) for (const [v, variant] of variants.entries()) predictions[v]!.push(await variant.predict());
  } finally {
    for (const variant of variants) await variant.close();
  }
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { one: med(rates[0]!), all: med(rates[1]!), predictOne: med(predictions[0]!), predictAll: med(predictions[1]!), startupS: variants[1]!.startupS };
}

const path = join(import.meta.dirname, 'results', 'throughput.json');
const previous = JSON.parse(await readFile(path, 'utf8').catch(() => '{}')) as { ratios?: Record<string, number>; workers?: { rows?: Array<Record<string, unknown>> } } & Record<string, unknown>;
const ratios: Record<string, number> = {};
const rows: unknown[] = [];
// Arguments: architectures to run (default both) and --poses=9,64 (default both).
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));
const posesArg = args.find((a) => a.startsWith('--poses='));
const sizes = posesArg === undefined ? [9, 64] : posesArg.slice('--poses='.length).split(',').map(Number);
const modesArg = args.find((a) => a.startsWith('--modes='));
for (const representation of ['schnet', 'painn']) {
  if (only.length > 0 && !only.includes(representation)) continue;
  for (const n of sizes) {
    const modes = modesArg === undefined ? (n === 64 ? ['auto'] : ['auto', 'recompute']) : modesArg.slice('--modes='.length).split(',');
    for (const mode of modes as Array<'auto' | 'recompute'>) {
      const { one, all, predictOne, predictAll, startupS } = await compare(representation, mode, n);
      const row = {
        representation,
        poses: n,
        mode,
        workers1PosesPerS: one,
        [`workers${WORKERS}PosesPerS`]: all,
        ratio: all / one,
        predictWorkers1PosesPerS: predictOne,
        [`predictWorkers${WORKERS}PosesPerS`]: predictAll,
        workerStartupS: startupS,
        loadAverage: loadavg()[0],
      };
      rows.push(row);
      console.log(JSON.stringify(row));
      if (mode === 'auto') {
        ratios[`${representation}_train_poses_per_s_N${n}`] = all;
        if (n === 9) ratios[`${representation}_predict_poses_per_s`] = predictAll;
        // Named for two workers, as on the machine the goal was set for; `workers` below says how many ran.
        if (n === 64) ratios[`${representation === 'schnet' ? '' : `${representation}_`}workers2_over_workers1_throughput`] = all / one;
      }
    }
  }
}

const written = await writeResult('throughput', {
  ...previous,
  ratios: { ...previous.ratios, ...ratios },
  workers: {
    machine: machine(),
    pose: source,
    setup: `training library (runEpochs): a mini-batch of ${BATCH} compounds of N poses each, smooth-min (scale 1000), complex-only, default architecture options, Adam; epochs of one mini-batch (8 at N = 9, 3 at N = 64), 1 and all workers interleaved epoch by epoch, the first a warm-up; poses/s is the median of the others. Worker start-up (startupS) is not in poses/s.`,
    keys: `*_train_poses_per_s_N* and *workers2_over_workers1_throughput: gradient mode auto, N = 64 for the ratio, ${WORKERS} workers (every core, at most the batch size) against 1; *_predict_poses_per_s: predictEntriesInParallel over the mini-batch at N = 9 with ${WORKERS} workers (median of ${PREDICTIONS}, after training).`,
    workers: WORKERS,
    // Rows of this run, then those of earlier runs for configurations this one did not measure.
    rows: [...rows, ...(previous.workers?.rows ?? []).filter((old) => !(rows as Array<Record<string, unknown>>).some((row) => ['representation', 'poses', 'mode'].every((k) => row[k] === old[k])))],
  },
});
console.log(`wrote ${written}`);
console.log(ratios);
