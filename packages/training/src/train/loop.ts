import * as tf from '@tensorflow/tfjs';
import { GradientAccumulator, type Loss, type MultiPoseModel } from '@posepool/core';

import type { RunConfig } from '../config/schema.js';
import type { DatasetEntry } from '../data/dataset.js';
import { METRIC_NAMES, metric, type MetricName } from '../metrics/metrics.js';
import { Random } from '../random.js';
import { augmentedEntry } from './augment.js';
import { snapshotWeights, type EpochRecord, type TrainingState } from './checkpoint.js';
import { combinedLoss } from './losses.js';
import type { ComputePool } from '../workers/pool.js';
import type { RunOptimizer } from './optimizer.js';
import type { LearningRateSchedule } from './schedule.js';
import { compoundStep } from './step.js';

/** Progress inside an epoch. */
export interface BatchProgress {
  /** 1-based epoch. */
  readonly epoch: number;
  readonly epochs: number;
  /** Mini-batches done in this epoch, of `batches`. */
  readonly batch: number;
  readonly batches: number;
  /** Mean training loss of the epoch so far. */
  readonly loss: number;
}

/** What {@link runEpochs} works on. */
export interface LoopContext {
  readonly model: MultiPoseModel;
  readonly config: RunConfig;
  readonly train: readonly DatasetEntry[];
  readonly validation: readonly DatasetEntry[];
  readonly loss: Loss;
  readonly optimizer: RunOptimizer;
  readonly schedule: LearningRateSchedule;
  /** Mutated as training goes; {@link LoopContext.checkpoint} stores it. */
  readonly state: TrainingState;
  /** Saves a checkpoint of the current state (called at each epoch's end and every `checkpointEveryBatches`). */
  readonly checkpoint: () => Promise<void>;
  readonly onBatch?: (progress: BatchProgress) => void;
  readonly onEpoch?: (record: EpochRecord) => Promise<void> | void;
  /** Worker threads that compute the compounds of each mini-batch (and validation) in parallel; without it, this thread does. */
  readonly pool?: ComputePool;
  /** Trainable parameter paths that get no update (their gradients are dropped before clipping and the step) while fewer than `config.init.freezeEpochs` epochs are done. */
  readonly frozen?: ReadonlySet<string>;
}

/**
 * Scales gradients in place so that their global norm √(Σ‖g‖²) is at most `maxNorm`.
 *
 * @param grads - gradients; entries are replaced (the old tensors disposed) when scaled
 * @param maxNorm - the largest global norm
 * @returns the global norm before clipping
 * @example
 * ```ts
 * clipByGlobalNorm(grads, 1);
 * ```
 */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): number {
  if (Object.keys(grads).length === 0) return 0; // every parameter frozen
  const norm = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))).dataSync()[0]!);
  if (norm <= maxNorm) return norm;
  for (const [path, g] of Object.entries(grads)) {
    grads[path] = tf.tidy(() => g.mul(maxNorm / norm));
    g.dispose();
  }
  return norm;
}

/** Mean validation loss and metrics of the current weights. */
async function validate(ctx: LoopContext): Promise<Pick<EpochRecord, 'validationLoss' | 'validation'>> {
  if (ctx.validation.length === 0) return { validationLoss: null, validation: null };
  const predicted = ctx.pool
    ? (await ctx.pool.predictions(ctx.validation.map((e) => e.key))).map((p) => p.combined)
    : ctx.validation.map((e) => ctx.model.predict(e.compound).combined);
  const measured = ctx.validation.map((e) => e.compound.target!);
  const loss = predicted.reduce((s, p, i) => s + combinedLoss(ctx.config.loss, p, ctx.validation[i]!.compound), 0) / predicted.length;
  const validation = Object.fromEntries(METRIC_NAMES.map((name) => [name, metric(name, predicted, measured)])) as Record<MetricName, number>;
  return { validationLoss: loss, validation };
}

/**
 * Trains epoch by epoch from `ctx.state` until the last epoch or early stopping: a seeded shuffle
 * per epoch, mini-batches of compounds summed by a `GradientAccumulator` (one pose graph at a
 * time; with a worker pool, compounds in parallel; training compounds jittered afresh each epoch
 * when `augment.jitter` is set), a NaN/Inf check before each step, the frozen parameters'
 * gradients dropped during the first `init.freezeEpochs` epochs, optional global-norm clipping, the epoch's learning
 * rate, validation, early stopping and a checkpoint at each epoch's end. Deterministic: the same
 * state gives the same weights, whether or not the process was restarted in between.
 *
 * @param ctx - model, data, optimizer, schedule, state and callbacks
 * @throws PosePoolError `E_NONFINITE` naming the compound and the variable (the weights are those before the bad step)
 * @example
 * ```ts
 * await runEpochs({ model, config, train, validation, loss, optimizer, schedule, state, checkpoint: save });
 * ```
 */
export async function runEpochs(ctx: LoopContext): Promise<void> {
  const { model, config, state } = ctx;
  const byKey = new Map(ctx.train.map((e) => [e.key, e]));
  const variables = model.trainableVariables();
  const gradientOptions = { mode: config.gradients.mode, memoryBudgetBytes: config.gradients.memoryBudgetMiB * 2 ** 20 };
  const accumulator = new GradientAccumulator(variables);
  try {
    while (state.epoch < config.epochs && !state.stopped) {
      if (state.position === 0) {
        const random = Random.fromState(state.random);
        state.order = random.shuffle(ctx.train.map((e) => e.key));
        state.random = random.state();
        state.running = { loss: 0, compounds: 0, poses: 0, seconds: 0 };
      }
      const frozen = state.epoch < config.init.freezeEpochs ? [...(ctx.frozen ?? [])] : [];
      const rate = ctx.schedule.rate(state.epoch);
      ctx.optimizer.setLearningRate(rate);
      const batches = Math.ceil(state.order.length / config.batchSize);
      while (state.position < batches) {
        const start = performance.now();
        const keys = state.order.slice(state.position * config.batchSize, (state.position + 1) * config.batchSize);
        // Pooled gradients are summed here in the batch's order, as this thread would: the sum does not depend on which worker computed what.
        // Workers jitter their own copies of the compounds for this epoch, as this thread does (augmentedEntry).
        const pooled = ctx.pool ? await ctx.pool.gradients(keys, { epoch: state.epoch }) : undefined;
        for (const [k, key] of keys.entries()) {
          const entry = byKey.get(key)!;
          const step = pooled ? pooled[k]! : compoundStep(model, augmentedEntry(entry, config, state.epoch), ctx.loss, gradientOptions);
          accumulator.add(step.grads);
          state.running.loss += step.loss;
          state.running.compounds += 1;
          state.running.poses += entry.compound.poses.length;
        }
        const grads = accumulator.gradients();
        try {
          for (const path of frozen) {
            grads[path]?.dispose();
            delete grads[path];
          }
          if (config.clipNorm !== null) clipByGlobalNorm(grads, config.clipNorm);
          ctx.optimizer.step(grads, variables);
        } finally {
          tf.dispose(grads);
          accumulator.reset();
        }
        state.position += 1;
        state.running.seconds += (performance.now() - start) / 1000;
        ctx.onBatch?.({ epoch: state.epoch + 1, epochs: config.epochs, batch: state.position, batches, loss: state.running.loss / state.running.compounds });
        const every = config.checkpointEveryBatches;
        if (every !== null && state.position % every === 0 && state.position < batches) await ctx.checkpoint();
      }
      const memory = tf.memory();
      const record: EpochRecord = {
        epoch: state.epoch + 1,
        trainLoss: state.running.loss / state.running.compounds,
        ...(await validate(ctx)),
        learningRate: rate,
        seconds: state.running.seconds,
        posesPerSecond: state.running.poses / state.running.seconds,
        tensors: memory.numTensors,
        tensorMiB: memory.numBytes / 2 ** 20,
      };
      const monitored = record.validationLoss ?? record.trainLoss;
      ctx.schedule.observe(monitored);
      state.schedule = ctx.schedule.state;
      const { best } = state;
      if (best.loss === null || monitored < best.loss - config.earlyStopping.minDelta) {
        state.best = { loss: monitored, epoch: record.epoch, bad: 0, weights: snapshotWeights(variables) };
      } else {
        state.best = { ...best, bad: best.bad + 1 };
        state.stopped = config.earlyStopping.patience !== null && state.best.bad >= config.earlyStopping.patience;
      }
      state.history.push(record);
      state.epoch += 1;
      state.position = 0;
      await ctx.checkpoint();
      await ctx.onEpoch?.(record);
    }
  } finally {
    accumulator.dispose();
  }
}
