import { readFile, rm, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

import { PosePoolError } from '@posepool/core';
import { z } from 'zod';

import { readRunConfig, resolveRunConfig, runConfigToYaml, withAbsolutePaths } from '../config/load.js';
import type { RunConfig, RunConfigInput } from '../config/schema.js';
import { loadDataset, type Dataset } from '../data/dataset.js';
import { FOLD_KINDS, assignFolds, type FoldKind } from '../data/folds.js';
import { spreadMetrics, type SpreadMetrics } from '../ensemble/ensemble.js';
import { poseMetrics, type PoseMetrics } from '../evaluate/pose-metrics.js';
import { baselineRows, evaluateRows, type Evaluation, type EvaluationGroup } from '../evaluate/report.js';
import { predictionsFromCsv, predictionsToCsv, type CompoundPredictionRow } from '../predict/predictions.js';
import { writeReport } from '../report/report.js';
import { removePartials, writeFileAtomic } from '../run/atomic.js';
import { RUN_FILES, assertFreshDirectory, readStatus, writeStatus } from '../run/run-directory.js';
import { resumeRun, train, type TrainOptions } from '../train/train.js';

/**
 * The files of a cross-validation directory (besides `folds/repeat-R/fold-K/`, one run directory per fold).
 *
 * @example
 * ```ts
 * join('cv/tyk2', CV_FILES.predictions); // out-of-fold predictions
 * ```
 */
export const CV_FILES = { plan: 'cv.json', config: 'config.yaml', metrics: 'metrics.json', predictions: 'predictions.csv', status: 'status', folds: 'folds' } as const;

/** Options of {@link crossValidate}. */
export interface CrossValidationOptions extends Pick<TrainOptions, 'plugins' | 'cwd' | 'onData' | 'onStart' | 'onBatch' | 'onEpoch'> {
  /** The cross-validation directory to create. */
  readonly out: string;
  /** Dataset folders; replace `data.folders` of the config. */
  readonly data?: readonly string[];
  /** @defaultValue 5 */
  readonly folds?: number;
  /** How compounds are dealt into folds. @defaultValue 'scaffold' */
  readonly split?: FoldKind;
  /** Repeats with other fold seeds (`seed`, `seed + 1`, …). @defaultValue 1 */
  readonly repeats?: number;
  /** `folder`: one fold per folder (leave one target out). */
  readonly groupBy?: 'folder';
  /** SD tag whose best (lowest) pose value, negated, is scored as a baseline, e.g. `vina_score`. */
  readonly baseline?: string;
  /** Called before each fold trains (or resumes). */
  readonly onFold?: (fold: FoldStart) => void;
}

/** A fold about to run. */
export interface FoldStart {
  /** 1-based repeat and fold. */
  readonly repeat: number;
  readonly fold: number;
  readonly repeats: number;
  readonly folds: number;
  /** The fold's run directory. */
  readonly dir: string;
  /** `done`: finished before (kept); `resume`: continues its checkpoint; `train`: starts. */
  readonly action: 'done' | 'resume' | 'train';
}

/** The plan of a cross-validation, saved as `cv.json` so a killed one resumes with the same folds. */
export interface CrossValidationPlan {
  readonly version: 1;
  readonly split: FoldKind;
  readonly groupBy: 'folder' | null;
  readonly repeats: number;
  readonly baseline: string | null;
  /** Compound keys per repeat, per fold. */
  readonly folds: string[][][];
}

/** What `cv.json` must hold before a resume trusts it. */
const planSchema = z.strictObject({
  version: z.literal(1),
  split: z.enum(FOLD_KINDS),
  groupBy: z.literal('folder').nullable(),
  repeats: z.number().int().positive(),
  baseline: z.string().nullable(),
  folds: z.array(z.array(z.array(z.string()))).min(1),
});

/** One fold's held-out metrics. */
export interface FoldMetrics {
  readonly repeat: number;
  readonly fold: number;
  /** The fold's run directory, relative to the cross-validation directory. */
  readonly dir: string;
  readonly model: EvaluationGroup;
  readonly poses?: PoseMetrics;
  /** An ensemble's (`ensemble` > 1): how well the spread of the fold's members tells their mean's error. */
  readonly spread?: SpreadMetrics;
}

/** What {@link crossValidate} writes to `metrics.json`. */
export interface CrossValidationMetrics {
  readonly folds: readonly FoldMetrics[];
  /** Per repeat: all its out-of-fold predictions. */
  readonly repeats: ReadonlyArray<Omit<Evaluation, 'baseline'> & { readonly repeat: number }>;
  /**
   * Every compound once, predicted by the mean of its out-of-fold predictions over the repeats; per
   * folder and pooled. Its `poses` and, for an ensemble, `spread` are over every out-of-fold
   * prediction (each compound once per repeat): a spread belongs to the ensemble that predicted it.
   */
  readonly pooled: Evaluation;
}

/** A finished cross-validation. */
export interface CrossValidationResult {
  readonly dir: string;
  readonly metrics: CrossValidationMetrics;
  /** Out-of-fold predictions, with their repeat and fold. */
  readonly rows: ReadonlyArray<CompoundPredictionRow & { readonly repeat: number; readonly fold: number }>;
  /** The compounds cross-validated (with their SD tags). */
  readonly dataset: Dataset;
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

type FoldRow = CompoundPredictionRow & { repeat: number; fold: number };

/** Trains a fold (or resumes it, or takes it as finished) and reads back its held-out predictions. */
async function runFold(dir: string, config: RunConfig, plan: CrossValidationPlan, at: { repeat: number; fold: number }, dataset: Dataset, options: Omit<CrossValidationOptions, 'out' | 'data'>): Promise<FoldRow[]> {
  const test = plan.folds[at.repeat - 1]![at.fold - 1]!;
  const runDir = join(dir, CV_FILES.folds, `repeat-${at.repeat}`, `fold-${at.fold}`);
  // An ensemble's fold keeps its checkpoints under members/, none of its own: unless done, it trains again from nothing.
  const started = await exists(join(runDir, RUN_FILES.checkpoint, 'state.json'));
  const action = (await readStatus(runDir))?.state === 'done' ? 'done' : started ? 'resume' : 'train';
  options.onFold?.({ ...at, repeats: plan.folds.length, folds: plan.folds[at.repeat - 1]!.length, dir: runDir, action });
  const { plugins, cwd, onStart, onBatch, onEpoch } = options;
  const callbacks = { ...(plugins && { plugins }), ...(cwd && { cwd }), ...(onStart && { onStart }), ...(onBatch && { onBatch }), ...(onEpoch && { onEpoch }), dataset };
  if (action === 'resume') await resumeRun(runDir, callbacks);
  if (action === 'train') {
    // A fold killed before its first checkpoint starts again from nothing.
    await rm(runDir, { recursive: true, force: true });
    const held = new Set(test);
    const training = dataset.entries.map((e) => e.key).filter((key) => !held.has(key));
    await train(config, { ...callbacks, out: runDir, split: { train: training, validation: [], test: [...test] } });
  }
  const rows = predictionsFromCsv(await readFile(join(runDir, RUN_FILES.predictions), 'utf8'));
  return rows.filter((row) => row.split === 'test').map(({ split: _, ...row }) => ({ ...row, ...at }));
}

/** Scores out-of-fold predictions: per fold, per repeat, and every compound once (the mean over repeats). */
function scoreFolds(rows: readonly FoldRow[], plan: CrossValidationPlan, dataset: Dataset, seed: number): CrossValidationMetrics {
  const score = (subset: readonly FoldRow[]) => {
    const poses = poseMetrics(subset, dataset.entries);
    const spread = spreadMetrics(subset);
    return { model: evaluateRows(subset, seed), ...(poses && { poses }), ...(spread && { spread }) };
  };
  const folds = plan.folds.flatMap((repeat, r) =>
    repeat.map((_, k) => ({ repeat: r + 1, fold: k + 1, dir: join(CV_FILES.folds, `repeat-${r + 1}`, `fold-${k + 1}`), ...score(rows.filter((row) => row.repeat === r + 1 && row.fold === k + 1)) })),
  );
  const repeats = plan.folds.map((_, r) => ({ repeat: r + 1, ...score(rows.filter((row) => row.repeat === r + 1)) }));
  const byKey = new Map<string, FoldRow[]>();
  for (const row of rows) byKey.set(`${row.folder}/${row.id}`, [...(byKey.get(`${row.folder}/${row.id}`) ?? []), row]);
  // The mean over repeats has no spread of its own: an ensemble's spread is scored with that ensemble's mean, below.
  const averaged = [...byKey.values()].map((group) => {
    const { spread: _, ...first } = group[0]!;
    return { ...first, predicted: group.reduce((s, row) => s + row.predicted, 0) / group.length };
  });
  const baseline = plan.baseline === null ? undefined : { tag: plan.baseline, ...evaluateRows(baselineRows(dataset.entries, plan.baseline), seed) };
  const poses = poseMetrics(rows, dataset.entries);
  const spread = spreadMetrics(rows);
  return { folds, repeats, pooled: { model: evaluateRows(averaged, seed), ...(baseline && { baseline }), ...(poses && { poses }), ...(spread && { spread }) } };
}

/** Out-of-fold predictions as CSV: `repeat,fold,` then the columns of {@link predictionsToCsv}. */
function foldRowsToCsv(rows: readonly FoldRow[]): string {
  const lines = predictionsToCsv(rows.map(({ repeat: _r, fold: _f, ...row }) => row)).split('\n');
  let line = 0;
  return `${[`repeat,fold,${lines[0]}`, ...rows.flatMap((row) => row.poses.map(() => `${row.repeat},${row.fold},${lines[++line]}`))].join('\n')}\n`;
}

/** Runs every fold in order, then writes the out-of-fold predictions and metrics; the status says how it ended. */
async function runFolds(dir: string, config: RunConfig, plan: CrossValidationPlan, dataset: Dataset, options: Omit<CrossValidationOptions, 'out' | 'data'>): Promise<CrossValidationResult> {
  await writeStatus(dir, { state: 'running' });
  try {
    const rows: FoldRow[] = [];
    for (const [r, repeat] of plan.folds.entries()) {
      for (const k of repeat.keys()) rows.push(...(await runFold(dir, config, plan, { repeat: r + 1, fold: k + 1 }, dataset, options)));
    }
    const metrics = scoreFolds(rows, plan, dataset, config.seed);
    await writeFileAtomic(join(dir, CV_FILES.predictions), foldRowsToCsv(rows));
    await writeFileAtomic(join(dir, CV_FILES.metrics), `${JSON.stringify(metrics, null, 2)}\n`);
    const repeats = plan.folds.length > 1 ? ` · ${plan.folds.length} repeats` : '';
    await writeReport(dir, dataset.entries, `Cross-validation ${basename(dir)} · ${plan.folds[0]!.length} folds${repeats} · out-of-fold predictions`);
    await writeStatus(dir, { state: 'done' });
    return { dir, metrics, rows, dataset };
  } catch (error) {
    await writeStatus(dir, { state: 'failed', reason: `${(error as Error).message} Resume with: posepool cv --resume ${dir}` });
    throw error;
  }
}

/**
 * K-fold cross-validation of a run config: compounds are dealt into folds ({@link assignFolds};
 * seeded, so every config given the same seed, data and options gets the same folds), each fold
 * is held out of one training run (`folds/repeat-R/fold-K/`, a normal run directory with that
 * fold as its test split and no validation set), and the held-out predictions are scored: per
 * fold, per repeat, and pooled over every compound (per folder and over all), with bootstrap 95 %
 * intervals, the pose metric where poses carry `rmsd_to_reference`, and a docking-score baseline
 * when asked. With `ensemble` K > 1 every fold trains an ensemble: its held-out predictions are
 * the members' mean with their spread, and the metrics add the spread metrics. Writes `cv.json` (the folds), `config.yaml`, out-of-fold `predictions.csv`
 * (with `repeat` and `fold` columns), `metrics.json`, `report.html` and `status`. What `posepool cv` does.
 *
 * @param config - the run config (partial; defaults fill the rest)
 * @param options - the directory, data folders, folds, split kind, repeats, grouping, callbacks
 * @returns the metrics and the out-of-fold predictions
 * @throws PosePoolError `E_RUN_DIR` when `out` is not empty; InputError for data or fold problems
 * @example
 * ```ts
 * const { metrics } = await crossValidate({ epochs: 10 }, { data: ['data/p38', 'data/tyk2'], out: 'cv/two', folds: 5, split: 'scaffold' });
 * metrics.pooled.model.pooled.spearman; // { value, low, high }
 * ```
 */
export async function crossValidate(config: RunConfigInput | RunConfig, options: CrossValidationOptions): Promise<CrossValidationResult> {
  const cwd = options.cwd ?? process.cwd();
  const full = withAbsolutePaths(resolveRunConfig(config), cwd, options.data);
  const folders = full.data.folders;
  const dir = resolve(cwd, options.out);
  await assertFreshDirectory(dir);
  const repeats = options.repeats ?? 1;
  if (!Number.isInteger(repeats) || repeats < 1) throw new PosePoolError('E_USAGE', `--repeats ${repeats}: need a positive integer.`);
  const dataset = await loadDataset(folders, full.data, options.onData);
  if (options.baseline !== undefined && baselineRows(dataset.entries, options.baseline).length === 0) {
    throw new PosePoolError('E_USAGE', `--baseline ${options.baseline}: no pose of ${folders.join(', ')} has that SD tag as a number. Name a tag the SD files carry (e.g. vina_score).`);
  }
  const kind = options.split ?? 'scaffold';
  const folds: string[][][] = [];
  for (let r = 0; r < repeats; r++) {
    folds.push(await assignFolds(dataset.entries, { folds: options.folds ?? 5, kind, seed: full.seed + r, ...(options.groupBy && { groupBy: options.groupBy }), dateColumn: full.split.dateColumn, ...(full.data.idColumn && { idColumn: full.data.idColumn }) }));
  }
  const plan: CrossValidationPlan = { version: 1, split: kind, groupBy: options.groupBy ?? null, repeats, baseline: options.baseline ?? null, folds };
  await writeFileAtomic(join(dir, CV_FILES.config), runConfigToYaml(full));
  await writeFileAtomic(join(dir, CV_FILES.plan), `${JSON.stringify(plan, null, 2)}\n`);
  return runFolds(dir, full, plan, dataset, options);
}

/**
 * Continues a killed cross-validation with its saved config and folds: finished folds are kept,
 * the fold in progress resumes from its checkpoint (an ensemble's fold trains again from nothing),
 * the rest train.
 *
 * @param dir - the cross-validation directory
 * @param options - plugins and callbacks
 * @returns the finished cross-validation
 * @throws PosePoolError `E_RUN_DIR` when the directory holds no cross-validation, or its data changed
 * @example
 * ```ts
 * await resumeCrossValidation('cv/two');
 * ```
 */
export async function resumeCrossValidation(dir: string, options: Omit<CrossValidationOptions, 'out' | 'data' | 'folds' | 'split' | 'repeats' | 'groupBy' | 'baseline'> = {}): Promise<CrossValidationResult> {
  const resolved = resolve(dir);
  const text = await readFile(join(resolved, CV_FILES.plan), 'utf8').catch(() => undefined);
  if (text === undefined) throw new PosePoolError('E_RUN_DIR', `--resume ${dir}: no ${CV_FILES.plan}, so not a cross-validation directory. Give the --out of an earlier 'posepool cv'.`);
  let plan: CrossValidationPlan;
  try {
    plan = planSchema.parse(JSON.parse(text));
  } catch (cause) {
    throw new PosePoolError('E_RUN_DIR', `${join(resolved, CV_FILES.plan)}: not a plan 'posepool cv' wrote (${(cause as Error).message.split('\n')[0]}). Start the cross-validation again with a new --out.`, { cause });
  }
  const config = await readRunConfig(join(resolved, CV_FILES.config));
  await removePartials(resolved);
  const dataset = await loadDataset(config.data.folders, config.data, options.onData);
  const keys = new Set(dataset.entries.map((e) => e.key));
  const missing = plan.folds.flat(2).find((key) => !keys.has(key));
  if (missing !== undefined) throw new PosePoolError('E_RUN_DIR', `${join(resolved, CV_FILES.plan)}: compound '${missing}' is not in the data any more. Resume with the data folders unchanged.`);
  return runFolds(resolved, config, plan, dataset, options);
}
