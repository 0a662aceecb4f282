import type { DatasetEntry } from '../data/dataset.js';
import { metricReport, type MetricReport } from '../metrics/metrics.js';
import { paritySpec, renderSvg } from '../plots/plots.js';
import type { CompoundPredictionRow } from '../predict/predictions.js';
import type { SpreadMetrics } from '../ensemble/ensemble.js';
import type { PoseMetrics } from './pose-metrics.js';

/** Metrics pooled over all folders and per folder. */
export interface EvaluationGroup {
  readonly pooled: MetricReport;
  readonly folders: Readonly<Record<string, MetricReport>>;
}

/** The metrics of predictions, and of a docking-score baseline when asked for. */
export interface Evaluation {
  readonly model: EvaluationGroup;
  /** The baseline: −(the lowest value of the tag over a compound's poses), e.g. the best Vina score. */
  readonly baseline?: EvaluationGroup & { readonly tag: string };
  /** Where poses carry an RMSD to the reference: how often the highest-weighted pose, and the docking top pose, is right. */
  readonly poses?: PoseMetrics;
  /** An ensemble's: how well the spread of its members tells the error. */
  readonly spread?: SpreadMetrics;
}

/**
 * Pooled and per-folder metrics with seeded bootstrap 95 % intervals, over compounds with a
 * measurement.
 *
 * @param rows - predictions (rows without a measurement are left out)
 * @param seed - bootstrap seed
 * @returns pooled and per-folder reports
 * @example
 * ```ts
 * const group = evaluateRows(rows, 1);
 * group.pooled.rmse.value;
 * ```
 */
export function evaluateRows(rows: readonly Pick<CompoundPredictionRow, 'folder' | 'measured' | 'predicted'>[], seed: number): EvaluationGroup {
  const measured = rows.filter((r) => r.measured !== null);
  const report = (subset: typeof measured): MetricReport =>
    metricReport(
      subset.map((r) => r.predicted),
      subset.map((r) => r.measured!),
      { seed },
    );
  const folders = [...new Set(measured.map((r) => r.folder))];
  return { pooled: report(measured), folders: Object.fromEntries(folders.map((f) => [f, report(measured.filter((r) => r.folder === f))])) };
}

/**
 * The baseline's "predictions": minus the lowest value of an SD tag over each compound's poses
 * (the best docking score, so that larger means tighter binding, like pK). Compounds without
 * the tag on any pose are left out.
 *
 * @param entries - the compounds (with their tags)
 * @param tag - e.g. `vina_score`
 * @returns rows in the form {@link evaluateRows} takes
 * @example
 * ```ts
 * evaluateRows(baselineRows(entries, 'vina_score'), 1);
 * ```
 */
export function baselineRows(entries: readonly DatasetEntry[], tag: string): Array<Pick<CompoundPredictionRow, 'folder' | 'measured' | 'predicted'>> {
  return entries.flatMap((e) => {
    const values = e.tags.map((t) => Number(t[tag] ?? NaN)).filter(Number.isFinite);
    return values.length === 0 || e.compound.target === undefined ? [] : [{ folder: e.folder, measured: e.compound.target, predicted: -Math.min(...values) }];
  });
}

const interval = (m: { value: number; low: number; high: number }): string => `${m.value.toFixed(2)} [${m.low.toFixed(2)}, ${m.high.toFixed(2)}]`;
const format = (r: MetricReport): string => `n=${r.n}  MAE ${interval(r.mae)}  RMSE ${interval(r.rmse)}  r ${interval(r.pearson)}  ρ ${interval(r.spearman)}  τ ${interval(r.kendall)}`;

/**
 * A one-line summary of a metric report: every metric with its interval.
 *
 * @param report - the report
 * @returns the line
 * @example
 * ```ts
 * console.log(formatReport(evaluation.model.pooled));
 * ```
 */
export function formatReport(report: MetricReport): string {
  return format(report);
}

/**
 * The parity plot of predictions: predicted vs measured with the identity line and the pooled
 * metrics in the title.
 *
 * @param evaluation - the metrics
 * @param rows - the predictions plotted (those with a measurement)
 * @param label - what was evaluated, for the title
 * @returns the SVG, or `undefined` when no row has a measurement
 * @example
 * ```ts
 * const svg = await parityPlot(evaluation, rows, 'tyk2 test');
 * ```
 */
export async function parityPlot(evaluation: Evaluation, rows: readonly CompoundPredictionRow[], label: string): Promise<string | undefined> {
  const measured = rows.filter((r) => r.measured !== null);
  if (measured.length === 0) return undefined;
  const points = measured.map((r) => ({ measured: r.measured!, predicted: r.predicted, group: r.folder, id: r.id }));
  const r = evaluation.model.pooled;
  // The metrics on two lines keep the plot about as wide as its axes.
  return renderSvg(paritySpec(points, [`${label}: predicted vs measured`, `n=${r.n}  MAE ${interval(r.mae)}  RMSE ${interval(r.rmse)}`, `r ${interval(r.pearson)}  ρ ${interval(r.spearman)}  τ ${interval(r.kendall)}`]));
}

/**
 * A one-line summary of the pose metrics.
 *
 * @param poses - the pose metrics of an evaluation
 * @returns the line
 * @example
 * ```ts
 * if (evaluation.poses) console.log(formatPoseMetrics(evaluation.poses));
 * ```
 */
export function formatPoseMetrics(poses: PoseMetrics): string {
  const docking = poses.dockingTop === null ? '' : `; top ${poses.scoreTag} pose ${poses.dockingTop.toFixed(2)} (n=${poses.nScored})`;
  return `poses within ${poses.threshold} Å (${poses.rmsdTag}): highest-weighted pose ${poses.highestWeight.toFixed(2)} (n=${poses.n})${docking}`;
}
