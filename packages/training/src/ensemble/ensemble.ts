// Ensembles: K members trained with seeds seed, seed+1, …, predicting together (mean and spread).
import { join } from 'node:path';

import type { RunConfig } from '../config/schema.js';
import { metric } from '../metrics/metrics.js';
import type { DatasetEntry } from '../data/dataset.js';
import { predictEntriesInParallel, type CompoundPredictionRow, type ParallelPredictionOptions } from '../predict/predictions.js';
import type { OpenedModel } from '../run/open-model.js';
import { RUN_FILES } from '../run/run-directory.js';

/** Every number under a key named `seed`, shifted by `by`. */
function shiftSeeds(value: unknown, by: number): unknown {
  if (Array.isArray(value)) return value.map((v) => shiftSeeds(v, by));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'seed' && typeof v === 'number' ? v + by : shiftSeeds(v, by)]));
}

/**
 * The run config of an ensemble's member `index`: the run's seed plus `index` (shuffles,
 * bootstrap) and every seed of the model config plus `index` (its initialisation), a single
 * model (`ensemble: 1`). Member 0 is the run a single model would be.
 *
 * @param config - the ensemble's resolved run config
 * @param index - 0-based member
 * @returns the member's config
 * @example
 * ```ts
 * memberConfig(config, 2).seed; // config.seed + 2
 * ```
 */
export function memberConfig(config: RunConfig, index: number): RunConfig {
  return { ...config, seed: config.seed + index, model: shiftSeeds(config.model, index) as RunConfig['model'], ensemble: 1 };
}

/**
 * The member run directories of an ensemble run (`members/0`, `members/1`, …).
 *
 * @param dir - the ensemble's run directory
 * @param members - how many
 * @returns their paths, in member order
 * @example
 * ```ts
 * memberDirectories('runs/ensemble', 2); // ['runs/ensemble/members/0', 'runs/ensemble/members/1']
 * ```
 */
export function memberDirectories(dir: string, members: number): string[] {
  return Array.from({ length: members }, (_, i) => join(dir, RUN_FILES.members, String(i)));
}

/**
 * Combines the members' predictions of the same compounds: per compound the mean prediction and
 * the spread (the sample standard deviation over members, K − 1 in the denominator), per pose
 * the mean prediction and the mean weight.
 *
 * @param members - each member's rows, the same compounds in the same order
 * @returns one row per compound, with `spread`
 * @throws RangeError when the members' rows do not match
 * @example
 * ```ts
 * const rows = ensembleRows([rowsOfMember0, rowsOfMember1]);
 * rows[0].spread;
 * ```
 */
export function ensembleRows(members: ReadonlyArray<readonly CompoundPredictionRow[]>): CompoundPredictionRow[] {
  const [first] = members;
  if (first === undefined) return [];
  const k = members.length;
  const mean = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0) / values.length;
  return first.map((row, c) => {
    const same = members.map((m) => m[c]);
    if (same.some((r) => r === undefined || r.folder !== row.folder || r.id !== row.id || r.poses.length !== row.poses.length)) {
      throw new RangeError(`ensembleRows(): the members' predictions differ at compound ${c} (${row.folder}/${row.id}).`);
    }
    const predictions = same.map((r) => r!.predicted);
    const predicted = mean(predictions);
    const spread = k < 2 ? 0 : Math.sqrt(predictions.reduce((s, p) => s + (p - predicted) ** 2, 0) / (k - 1));
    return {
      ...row,
      predicted,
      spread,
      poses: row.poses.map((pose, i) => ({ pose: pose.pose, prediction: mean(same.map((r) => r!.poses[i]!.prediction)), weight: mean(same.map((r) => r!.poses[i]!.weight)) })),
    };
  });
}

/**
 * How well an ensemble's spread tells its errors, over compounds with a measurement.
 *
 * @example
 * ```ts
 * const { spread } = (await evaluate('runs/ensemble', { split: 'test' })).evaluation;
 * if (spread) console.log(spread.coverage, spread.spearman);
 * ```
 */
export interface SpreadMetrics {
  /** Compounds with a measurement and a spread. */
  readonly n: number;
  /** Mean spread. */
  readonly meanSpread: number;
  /** Spearman ρ between |mean − measured| and the spread: above 0 when a larger spread flags a larger error. */
  readonly spearman: number;
  /** The fraction of compounds whose measured value lies within mean ± 2·spread. */
  readonly coverage: number;
}

/**
 * The spread metrics of an ensemble's predictions: Spearman ρ between the absolute error and the
 * spread, and the coverage of mean ± 2·spread.
 *
 * @param rows - rows with `spread` (from {@link ensembleRows}); others and those without a measurement are left out
 * @returns the metrics, or `undefined` when no row has both
 * @example
 * ```ts
 * spreadMetrics(ensembleRows(members))?.coverage; // e.g. 0.9
 * ```
 */
export function spreadMetrics(rows: readonly Pick<CompoundPredictionRow, 'measured' | 'predicted' | 'spread'>[]): SpreadMetrics | undefined {
  const kept = rows.filter((r): r is typeof r & { measured: number; spread: number } => r.measured !== null && r.spread !== undefined);
  if (kept.length === 0) return undefined;
  const errors = kept.map((r) => Math.abs(r.predicted - r.measured));
  const spreads = kept.map((r) => r.spread);
  return {
    n: kept.length,
    meanSpread: spreads.reduce((s, v) => s + v, 0) / kept.length,
    spearman: metric('spearman', spreads, errors),
    coverage: kept.filter((r, i) => errors[i]! <= 2 * r.spread).length / kept.length,
  };
}

/**
 * Predicts compounds with an opened model: a single model's rows, or an ensemble's (every
 * member in turn, then {@link ensembleRows}: the mean and the spread).
 *
 * @param opened - from `openModel`
 * @param entries - the compounds
 * @param options - workers, the run config, split and progress (over all members)
 * @returns one row per compound, in input order
 * @example
 * ```ts
 * const rows = await predictOpened(await openModel('runs/ensemble'), dataset.entries, { workers: 1, config });
 * ```
 */
export async function predictOpened(opened: Pick<OpenedModel, 'model' | 'members'>, entries: readonly DatasetEntry[], options: ParallelPredictionOptions): Promise<CompoundPredictionRow[]> {
  const members = opened.members ?? [opened.model];
  const perMember: CompoundPredictionRow[][] = [];
  for (const [i, member] of members.entries()) {
    const { onProgress } = options;
    const progress = onProgress && ((done: number, total: number) => onProgress(i * total + done, members.length * total));
    perMember.push(await predictEntriesInParallel(member, entries, { ...options, ...(progress && { onProgress: progress }) }));
  }
  return opened.members === undefined ? perMember[0]! : ensembleRows(perMember);
}

/**
 * Frees an opened model, every member of an ensemble.
 *
 * @param opened - from `openModel`
 * @example
 * ```ts
 * disposeOpened(opened);
 * ```
 */
export function disposeOpened(opened: Pick<OpenedModel, 'model' | 'members'>): void {
  for (const model of opened.members ?? [opened.model]) model.dispose();
}

/**
 * A one-line summary of the spread metrics.
 *
 * @param spread - an ensemble evaluation's spread metrics
 * @returns the line
 * @example
 * ```ts
 * if (evaluation.spread) console.log(formatSpreadMetrics(evaluation.spread)); // 'ensemble spread: mean 0.21, ρ(|error|, spread) 0.35, coverage of mean ± 2·spread 0.62 (n=13)'
 * ```
 */
export function formatSpreadMetrics(spread: SpreadMetrics): string {
  const fixed = (v: number): string => (Number.isNaN(v) ? '–' : v.toFixed(2));
  return `ensemble spread: mean ${fixed(spread.meanSpread)}, ρ(|error|, spread) ${fixed(spread.spearman)}, coverage of mean ± 2·spread ${fixed(spread.coverage)} (n=${spread.n})`;
}
