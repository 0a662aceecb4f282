import type { CompoundPrediction, MultiPoseModel, Plugin } from '@posepool/core';
import { parse } from 'csv-parse/sync';

import type { RunConfig } from '../config/schema.js';
import { ComputePool } from '../workers/pool.js';
import { workerCount } from '../workers/protocol.js';

import type { DatasetEntry } from '../data/dataset.js';
import type { SplitName } from '../data/split.js';

/** One pose's prediction ŷ_i and its weight w_i = ∂h/∂ŷ_i in the combined prediction. */
export interface PosePrediction {
  /** The pose's `pose_index` SD tag, else its position among the compound's kept poses. */
  readonly pose: number;
  readonly prediction: number;
  readonly weight: number;
}

/** One compound's prediction, with its poses'. */
export interface CompoundPredictionRow {
  readonly folder: string;
  readonly id: string;
  /** The compound's subset in a run's split, when known. */
  readonly split?: SplitName;
  /** The measurement, `null` when there is none. */
  readonly measured: number | null;
  readonly predicted: number;
  /** An ensemble's spread: the standard deviation of its members' predictions (`predicted` is their mean). */
  readonly spread?: number;
  readonly poses: readonly PosePrediction[];
}

/** A compound's row from its prediction (`model.predict`'s fields). */
function toRow(entry: DatasetEntry, prediction: Pick<CompoundPrediction, 'combined' | 'poses' | 'weights'>, split: SplitName | undefined): CompoundPredictionRow {
  const { combined, poses, weights } = prediction;
  return {
    folder: entry.folder,
    id: entry.compound.id,
    ...(split !== undefined && { split }),
    measured: entry.compound.target ?? null,
    predicted: combined,
    poses: Array.from(poses, (p, i) => {
      const tagged = Number(entry.tags[i]?.pose_index ?? NaN);
      return { pose: Number.isInteger(tagged) ? tagged : i, prediction: p, weight: weights[i]! };
    }),
  };
}

/**
 * Predicts every compound, forward only, one pose at a time.
 *
 * @param model - the model
 * @param entries - the compounds
 * @param splitOf - each compound key's subset, to record with it
 * @param onProgress - called after each compound
 * @returns one row per compound, in input order
 * @example
 * ```ts
 * const rows = predictEntries(model, dataset.entries);
 * ```
 */
export function predictEntries(
  model: MultiPoseModel,
  entries: readonly DatasetEntry[],
  splitOf?: ReadonlyMap<string, SplitName>,
  onProgress?: (done: number, total: number) => void,
): CompoundPredictionRow[] {
  return entries.map((entry, k) => {
    const row = toRow(entry, model.predict(entry.compound), splitOf?.get(entry.key));
    onProgress?.(k + 1, entries.length);
    return row;
  });
}

/** Options of {@link predictEntriesInParallel}. */
export interface ParallelPredictionOptions {
  /** Threads: `auto` (`os.availableParallelism()`) or a count; 1 predicts in this thread. */
  readonly workers: 'auto' | number;
  /** Backend and plugin specifiers the worker threads rebuild the model with. */
  readonly config: Pick<RunConfig, 'backend' | 'plugins' | 'loss' | 'gradients'>;
  /** Where plugin package names resolve. @defaultValue process.cwd() */
  readonly cwd?: string;
  /** Plugins registered as objects (workers cannot receive them: an error with more than one thread). */
  readonly pluginObjects?: readonly Plugin[];
  /** An open pool that was given these entries (it stays open); otherwise one is started and closed. */
  readonly pool?: ComputePool;
  readonly splitOf?: ReadonlyMap<string, SplitName>;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * {@link predictEntries} over worker threads, compounds in parallel; the rows are the same, bit
 * for bit, as in one thread.
 *
 * @param model - the model (the workers get its config and weights)
 * @param entries - the compounds
 * @param options - workers, the run config, split and progress
 * @returns one row per compound, in input order
 * @throws PosePoolError naming a compound that fails
 * @example
 * ```ts
 * const rows = await predictEntriesInParallel(model, dataset.entries, { workers: 'auto', config });
 * ```
 */
export async function predictEntriesInParallel(model: MultiPoseModel, entries: readonly DatasetEntry[], options: ParallelPredictionOptions): Promise<CompoundPredictionRow[]> {
  const workers = options.pool?.size ?? workerCount(options.workers, entries.length);
  if (workers <= 1) return predictEntries(model, entries, options.splitOf, options.onProgress);
  const pool = options.pool ?? (await ComputePool.start({ workers, model, config: options.config, cwd: options.cwd ?? process.cwd(), entries, ...(options.pluginObjects && { pluginObjects: options.pluginObjects }) }));
  try {
    const rows: CompoundPredictionRow[] = [];
    // Chunks of a few compounds per worker, so that progress moves.
    const chunk = workers * 4;
    for (let start = 0; start < entries.length; start += chunk) {
      const part = entries.slice(start, start + chunk);
      const predictions = await pool.predictions(part.map((e) => e.key));
      part.forEach((entry, k) => rows.push(toRow(entry, predictions[k]!, options.splitOf?.get(entry.key))));
      options.onProgress?.(rows.length, entries.length);
    }
    return rows;
  } finally {
    if (options.pool === undefined) await pool.close();
  }
}

const cell = (value: string | number | null | undefined): string => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/**
 * Predictions as CSV, one row per pose: the compound's columns (folder, id, split when known,
 * measured, predicted, and an ensemble's spread) repeated, then `pose`, `pose_prediction` and `pose_weight`.
 *
 * @param rows - from {@link predictEntries}
 * @returns CSV text with a header
 * @example
 * ```ts
 * await writeFileAtomic('preds.csv', predictionsToCsv(rows));
 * ```
 */
export function predictionsToCsv(rows: readonly CompoundPredictionRow[]): string {
  const withSplit = rows.some((r) => r.split !== undefined);
  const withSpread = rows.some((r) => r.spread !== undefined);
  const header = ['folder', 'id', ...(withSplit ? ['split'] : []), 'measured', 'predicted', ...(withSpread ? ['spread'] : []), 'pose', 'pose_prediction', 'pose_weight'];
  const lines = rows.flatMap((r) =>
    r.poses.map((p) => [r.folder, r.id, ...(withSplit ? [r.split] : []), r.measured, r.predicted, ...(withSpread ? [r.spread] : []), p.pose, p.prediction, p.weight].map(cell).join(',')),
  );
  return `${[header.join(','), ...lines].join('\n')}\n`;
}

/**
 * Reads back what {@link predictionsToCsv} wrote: one row per compound with its poses, in file order.
 *
 * @param text - the CSV text
 * @returns the rows (numbers exactly as written)
 * @example
 * ```ts
 * const rows = predictionsFromCsv(await readFile('runs/a/predictions.csv', 'utf8'));
 * ```
 */
export function predictionsFromCsv(text: string): CompoundPredictionRow[] {
  const records = parse(text, { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
  const rows = new Map<string, CompoundPredictionRow & { poses: PosePrediction[] }>();
  for (const r of records) {
    const key = `${r.folder}/${r.id}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = {
        folder: r.folder!,
        id: r.id!,
        ...(r.split && { split: r.split as SplitName }),
        measured: r.measured === '' ? null : Number(r.measured),
        predicted: Number(r.predicted),
        ...(r.spread !== undefined && r.spread !== '' && { spread: Number(r.spread) }),
        poses: [],
      };
      rows.set(key, row);
    }
    row.poses.push({ pose: Number(r.pose), prediction: Number(r.pose_prediction), weight: Number(r.pose_weight) });
  }
  return [...rows.values()];
}

/**
 * Predictions as JSON: `{ compounds: [{ folder, id, measured, predicted, poses: [{ pose, prediction, weight }] }] }`,
 * and an ensemble's `spread` per compound.
 *
 * @param rows - from {@link predictEntries}
 * @returns JSON text
 * @example
 * ```ts
 * JSON.parse(predictionsToJson(rows)).compounds[0].poses[0].weight;
 * ```
 */
export function predictionsToJson(rows: readonly CompoundPredictionRow[]): string {
  return `${JSON.stringify({ compounds: rows }, null, 2)}\n`;
}
