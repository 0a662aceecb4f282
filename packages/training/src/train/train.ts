import { mkdir, readFile, readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

import { PosePoolError, buildModel, saveModel, useBackend, type MultiPoseModel, type Plugin } from '@posepool/core';
import type { SkippedItem } from '@posepool/featurizers';

import { readRunConfig, resolveRunConfig, runConfigToYaml, withAbsolutePaths } from '../config/load.js';
import type { RunConfig, RunConfigInput } from '../config/schema.js';
import { loadDataset, withPoseLabels, type Dataset, type DatasetEntry } from '../data/dataset.js';
import { SPLIT_NAMES, splitDataset, type Split, type SplitName } from '../data/split.js';
import { memberConfig, memberDirectories, predictOpened, disposeOpened, spreadMetrics, type SpreadMetrics } from '../ensemble/ensemble.js';
import { evaluateRows, parityPlot, type EvaluationGroup } from '../evaluate/report.js';
import { learningCurveSpec, renderSvg } from '../plots/plots.js';
import { importPlugins, runRegistry } from '../plugins.js';
import { predictEntriesInParallel, predictionsToCsv } from '../predict/predictions.js';
import { writeReport } from '../report/report.js';
import { removePartials, writeDirectoryAtomic, writeFileAtomic } from '../run/atomic.js';
import { openModel } from '../run/open-model.js';
import { RUN_FILES, assertFreshDirectory, readStatus, writeStatus } from '../run/run-directory.js';
import { initialTrainingState, readCheckpoint, restoreWeights, snapshotWeights, writeCheckpoint, type EpochRecord, type TrainingState } from './checkpoint.js';
import { centerTarget } from './center.js';
import { initializeRun, parametersUnder, savedModelConfig } from './init.js';
import { measurementError, runLoss } from './losses.js';
import { runEpochs, type BatchProgress } from './loop.js';
import { RunOptimizer } from './optimizer.js';
import { LearningRateSchedule } from './schedule.js';
import { ComputePool } from '../workers/pool.js';
import { workerCount } from '../workers/protocol.js';

/** What a run starts with, for progress displays. */
export interface RunStart {
  readonly dir: string;
  /** Compounds per subset. */
  readonly compounds: Readonly<Record<SplitName, number>>;
  readonly poses: number;
  readonly parameters: number;
  readonly epochs: number;
  /** Epochs already done (resumed runs). */
  readonly startEpoch: number;
  readonly batchesPerEpoch: number;
  /** Compounds left out by the pose filter. */
  readonly skipped: readonly SkippedItem[];
  /** What the featurizer reported without refusing anything (e.g. a co-crystallised ligand dropped from the protein). */
  readonly warnings: readonly string[];
  /** The saved model the run started from (`init.model`), or `null`. */
  readonly init: string | null;
  /** For a member of an ensemble: the ensemble's directory (the one to resume), the 0-based member and how many there are. */
  readonly ensemble?: { readonly dir: string; readonly member: number; readonly members: number };
}

/** Options of {@link train} and {@link resumeRun}. */
export interface TrainOptions {
  /** The run directory: created (it must not exist or be empty) or resumed. */
  readonly out: string;
  /** Dataset folders; replace `data.folders` of the config. */
  readonly data?: readonly string[];
  /** A split to use instead of the config's (cross-validation folds); saved in `split.json` like any other. */
  readonly split?: Split;
  /** The already loaded data of `data` (cross-validation loads it once for all folds); default: loaded here. */
  readonly dataset?: Dataset;
  /** Plugins to register besides the config's `plugins` (already imported). */
  readonly plugins?: readonly Plugin[];
  /** Where relative plugin paths resolve. @defaultValue process.cwd() */
  readonly cwd?: string;
  readonly onData?: (folder: string, done: number, total: number) => void;
  readonly onStart?: (start: RunStart) => void;
  readonly onBatch?: (progress: BatchProgress) => void;
  readonly onEpoch?: (record: EpochRecord) => void;
  /** Replaces the config's `workers` (a resumed run gives the same weights with any count, see {@link RunConfig}). */
  readonly workers?: 'auto' | number;
  /**
   * A saved model or finished run directory to start from; replaces the config's `init.model`
   * (what `posepool train --init` sets). Relative to `cwd`; saved absolute in `config.yaml`.
   */
  readonly init?: string;
  /** Members of an ensemble to train; replaces the config's `ensemble` (what `posepool train --ensemble` sets). */
  readonly ensemble?: number;
}

/** Metrics of a finished run. */
export interface RunMetrics {
  /** The epoch whose weights were kept: the best validation loss, or the last epoch without a validation set. */
  readonly bestEpoch: number;
  readonly epochs: number;
  readonly stoppedEarly: boolean;
  /** Per subset with compounds: pooled and per-folder metrics with bootstrap intervals. */
  readonly splits: Partial<Record<SplitName, EvaluationGroup>>;
}

/**
 * Metrics of a finished ensemble run (`metrics.json`).
 *
 * @example
 * ```ts
 * const run = await train({ ensemble: 5 }, { data: ['examples/data/tyk2'], out: 'runs/ensemble' });
 * if ('members' in run.metrics) console.log(run.metrics.spread.validation?.coverage);
 * ```
 */
export interface EnsembleMetrics {
  /** Each member's kept epoch, epochs and early stop, in member order (each member's own metrics are in its `members/i/metrics.json`). */
  readonly members: ReadonlyArray<Pick<RunMetrics, 'bestEpoch' | 'epochs' | 'stoppedEarly'>>;
  /** Per subset with compounds: pooled and per-folder metrics of the members' mean prediction. */
  readonly splits: Partial<Record<SplitName, EvaluationGroup>>;
  /** Per subset with measured compounds: how well the members' spread tells the error. */
  readonly spread: Partial<Record<SplitName, SpreadMetrics>>;
}

/** A finished run. */
export interface RunResult {
  readonly dir: string;
  readonly config: RunConfig;
  /** The epochs; empty for an ensemble (each member's are in its `members/i/history.jsonl`). */
  readonly history: readonly EpochRecord[];
  /** A single model's metrics, or an ensemble's (with `members`). */
  readonly metrics: RunMetrics | EnsembleMetrics;
}

/** Checks a saved split still matches the data. */
function checkSplit(split: Split, entries: readonly DatasetEntry[], dir: string): void {
  const keys = new Set(entries.map((e) => e.key));
  const missing = SPLIT_NAMES.flatMap((s) => split[s]).find((k) => !keys.has(k));
  if (missing !== undefined) throw new PosePoolError('E_RUN_DIR', `${join(dir, RUN_FILES.split)}: compound '${missing}' is not in the data any more. Resume with the run's data folders unchanged.`);
}

/** The SD tags the loss reads per pose. */
function lossPoseLabels(loss: RunConfig['loss']): string[] {
  return [loss.poseLabel?.label, loss.poseCrossEntropy?.label].filter((label): label is string => label !== undefined);
}

/** Checks, before training, that the data has what the loss terms need: a σ per compound for gaussianNll, the pose label of poseCrossEntropy on some training compound. */
function checkLossData(config: RunConfig, train: readonly DatasetEntry[], validation: readonly DatasetEntry[]): void {
  const nll = config.loss.gaussianNll;
  if (nll !== null) {
    for (const entry of [...train, ...validation]) {
      try {
        measurementError(entry.compound, nll.defaultError);
      } catch {
        const column = config.data.errorColumn === undefined ? 'no data.errorColumn is set' : `its data.errorColumn '${config.data.errorColumn}' cell is empty`;
        throw new PosePoolError('E_INPUT', `Compound '${entry.compound.id}' of ${entry.folder} has no measurement error (${column}), which loss.gaussianNll needs. Fill the cell, or set loss.gaussianNll.defaultError.`);
      }
    }
  }
  const entropy = config.loss.poseCrossEntropy;
  if (entropy !== null && !train.some((e) => e.compound.poseLabels?.[entropy.label] !== undefined)) {
    throw new PosePoolError('E_RUN_CONFIG', `loss.poseCrossEntropy.label: no training compound has a numeric SD tag '${entropy.label}' on every pose, so the term would add nothing. Name a tag the poses carry (e.g. rmsd_to_reference).`);
  }
}

/** Writes what a finished (or failed) run leaves: model, predictions, metrics, plots. */
async function finish(dir: string, model: MultiPoseModel, config: RunConfig, entries: readonly DatasetEntry[], split: Split, state: TrainingState, pool: ComputePool | undefined): Promise<RunMetrics> {
  const splitOf = new Map(SPLIT_NAMES.flatMap((s) => split[s].map((k) => [k, s] as const)));
  const rows = await predictEntriesInParallel(model, entries, { workers: 1, config, splitOf, ...(pool && { pool }) });
  const splits: RunMetrics['splits'] = {};
  const plots: Record<string, string> = {};
  for (const name of SPLIT_NAMES) {
    const subset = rows.filter((r) => r.split === name);
    if (subset.length === 0) continue;
    const evaluation = { model: evaluateRows(subset, config.seed) };
    splits[name] = evaluation.model;
    const svg = await parityPlot(evaluation, subset, name);
    if (svg !== undefined) plots[`parity-${name}.svg`] = svg;
  }
  if (state.history.length > 0) plots['learning-curves.svg'] = await renderSvg(learningCurveSpec(state.history));
  const kept = split.validation.length > 0 && state.best.weights !== null ? state.best.epoch : state.history.length;
  const metrics: RunMetrics = { bestEpoch: kept, epochs: state.history.length, stoppedEarly: state.stopped, splits };
  await writeDirectoryAtomic(join(dir, RUN_FILES.model), (tmp) => saveModel(model, tmp));
  await writeFileAtomic(join(dir, RUN_FILES.predictions), predictionsToCsv(rows));
  await writeFileAtomic(join(dir, RUN_FILES.metrics), `${JSON.stringify(metrics, null, 2)}\n`);
  for (const [name, svg] of Object.entries(plots)) await writeFileAtomic(join(dir, RUN_FILES.plots, name), svg);
  await writeReport(dir, entries, `Training run ${basename(dir)} · ${[...new Set(entries.map((e) => e.folder))].join(', ')}`);
  return metrics;
}

async function execute(config: RunConfig, dir: string, fresh: boolean, options: TrainOptions): Promise<RunResult & { metrics: RunMetrics }> {
  await useBackend(config.backend);
  const registry = runRegistry([...(options.plugins ?? []), ...(await importPlugins(config.plugins, options.cwd))]);
  const loaded = options.dataset ?? (await loadDataset(config.data.folders, config.data, options.onData));
  const dataset: Dataset = { ...loaded, entries: withPoseLabels(loaded.entries, lossPoseLabels(config.loss)) };
  const split: Split = fresh
    ? (options.split ?? (await splitDataset(dataset.entries, config.split, config.seed, config.data.idColumn)))
    : (JSON.parse(await readFile(join(dir, RUN_FILES.split), 'utf8')) as Split);
  checkSplit(split, dataset.entries, dir);
  const byKey = new Map(dataset.entries.map((e) => [e.key, e]));
  const [trainSet, validation] = [split.train.map((k) => byKey.get(k)!), split.validation.map((k) => byKey.get(k)!)];
  if (trainSet.length === 0) throw new PosePoolError('E_RUN_CONFIG', `The split leaves no training compound (${dataset.entries.length} in all). Lower split.validation and split.test, or add data.`);
  checkLossData(config, trainSet, validation);

  if (config.init.model === null && config.init.reinitialize.length > 0) {
    throw new PosePoolError('E_RUN_CONFIG', 'init.reinitialize needs a saved model to start from: set init.model (or pass --init), or drop init.reinitialize.');
  }
  const model = buildModel(config.model, registry);
  const optimizer = new RunOptimizer(config.optimizer);
  const workers = workerCount(options.workers ?? config.workers, Math.min(config.batchSize, trainSet.length));
  let pool: ComputePool | undefined;
  let state: TrainingState | undefined;
  try {
    const frozen = parametersUnder(model, config.init.freeze, 'init.freeze', true);
    if (fresh) {
      // The saved weights start a fresh run only: a resumed one takes its checkpoint's.
      const reinitialized = config.init.model === null ? undefined : await initializeRun(model, config.init, registry);
      await mkdir(dir, { recursive: true });
      await writeFileAtomic(join(dir, RUN_FILES.config), runConfigToYaml(config));
      await writeFileAtomic(join(dir, RUN_FILES.split), `${JSON.stringify(split, null, 2)}\n`);
      // A pre-trained output already sits at its targets' level: centring moves it only when the bias is re-initialised.
      if (config.centerTarget) centerTarget(model, trainSet.map((e) => e.compound), (path) => reinitialized?.has(path) ?? true);
      state = initialTrainingState(config);
    } else {
      const checkpoint = await readCheckpoint(dir);
      restoreWeights(model.trainableVariables(), checkpoint.weights);
      await optimizer.restore(checkpoint.optimizer);
      state = checkpoint.state;
    }
    const current = state;
    const save = async (): Promise<void> => writeCheckpoint(dir, { version: 1, state: current, weights: snapshotWeights(model.trainableVariables()), optimizer: await optimizer.state() });
    if (fresh) await save();
    await writeStatus(dir, { state: 'running' });
    options.onStart?.({
      dir,
      compounds: { train: split.train.length, validation: split.validation.length, test: split.test.length },
      poses: trainSet.reduce((n, e) => n + e.compound.poses.length, 0),
      parameters: model.countParameters(),
      epochs: config.epochs,
      startEpoch: current.epoch,
      batchesPerEpoch: Math.ceil(trainSet.length / config.batchSize),
      skipped: dataset.skipped,
      warnings: dataset.warnings,
      init: config.init.model,
    });
    if (workers > 1) pool = await ComputePool.start({ workers, model, config, cwd: options.cwd ?? process.cwd(), entries: dataset.entries, pluginObjects: options.plugins ?? [] });
    await runEpochs({
      ...(pool && { pool }),
      model,
      config,
      train: trainSet,
      validation,
      loss: runLoss(config.loss),
      optimizer,
      schedule: new LearningRateSchedule(config.schedule, config.optimizer.learningRate, config.epochs, current.schedule),
      state: current,
      checkpoint: save,
      frozen,
      ...(options.onBatch && { onBatch: options.onBatch }),
      onEpoch: async (record) => {
        await writeFileAtomic(join(dir, RUN_FILES.history), current.history.map((r) => JSON.stringify(r)).join('\n') + '\n');
        options.onEpoch?.(record);
      },
    });
    if (validation.length > 0 && current.best.weights !== null) restoreWeights(model.trainableVariables(), current.best.weights);
    const metrics = await finish(dir, model, config, dataset.entries, split, current, pool);
    await writeStatus(dir, { state: 'done' });
    return { dir, config, history: current.history, metrics };
  } catch (error) {
    if (state !== undefined) {
      // Keep the last good weights: a NaN/Inf check fails before the optimizer step.
      if (error instanceof PosePoolError && error.code === 'E_NONFINITE') await writeDirectoryAtomic(join(dir, RUN_FILES.model), (tmp) => saveModel(model, tmp));
      await writeStatus(dir, { state: 'failed', reason: (error as Error).message });
    }
    throw error;
  } finally {
    await pool?.close();
    optimizer.dispose();
    model.dispose();
  }
}

/** Writes what a finished ensemble leaves: the members' mean predictions with their spread, metrics, parity plots, report. */
async function finishEnsemble(dir: string, config: RunConfig, entries: readonly DatasetEntry[], split: Split, members: EnsembleMetrics['members'], options: TrainOptions): Promise<EnsembleMetrics> {
  const opened = await openModel(dir, { ...(options.plugins && { plugins: options.plugins }), ...(options.cwd !== undefined && { cwd: options.cwd }) });
  try {
    const splitOf = new Map(SPLIT_NAMES.flatMap((s) => split[s].map((k) => [k, s] as const)));
    const workers = options.workers ?? config.workers;
    const rows = await predictOpened(opened, entries, { workers, config, splitOf, ...(options.cwd !== undefined && { cwd: options.cwd }), ...(options.plugins && { pluginObjects: options.plugins }) });
    const splits: EnsembleMetrics['splits'] = {};
    const spread: Record<string, SpreadMetrics> = {};
    const plots: Record<string, string> = {};
    for (const name of SPLIT_NAMES) {
      const subset = rows.filter((r) => r.split === name);
      if (subset.length === 0) continue;
      splits[name] = evaluateRows(subset, config.seed);
      const s = spreadMetrics(subset);
      if (s !== undefined) spread[name] = s;
      const svg = await parityPlot({ model: splits[name] }, subset, `${name} (mean of ${members.length} members)`);
      if (svg !== undefined) plots[`parity-${name}.svg`] = svg;
    }
    const metrics: EnsembleMetrics = { members, splits, spread };
    await writeFileAtomic(join(dir, RUN_FILES.predictions), predictionsToCsv(rows));
    await writeFileAtomic(join(dir, RUN_FILES.metrics), `${JSON.stringify(metrics, null, 2)}\n`);
    for (const [name, svg] of Object.entries(plots)) await writeFileAtomic(join(dir, RUN_FILES.plots, name), svg);
    await writeReport(dir, entries, `Ensemble run ${basename(dir)} · ${members.length} members · ${[...new Set(entries.map((e) => e.folder))].join(', ')}`);
    return metrics;
  } finally {
    disposeOpened(opened);
  }
}

/**
 * Trains (or continues) an ensemble: one split for all, then each member as a run directory of
 * its own under `members/` (a finished member is kept, a started one resumed), then the mean
 * predictions with their spread.
 */
async function executeEnsemble(config: RunConfig, dir: string, fresh: boolean, options: TrainOptions): Promise<RunResult> {
  const dataset = options.dataset ?? (await loadDataset(config.data.folders, config.data, options.onData));
  const split: Split = fresh
    ? (options.split ?? (await splitDataset(dataset.entries, config.split, config.seed, config.data.idColumn)))
    : (JSON.parse(await readFile(join(dir, RUN_FILES.split), 'utf8')) as Split);
  checkSplit(split, dataset.entries, dir);
  if (fresh) {
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(join(dir, RUN_FILES.config), runConfigToYaml(config));
    await writeFileAtomic(join(dir, RUN_FILES.split), `${JSON.stringify(split, null, 2)}\n`);
  }
  await writeStatus(dir, { state: 'running' });
  try {
    const members: Array<EnsembleMetrics['members'][number]> = [];
    for (const [i, memberDir] of memberDirectories(dir, config.ensemble).entries()) {
      if ((await readStatus(memberDir))?.state === 'done') {
        const { bestEpoch, epochs, stoppedEarly } = JSON.parse(await readFile(join(memberDir, RUN_FILES.metrics), 'utf8')) as RunMetrics;
        members.push({ bestEpoch, epochs, stoppedEarly });
        continue;
      }
      await removePartials(memberDir).catch(() => undefined); // none when the member has not begun
      // A member killed before its first checkpoint starts again from its config.
      const started = (await readdir(join(memberDir, RUN_FILES.checkpoint)).catch(() => [] as string[])).length > 0;
      const { onStart } = options;
      const member = { ...options, out: memberDir, dataset, split, ...(onStart && { onStart: (start: RunStart) => onStart({ ...start, ensemble: { dir, member: i, members: config.ensemble } }) }) };
      const { metrics } = await execute(memberConfig(config, i), memberDir, !started, member);
      members.push({ bestEpoch: metrics.bestEpoch, epochs: metrics.epochs, stoppedEarly: metrics.stoppedEarly });
    }
    const metrics = await finishEnsemble(dir, config, dataset.entries, split, members, options);
    await writeStatus(dir, { state: 'done' });
    return { dir, config, history: [], metrics };
  } catch (error) {
    await writeStatus(dir, { state: 'failed', reason: (error as Error).message });
    throw error;
  }
}

/**
 * Trains a model as a run directory: resolved `config.yaml`, `split.json`, `checkpoint/` (each
 * epoch, atomic), `history.jsonl`, `model/`, `predictions.csv`, `metrics.json`, `plots/*.svg`,
 * `report.html` and `status`. What `posepool train` does. With `init.model` (or `options.init`) the
 * model starts from a saved model's weights (see the run config's `init`). With `ensemble` K > 1
 * (or `options.ensemble`) it trains K members, each a run directory of its own under
 * `members/0` … `members/K-1` (seeds seed + i, one split), and writes their mean predictions with
 * the spread, the metrics of the mean and the spread metrics.
 *
 * @param config - the run config (partial; defaults fill the rest)
 * @param options - the run directory, data folders, plugins, progress callbacks
 * @returns the config, the history and the final metrics
 * @throws PosePoolError or InputError naming what is wrong and the fix; `status` then reads `failed: …`
 * @example
 * ```ts
 * const run = await train({ epochs: 5 }, { data: ['examples/data/tyk2'], out: 'runs/tyk2', onEpoch: (r) => console.log(r.trainLoss) });
 * ```
 */
export async function train(config: RunConfigInput | RunConfig, options: TrainOptions): Promise<RunResult> {
  const cwd = options.cwd ?? process.cwd();
  const resolved = withAbsolutePaths(resolveRunConfig(config), cwd, options.data);
  const initPath = options.init ?? resolved.init.model;
  const init = { ...resolved.init, model: initPath === null ? null : resolve(cwd, initPath) };
  // Started from a saved model without a model section of its own: the saved model's architecture.
  const model = init.model !== null && (config as { model?: unknown }).model === undefined ? await savedModelConfig(init.model) : resolved.model;
  const ensemble = options.ensemble ?? resolved.ensemble;
  if (!Number.isInteger(ensemble) || ensemble < 1) throw new PosePoolError('E_RUN_CONFIG', `ensemble ${ensemble}: expected a whole number of members, at least 1.`);
  const dir = resolve(cwd, options.out);
  await assertFreshDirectory(dir);
  const full: RunConfig = { ...resolved, model, init, ensemble };
  return ensemble > 1 ? executeEnsemble(full, dir, true, options) : execute(full, dir, true, options);
}

/**
 * Continues a run from its last checkpoint, with its saved config and split (a run killed before
 * its first checkpoint starts again from its saved config). The result is the same, byte for
 * byte, as if the run had never stopped.
 *
 * @param dir - the run directory
 * @param options - plugins and progress callbacks (`out` and `data` are the run's own)
 * @returns the finished run
 * @throws PosePoolError `E_RUN_DIR` when the directory holds no resumable run
 * @example
 * ```ts
 * await resumeRun('runs/tyk2');
 * ```
 */
export async function resumeRun(dir: string, options: Omit<TrainOptions, 'out' | 'data'> = {}): Promise<RunResult> {
  const resolved = resolve(dir);
  const entries = await readdir(resolved).catch(() => undefined);
  if (entries === undefined) throw new PosePoolError('E_RUN_DIR', `--resume ${dir}: no such run directory. Give the --out of an earlier 'posepool train'.`);
  if (!entries.includes(RUN_FILES.config)) throw new PosePoolError('E_RUN_DIR', `--resume ${dir}: no ${RUN_FILES.config}, so not a run directory. Give the --out of an earlier 'posepool train'.`);
  const config = await readRunConfig(join(resolved, RUN_FILES.config));
  await removePartials(resolved);
  // An ensemble: its members resume (or start) one by one; it has started once its split is saved.
  if (config.ensemble > 1) return executeEnsemble(config, resolved, !entries.includes(RUN_FILES.split), { ...options, out: resolved });
  // Killed before its first checkpoint: start it again in place, from the saved config.
  const started = (await readdir(join(resolved, RUN_FILES.checkpoint)).catch(() => [] as string[])).length > 0;
  return execute(config, resolved, !started, { ...options, out: resolved });
}
