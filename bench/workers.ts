// Training throughput through the training library with 1 worker thread and with every core:
// a mini-batch of tyk2-complex compounds (as throughput.ts builds them), smooth-min, the default
// SchNet and PaiNN. Writes its keys into bench/results/throughput.json's `ratios` (other keys
// kept) and its details under `workers`.
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { buildModel, useBackend, type MultiPoseModel } from '@posepool/core';
import { ComputePool, LearningRateSchedule, Random, RunOptimizer, resolveRunConfig, runEpochs, runLoss, runRegistry, type DatasetEntry, type RunConfig, type TrainingState } from '@posepool/training';

import { benchmarkCompound, benchmarkPose, machine, writeResult } from './lib.js';

tf.enableProdMode();
await useBackend('wasm');
const { pose, source } = benchmarkPose();
const BATCH = 4;
const WORKERS = Math.min(availableParallelism(), BATCH);
/** One mini-batch per epoch; the first epoch warms up (neighbour lists; worker start-up is not timed). */
const epochsAt = (n: number): number => (n === 64 ? 2 : 3);

function freshState(config: RunConfig): TrainingState {
  return {
    epoch: 0,
    position: 0,
    order: [],
    running: { loss: 0, compounds: 0, poses: 0, seconds: 0 },
    random: new Random(config.seed + 1).state(),
    schedule: new LearningRateSchedule(config.schedule, config.optimizer.learningRate, config.epochs).state,
    best: { loss: null, epoch: 0, bad: 0, weights: null },
    stopped: false,
    history: [],
  };
}

/** Training poses/s (median over the epochs after the first) with `workers` threads. */
async function posesPerSecond(representation: string, mode: 'auto' | 'recompute', n: number, workers: number): Promise<{ posesPerS: number; startupS: number }> {
  const config = resolveRunConfig({
    model: { representation: { name: representation, options: { seed: 1 } }, strategy: { name: 'complex-only', options: { seed: 1 } }, combination: { name: 'smooth-min', options: { scale: 1000 } } },
    gradients: { mode },
    batchSize: BATCH,
    epochs: epochsAt(n),
    split: { validation: 0 },
    workers,
  });
  const entries: DatasetEntry[] = Array.from({ length: BATCH }, (_, k) => ({ compound: benchmarkCompound(pose, n, 1000 * n + k), folder: 'tyk2', key: `tyk2/${k}`, tags: [], molblock: '', affinities: '' }));
  const model: MultiPoseModel = buildModel(config.model, runRegistry());
  const optimizer = new RunOptimizer(config.optimizer);
  const start = performance.now();
  const pool = workers > 1 ? await ComputePool.start({ workers, model, config, cwd: process.cwd(), entries }) : undefined;
  const startupS = (performance.now() - start) / 1000;
  const state = freshState(config);
  try {
    await runEpochs({
      ...(pool && { pool }),
      model,
      config,
      train: entries,
      validation: [],
      loss: runLoss(config.loss),
      optimizer,
      schedule: new LearningRateSchedule(config.schedule, config.optimizer.learningRate, config.epochs, state.schedule),
      state,
      checkpoint: async () => {},
    });
  } finally {
    await pool?.close();
    optimizer.dispose();
    model.dispose();
  }
  const rates = state.history.slice(1).map((r) => r.posesPerSecond).sort((a, b) => a - b);
  return { posesPerS: rates[Math.floor(rates.length / 2)]!, startupS };
}

const path = join(import.meta.dirname, 'results', 'throughput.json');
const previous = JSON.parse(await readFile(path, 'utf8').catch(() => '{}')) as { ratios?: Record<string, number> } & Record<string, unknown>;
const ratios: Record<string, number> = {};
const rows: unknown[] = [];
const only = process.argv.slice(2);
for (const representation of ['schnet', 'painn']) {
  if (only.length > 0 && !only.includes(representation)) continue;
  for (const n of [9, 64]) {
    for (const mode of n === 64 ? (['auto'] as const) : (['auto', 'recompute'] as const)) {
      const one = await posesPerSecond(representation, mode, n, 1);
      const all = await posesPerSecond(representation, mode, n, WORKERS);
      const row = { representation, poses: n, mode, workers1: one, [`workers${WORKERS}`]: all, ratio: all.posesPerS / one.posesPerS };
      rows.push(row);
      console.log(JSON.stringify(row));
      if (mode === 'auto') {
        ratios[`${representation}_train_poses_per_s_N${n}`] = all.posesPerS;
        // Named for two workers, as on the machine the goal was set for; `workers` below says how many ran.
        if (n === 64) ratios[`${representation === 'schnet' ? '' : `${representation}_`}workers2_over_workers1_throughput`] = all.posesPerS / one.posesPerS;
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
    setup: `training library (runEpochs): a mini-batch of ${BATCH} compounds of N poses each, smooth-min (scale 1000), complex-only, default architecture options, Adam; epochs of one mini-batch (3 at N = 9, 2 at N = 64), the first a warm-up; poses/s is the median of the others. Worker start-up (startupS) is not in poses/s.`,
    keys: `*_train_poses_per_s_N* and *workers2_over_workers1_throughput: gradient mode auto, N = 64 for the ratio, ${WORKERS} workers (every core, at most the batch size) against 1.`,
    workers: WORKERS,
    rows,
  },
});
console.log(`wrote ${written}`);
console.log(ratios);
