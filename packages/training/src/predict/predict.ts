import type { Plugin } from '@posepool/core';

import { loadDataset } from '../data/dataset.js';
import { disposeOpened, predictOpened } from '../ensemble/ensemble.js';
import { openModel } from '../run/open-model.js';
import type { CompoundPredictionRow } from './predictions.js';
import { inShard, type Shard } from './shard.js';

/** Options of {@link predict}. */
export interface PredictOptions {
  /** Dataset folders; default: the run's own. */
  readonly data?: readonly string[];
  /** Only this shard's compounds (see {@link inShard}). */
  readonly shard?: Shard;
  readonly plugins?: readonly Plugin[];
  readonly cwd?: string;
  readonly onProgress?: (done: number, total: number) => void;
  /** Threads predicting compounds in parallel: `auto` or a count. @defaultValue the run config's `workers` */
  readonly workers?: 'auto' | number;
}

/**
 * Predicts every compound of dataset folders with a run's or a model directory's model: the
 * compound's prediction and each pose's ŷ_i and weight w_i; an ensemble run's rows hold the
 * members' mean and their spread (standard deviation). Folders are featurized as the run
 * was (its `data` section); a bare model directory uses the defaults. A folder without a CSV
 * of measurements is predicted too (its rows have `measured: null`).
 *
 * @param path - a run directory or a model directory
 * @param options - data folders, shard, plugins, progress
 * @returns one row per compound
 * @example
 * ```ts
 * const rows = await predict('runs/tyk2', { data: ['new-series'], shard: { index: 0, count: 4 } });
 * ```
 */
export async function predict(path: string, options: PredictOptions = {}): Promise<CompoundPredictionRow[]> {
  const opened = await openModel(path, options);
  const { config } = opened;
  try {
    const dataset = await loadDataset(options.data ?? config.data.folders, config.data, undefined, 'optional');
    const shard = options.shard;
    const entries = shard === undefined ? dataset.entries : dataset.entries.filter((e) => inShard(e.key, shard));
    return await predictOpened(opened, entries, {
      workers: options.workers ?? config.workers,
      config,
      ...(options.cwd !== undefined && { cwd: options.cwd }),
      ...(options.plugins && { pluginObjects: options.plugins }),
      ...(options.onProgress && { onProgress: options.onProgress }),
    });
  } finally {
    disposeOpened(opened);
  }
}
