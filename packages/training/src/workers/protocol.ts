import { availableParallelism } from 'node:os';

import type { BackendName, ModelConfig, PosePoolErrorCode } from '@posepool/core';

import type { RunConfig } from '../config/schema.js';
import type { StepEntry } from '../train/step.js';

/** What a worker is started with (cloned into it once, with every compound it will see). */
export interface WorkerInit {
  readonly backend: BackendName;
  readonly model: ModelConfig;
  /** Plugin module specifiers (absolute paths or package names resolved from `cwd`). */
  readonly plugins: readonly string[];
  readonly cwd: string;
  readonly loss: RunConfig['loss'];
  readonly gradients: RunConfig['gradients'];
  /** Training augmentation, drawn from `seed` (see `augmentedEntry`). */
  readonly augment: RunConfig['augment'];
  readonly seed: number;
  /** Every variable's path, in the order of the flat weight vector. */
  readonly variables: readonly string[];
  readonly entries: readonly StepEntry[];
}

/** A request: the main thread's weights (flat, variable order) and the compounds to compute. */
export interface WorkerRequest {
  readonly id: number;
  readonly kind: 'gradients' | 'predictions';
  readonly weights: Float32Array;
  readonly keys: readonly string[];
  /** Gradients: the 0-based epoch, whose augmentation the compounds get (none when absent). */
  readonly epoch?: number;
}

/** One compound's loss and flat gradient (trainable variables, in order). */
export interface GradientResult {
  readonly loss: number;
  readonly grads: Float32Array;
}

/** One compound's combined prediction, pose predictions and pose weights. */
export interface PredictionResult {
  readonly combined: number;
  readonly poses: Float32Array;
  readonly weights: Float32Array;
}

/** A worker's failure, at the compound it was computing when there is one. */
export interface WorkerFailure {
  readonly key?: string;
  readonly code?: PosePoolErrorCode;
  readonly message: string;
  readonly stack?: string;
}

/** What a worker posts: ready, a request's results (in key order), or a failure. */
export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'results'; readonly id: number; readonly results: ReadonlyArray<GradientResult | PredictionResult> }
  | { readonly type: 'failed'; readonly id?: number; readonly failure: WorkerFailure };

/**
 * How many threads compute: `auto` is `os.availableParallelism()`, and neither is more than
 * there are compounds to share out at a time.
 *
 * @param setting - the run config's `workers`
 * @param parallelUnits - compounds computed in parallel at most (a mini-batch, or all compounds for prediction)
 * @returns at least 1
 * @example
 * ```ts
 * workerCount('auto', 4); // 2 on a two-core machine
 * ```
 */
export function workerCount(setting: 'auto' | number, parallelUnits: number): number {
  const wanted = setting === 'auto' ? availableParallelism() : setting;
  return Math.max(1, Math.min(wanted, parallelUnits));
}
