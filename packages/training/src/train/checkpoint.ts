import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { PosePoolError, type NamedVariables } from '@posepool/core';

import type { RunConfig } from '../config/schema.js';
import type { MetricName } from '../metrics/metrics.js';
import { Random, type RandomState } from '../random.js';
import { writeFileAtomic } from '../run/atomic.js';
import { RUN_FILES } from '../run/run-directory.js';
import { loadTensor, saveTensor, type OptimizerState, type SavedTensor } from './optimizer.js';
import { LearningRateSchedule, type ScheduleState } from './schedule.js';

/** One epoch of a run, as a line of `history.jsonl`. */
export interface EpochRecord {
  /** 1-based epoch. */
  readonly epoch: number;
  /** Mean training loss over the epoch's compounds. */
  readonly trainLoss: number;
  /** Mean loss on the validation compounds (`null` without a validation set). */
  readonly validationLoss: number | null;
  /** Every validation metric, without intervals (`null` without a validation set). */
  readonly validation: { readonly [K in MetricName]: number } | null;
  readonly learningRate: number;
  /** Wall time of the epoch's training steps (s). */
  readonly seconds: number;
  /** Training poses per second. */
  readonly posesPerSecond: number;
  /** Live tensors and their memory at the end of the epoch. */
  readonly tensors: number;
  readonly tensorMiB: number;
}

/** Everything a run needs to continue exactly where it was. */
export interface TrainingState {
  /** Epochs completed. */
  epoch: number;
  /** Mini-batches completed in the current epoch. */
  position: number;
  /** The current epoch's compound order (keys). */
  order: string[];
  /** The current epoch's running loss sum, poses and seconds. */
  running: { loss: number; compounds: number; poses: number; seconds: number };
  /** The shuffling generator's state. */
  random: RandomState;
  schedule: ScheduleState;
  /** Early stopping: best monitored loss, its epoch, epochs since, and the weights then. */
  best: { loss: number | null; epoch: number; bad: number; weights: SavedTensor[] | null };
  /** Whether early stopping ended the run. */
  stopped: boolean;
  history: EpochRecord[];
}

/**
 * The state of a run before its first step: epoch 0, the shuffle generator seeded from the run's
 * seed, the schedule at its start, no best weights yet.
 *
 * @param config - the resolved run config
 * @returns a fresh training state
 * @example
 * ```ts
 * const state = initialTrainingState(config);
 * await runEpochs({ model, config, train, validation, loss, optimizer, schedule, state, checkpoint: save });
 * ```
 */
export function initialTrainingState(config: RunConfig): TrainingState {
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

/** A checkpoint: the training state, the weights and the optimizer's state. */
export interface Checkpoint {
  readonly version: 1;
  readonly state: TrainingState;
  readonly weights: SavedTensor[];
  readonly optimizer: OptimizerState;
}

const FILE = 'state.json';

/**
 * Snapshots variables by parameter path.
 *
 * @param variables - e.g. `model.trainableVariables()`
 * @returns their values
 * @example
 * ```ts
 * const saved = snapshotWeights(model.trainableVariables());
 * ```
 */
export function snapshotWeights(variables: NamedVariables): SavedTensor[] {
  return Object.entries(variables).map(([path, v]) => saveTensor(path, v));
}

/**
 * Assigns saved values to variables by parameter path.
 *
 * @param variables - the model's variables
 * @param saved - from {@link snapshotWeights}
 * @throws PosePoolError `E_RUN_DIR` when a path or shape differs
 * @example
 * ```ts
 * restoreWeights(model.trainableVariables(), checkpoint.weights);
 * ```
 */
export function restoreWeights(variables: NamedVariables, saved: readonly SavedTensor[]): void {
  const byPath = new Map(saved.map((s) => [s.name, s]));
  for (const [path, v] of Object.entries(variables)) {
    const s = byPath.get(path);
    if (s === undefined || !tf.util.arraysEqual(s.shape, v.shape)) {
      throw new PosePoolError('E_RUN_DIR', `The checkpoint has no weights of shape [${v.shape.join(', ')}] for '${path}': it belongs to another model. Resume with the run's own config.yaml.`);
    }
    tf.tidy(() => v.assign(loadTensor(s)));
  }
}

/**
 * Writes a run's checkpoint atomically (`checkpoint/state.json`).
 *
 * @param dir - the run directory
 * @param checkpoint - the checkpoint
 * @example
 * ```ts
 * await writeCheckpoint('runs/a', { version: 1, state, weights, optimizer: await optimizer.state() });
 * ```
 */
export async function writeCheckpoint(dir: string, checkpoint: Checkpoint): Promise<void> {
  await writeFileAtomic(join(dir, RUN_FILES.checkpoint, FILE), JSON.stringify(checkpoint));
}

/**
 * Reads a run's checkpoint.
 *
 * @param dir - the run directory
 * @returns the checkpoint
 * @throws PosePoolError `E_RUN_DIR` when it is missing or unreadable
 * @example
 * ```ts
 * const { state } = await readCheckpoint('runs/a');
 * ```
 */
export async function readCheckpoint(dir: string): Promise<Checkpoint> {
  const file = join(dir, RUN_FILES.checkpoint, FILE);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) throw new PosePoolError('E_RUN_DIR', `${dir}: no ${RUN_FILES.checkpoint}/${FILE} to resume from (the run stopped before its first checkpoint). Start it again without --resume.`);
  try {
    const checkpoint = JSON.parse(text) as Checkpoint;
    if (checkpoint.version !== 1) throw new Error(`version ${String(checkpoint.version)}`);
    return checkpoint;
  } catch (cause) {
    throw new PosePoolError('E_RUN_DIR', `${file}: not a PosePool checkpoint (${(cause as Error).message}). Start the run again without --resume.`, { cause });
  }
}
