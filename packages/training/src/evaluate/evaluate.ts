import { writeFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { PosePoolError, type Plugin } from '@posepool/core';

import { loadDataset } from '../data/dataset.js';
import { SPLIT_NAMES, type SplitName } from '../data/split.js';
import { learningCurveSpec, renderSvg } from '../plots/plots.js';
import { disposeOpened, predictOpened, spreadMetrics } from '../ensemble/ensemble.js';
import { predictionsToCsv, type CompoundPredictionRow } from '../predict/predictions.js';
import { writeDirectoryAtomic } from '../run/atomic.js';
import { writeReport } from '../report/report.js';
import { openModel } from '../run/open-model.js';
import { readHistory } from '../run/run-directory.js';
import { poseMetrics } from './pose-metrics.js';
import { baselineRows, evaluateRows, parityPlot, type Evaluation } from './report.js';

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Dataset folders; default: the run's own. */
  readonly data?: readonly string[];
  /** Only the compounds of this subset of the run's split (needs a run directory). @defaultValue 'all' */
  readonly split?: SplitName | 'all';
  /** SD tag whose best (lowest) pose value, negated, is the baseline, e.g. `vina_score`. */
  readonly baseline?: string;
  /** Output directory for `metrics.json`, `predictions.csv`, `plots/` and `report.html` (replaced atomically). */
  readonly out?: string;
  /** Bootstrap seed. @defaultValue the run's seed */
  readonly seed?: number;
  readonly plugins?: readonly Plugin[];
  readonly cwd?: string;
  /** Threads predicting compounds in parallel: `auto` or a count. @defaultValue the run config's `workers` */
  readonly workers?: 'auto' | number;
}

/** What {@link evaluate} found. */
export interface EvaluationResult {
  readonly evaluation: Evaluation;
  readonly rows: readonly CompoundPredictionRow[];
  /** What was evaluated, e.g. `tyk2, test split`. */
  readonly label: string;
}

/**
 * Evaluates a run or a model on dataset folders: MAE, RMSE, Pearson r, Spearman ρ and Kendall τ
 * with seeded bootstrap 95 % intervals, pooled and per folder, and the same for a docking-score
 * baseline; where poses carry `rmsd_to_reference`, the pose metric ({@link poseMetrics}); for an
 * ensemble run, the spread metrics (Spearman ρ between |error| and spread, coverage of
 * mean ± 2·spread); writes them with the predictions, a parity plot and (for a run) its learning curves.
 *
 * @param path - a run directory or a model directory
 * @param options - data, subset, baseline tag, output directory
 * @returns the metrics and predictions
 * @throws PosePoolError `E_USAGE` for a split without a run or no data; data errors name the file
 * @example
 * ```ts
 * const { evaluation } = await evaluate('runs/tyk2', { split: 'test', baseline: 'vina_score', out: 'runs/tyk2/evaluation' });
 * ```
 */
export async function evaluate(path: string, options: EvaluateOptions = {}): Promise<EvaluationResult> {
  const split = options.split ?? 'all';
  if (split !== 'all' && !SPLIT_NAMES.includes(split)) throw new PosePoolError('E_USAGE', `--split ${String(split)}: expected one of all, ${SPLIT_NAMES.join(', ')}.`);
  const opened = await openModel(path, options);
  const { config, run } = opened;
  try {
    if (split !== 'all' && run === undefined) throw new PosePoolError('E_USAGE', `--split ${split}: ${path} is a model directory, which has no split. Give the run directory, or drop --split.`);
    const folders = options.data ?? config.data.folders;
    const dataset = await loadDataset(folders, config.data);
    const keys = split === 'all' || run === undefined ? undefined : new Set(run.split[split]);
    const entries = keys === undefined ? dataset.entries : dataset.entries.filter((e) => keys.has(e.key));
    if (entries.length === 0) throw new PosePoolError('E_USAGE', `No compound of ${folders.join(', ')} is in the run's ${split} split. Pass --split all, or the run's own data.`);
    const rows = await predictOpened(opened, entries, {
      workers: options.workers ?? config.workers,
      config,
      ...(options.cwd !== undefined && { cwd: options.cwd }),
      ...(options.plugins && { pluginObjects: options.plugins }),
    });
    const seed = options.seed ?? config.seed;
    const baseline = options.baseline === undefined ? undefined : { tag: options.baseline, ...evaluateRows(baselineRows(entries, options.baseline), seed) };
    if (baseline !== undefined && baseline.pooled.n === 0) throw new PosePoolError('E_USAGE', `--baseline ${options.baseline}: no pose of ${folders.join(', ')} has that SD tag as a number. Name a tag the SD files carry (e.g. vina_score).`);
    const poses = poseMetrics(rows, entries);
    const spread = opened.members === undefined ? undefined : spreadMetrics(rows);
    const evaluation: Evaluation = { model: evaluateRows(rows, seed), ...(baseline && { baseline }), ...(poses && { poses }), ...(spread && { spread }) };
    const label = `${[...new Set(entries.map((e) => e.folder))].join(', ')}${split === 'all' ? '' : `, ${split} split`}`;
    if (options.out !== undefined) {
      const parity = await parityPlot(evaluation, rows, label);
      const history = run === undefined ? [] : await readHistory(run.dir);
      const curves = history.length === 0 ? undefined : await renderSvg(learningCurveSpec(history));
      await writeDirectoryAtomic(options.out, async (tmp) => {
        await mkdir(join(tmp, 'plots'), { recursive: true });
        await writeFile(join(tmp, 'metrics.json'), `${JSON.stringify(evaluation, null, 2)}\n`);
        await writeFile(join(tmp, 'predictions.csv'), predictionsToCsv(rows));
        if (parity !== undefined) await writeFile(join(tmp, 'plots', 'parity.svg'), parity);
        if (curves !== undefined) await writeFile(join(tmp, 'plots', 'learning-curves.svg'), curves);
        await writeReport(tmp, entries, `Evaluation of ${basename(path)} · ${label}`);
      });
    }
    return { evaluation, rows, label };
  } finally {
    disposeOpened(opened);
  }
}
