import type { DatasetEntry } from '../data/dataset.js';
import type { CompoundPredictionRow } from '../predict/predictions.js';

/** Pose metrics: how often the chosen pose is near the reference pose. */
export interface PoseMetrics {
  /** The per-pose SD tag holding the RMSD to the reference (Å). */
  readonly rmsdTag: string;
  /** The RMSD below which a pose counts as right (Å). */
  readonly threshold: number;
  /** Compounds with the RMSD tag on every kept pose. */
  readonly n: number;
  /** Fraction of those whose highest-weighted pose (largest w_i) is within the threshold. */
  readonly highestWeight: number;
  /** The docking score tag ranking the docking program's poses. */
  readonly scoreTag: string;
  /** Compounds that also have the score tag on some pose. */
  readonly nScored: number;
  /** Fraction of those whose best-scored pose (lowest score) is within the threshold; `null` when none is scored. */
  readonly dockingTop: number | null;
}

/** Options of {@link poseMetrics}. */
export interface PoseMetricOptions {
  /** @defaultValue 'rmsd_to_reference' */
  readonly rmsdTag?: string;
  /** @defaultValue 'vina_score' */
  readonly scoreTag?: string;
  /** @defaultValue 2 */
  readonly threshold?: number;
}

const numberOf = (tags: Readonly<Record<string, string>>, tag: string): number => Number(tags[tag] ?? NaN);
const argBest = (values: readonly number[], better: (a: number, b: number) => boolean): number => values.reduce((best, v, i) => (Number.isFinite(v) && (best < 0 || better(v, values[best]!)) ? i : best), -1);

/**
 * The pose metric of a multi-pose model: over compounds whose poses carry a per-pose RMSD to the
 * reference, the fraction whose highest-weighted pose (largest w_i; the first on ties) lies
 * within `threshold` Å of it, beside the same fraction for the docking program's top pose (the
 * lowest score tag). A single-pose model has one pose, so both fractions are the same.
 *
 * @param rows - predictions, with each kept pose's weight in the entries' pose order
 * @param entries - the compounds the rows were predicted from (their SD tags)
 * @param options - tags and threshold
 * @returns the metrics, or `undefined` when no compound has the RMSD tag on every pose
 * @example
 * ```ts
 * const poses = poseMetrics(predictEntries(model, entries), entries);
 * poses?.highestWeight; // e.g. 0.8
 * ```
 */
export function poseMetrics(rows: readonly Pick<CompoundPredictionRow, 'folder' | 'id' | 'poses'>[], entries: readonly DatasetEntry[], options: PoseMetricOptions = {}): PoseMetrics | undefined {
  const { rmsdTag = 'rmsd_to_reference', scoreTag = 'vina_score', threshold = 2 } = options;
  const byKey = new Map(entries.map((e) => [e.key, e]));
  let [n, right, nScored, dockingRight] = [0, 0, 0, 0];
  for (const row of rows) {
    const entry = byKey.get(`${row.folder}/${row.id}`);
    if (entry === undefined || entry.tags.length !== row.poses.length) continue;
    const rmsd = entry.tags.map((t) => numberOf(t, rmsdTag));
    if (rmsd.length === 0 || !rmsd.every(Number.isFinite)) continue;
    n += 1;
    if (rmsd[argBest(row.poses.map((p) => p.weight), (a, b) => a > b)]! < threshold) right += 1;
    const top = argBest(entry.tags.map((t) => numberOf(t, scoreTag)), (a, b) => a < b);
    if (top >= 0) {
      nScored += 1;
      if (rmsd[top]! < threshold) dockingRight += 1;
    }
  }
  if (n === 0) return undefined;
  return { rmsdTag, threshold, n, highestWeight: right / n, scoreTag, nScored, dockingTop: nScored === 0 ? null : dockingRight / nScored };
}
