// Quality benchmark: does the multi-pose model rank compounds better than the docking score, a
// single-pose model and a ligand-only GAT? 5-fold scaffold cross-validation on the 5 targets of
// ../shared/data: folds dealt within each target with one seed, so every variant sees the same
// folds; one model per fold, trained on the training compounds of all targets. Headline: docked
// poses only (pose_source = vina); beside it the multi-pose variants with the reference pose kept.
// Writes bench/results/quality.json (its `preset` says which). Run:
//   pnpm --filter @posepool/bench run bench:quality             (full preset)
//   pnpm --filter @posepool/bench run bench:quality -- --quick  (quick preset: 8 min of CPU time)
//   pnpm --filter @posepool/bench run bench:quality -- --only default,single_top_pose  (some variants: quality-only.json)
//   pnpm --filter @posepool/bench run bench:quality -- --config sweep/pose-labels.yaml  (the default with a config's changes: quality-sweep-pose-labels.json)
//   pnpm --filter @posepool/bench run bench:quality -- --loto  (leave one target out: pre-train on four, fine-tune on the fifth's folds: quality-loto.json)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { crossValidate, metricReport, poseMetrics, predict, readRunConfigInput, resolveRunConfig, runConfigSchema, train, type CrossValidationResult, type MetricReport, type RunConfigInput } from '@posepool/training';

import { machine, sharedPath, writeResult } from './lib.js';

tf.enableProdMode();
const shared = sharedPath('data');
if (shared === undefined) throw new Error('bench:quality needs ../shared/data (no synthetic fallback: metrics on random poses mean nothing).');
const quick = process.argv.includes('--quick');
// --only a,b: just these variants (and the docking score), written to quality-only.json.
const onlyAt = process.argv.indexOf('--only');
// --config file: one variant, `sweep`: the default with the file's keys changed (a sweep over defaults), beside the docking score.
const configAt = process.argv.indexOf('--config');
const sweepFile = configAt < 0 ? undefined : process.argv[configAt + 1];
const sweep = sweepFile === undefined ? undefined : await readRunConfigInput(sweepFile);
const only = sweep !== undefined ? ['sweep'] : onlyAt < 0 ? undefined : process.argv[onlyAt + 1]?.split(',');
const wanted = (name: string): boolean => only === undefined || only.includes(name);
const TARGETS = ['p38', 'mcl1', 'ptp1b', 'tyk2', 'cdk8'];
const FOLDS = 5;
const SEED = 1;
const folders = TARGETS.map((t) => join(shared, t));
const defaults = runConfigSchema.parse({});

/**
 * The presets: poses per compound (the first k by pose_index: the reference is 0, then Vina's
 * ranking), epochs, and for quick a smaller SchNet and pocket. `default` always keeps the train
 * default's network and pocket cutoff, with the preset's epochs and poses.
 */
const PRESET = quick
  ? {
      name: 'quick',
      poses: 3,
      epochs: 2,
      network: { name: 'schnet', options: { hiddenChannels: 16, numFilters: 16, numInteractions: 1, numGaussians: 16, cutoff: 5, maxNumNeighbors: 12, seed: 1 } },
      pocketCutoff: 5,
      withReference: ['multi_boltzmann'],
    }
  : { name: 'full', poses: 4, epochs: 5, network: defaults.model.representation, pocketCutoff: defaults.data.pocketCutoff, withReference: ['multi_max', 'multi_boltzmann'] };

const cacheDir = await mkdtemp(join(tmpdir(), 'posepool-quality-cache-'));
const docked = { tag: 'pose_source', values: ['vina'] };
type Setting = 'docked' | 'with_reference';

/** A network variant's run config: the train default with this preset's scale. */
function config(setting: Setting, parts: { combination?: { name: string; options?: Record<string, unknown> }; topPoses?: { tag: string; k: number }; network?: boolean }): RunConfigInput {
  const network = parts.network ?? true;
  return {
    model: { ...defaults.model, ...(network && { representation: PRESET.network }), ...(parts.combination && { combination: { options: {}, ...parts.combination } }) },
    data: {
      poseFilter: setting === 'docked' ? docked : null,
      topPoses: { order: 'ascending', ...(parts.topPoses ?? { tag: 'pose_index', k: PRESET.poses }) },
      pocketCutoff: network ? PRESET.pocketCutoff : defaults.data.pocketCutoff,
      cacheDir,
    },
    epochs: PRESET.epochs,
    seed: SEED,
    // Every core: the same weights and predictions as one thread (tested), in about half the time.
    workers: 'auto',
  };
}

const VARIANTS: Record<string, (setting: Setting) => RunConfigInput> = {
  // The published method's max: smooth-min over the pose ΔG predictions (LogSumExp, mtenn's scale 1000).
  multi_max: (s) => config(s, { combination: { name: 'smooth-min', options: { scale: 1000 } } }),
  multi_boltzmann: (s) => config(s, { combination: { name: 'boltzmann', options: { temperature: 1 } } }),
  multi_mean: (s) => config(s, { combination: { name: 'mean' } }),
  single_top_pose: (s) => config(s, { topPoses: { tag: 'vina_score', k: 1 } }),
  ligand_only_gat: () => ({
    model: {
      representation: { ligand: { name: 'gat', options: { hiddenFeats: 32, numLayers: 2, numHeads: 4, predictorHidden: 64, seed: 1 } } },
      strategy: { name: 'ligand-only', options: { seed: 1 } },
      combination: { name: 'single', options: {} },
      readout: { name: 'pki', options: {} },
    },
    data: { poseFilter: docked, topPoses: { tag: 'vina_score', k: 1 }, ligandFeatures: true, pocketCutoff: 4, cacheDir },
    epochs: 10,
    seed: SEED,
    workers: 'auto',
  }),
  default: (s) => config(s, { network: false }),
  sweep: (s) => merged(config(s, { network: false }), sweep ?? {}) as RunConfigInput,
};

/** `base` with `changes` laid over it, objects key by key (arrays and values replaced). */
function merged(base: unknown, changes: unknown): unknown {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(base) || !isObject(changes)) return changes === undefined ? base : changes;
  return Object.fromEntries([...new Set([...Object.keys(base), ...Object.keys(changes)])].map((k) => [k, merged(base[k], changes[k])]));
}

interface Row {
  spearman: number;
  spearman_ci: [number, number];
  rmse: number | null;
  rmse_ci: [number, number] | null;
  top_pose_within_2A: number | null;
}
const GROUPS = ['pooled', ...TARGETS];
const results: Record<Setting, Record<string, Record<string, Row>>> = { docked: {}, with_reference: {} };
const timing: Record<string, { seconds: number; trainedPosesPerSecond: number; poses: number; sameAs?: string }> = {};
const configs: Record<string, RunConfigInput> = {};
const put = (setting: Setting, group: string, variant: string, row: Row): void => void ((results[setting][group] ??= {})[variant] = row);
const row = (report: MetricReport, pose: number | null, rmse: MetricReport | null = report): Row => ({
  spearman: report.spearman.value,
  spearman_ci: [report.spearman.low, report.spearman.high],
  rmse: rmse?.rmse.value ?? null,
  rmse_ci: rmse === null ? null : [rmse.rmse.low, rmse.rmse.high],
  top_pose_within_2A: pose,
});

const done = new Map<string, { setting: Setting; name: string; result: CrossValidationResult }>();

async function crossValidateVariant(setting: Setting, name: string): Promise<CrossValidationResult> {
  const runConfig = VARIANTS[name]!(setting);
  // A variant whose config is another's (e.g. `default` in the full preset) gets its results, not a second identical run.
  const key = JSON.stringify(resolveRunConfig(runConfig));
  const twin = done.get(key);
  if (twin !== undefined) {
    for (const group of GROUPS) if (results[twin.setting][group]?.[twin.name] !== undefined) put(setting, group, name, results[twin.setting][group]![twin.name]!);
    configs[`${setting}/${name}`] = runConfig;
    timing[`${setting}/${name}`] = { ...timing[`${twin.setting}/${twin.name}`]!, sameAs: `${twin.setting}/${twin.name}` };
    console.log(`${setting} ${name}: the same config as ${twin.setting} ${twin.name}, results reused`);
    return twin.result;
  }
  const out = await mkdtemp(join(tmpdir(), `posepool-quality-${name}-`));
  const start = performance.now();
  let trained = 0;
  const result = await crossValidate(runConfig, {
    data: folders,
    out: join(out, 'cv'),
    folds: FOLDS,
    split: 'scaffold',
    onStart: (s) => void (trained += s.poses * (s.epochs - s.startEpoch)),
    onFold: (f) => process.stderr.write(`  ${setting} ${name}: fold ${f.fold}/${f.folds}\n`),
  });
  const seconds = (performance.now() - start) / 1000;
  await rm(out, { recursive: true, force: true });
  configs[`${setting}/${name}`] = runConfig;
  timing[`${setting}/${name}`] = { seconds, trainedPosesPerSecond: trained / seconds, poses: result.dataset.entries.reduce((n, e) => n + e.compound.poses.length, 0) };
  for (const group of GROUPS) {
    const report = group === 'pooled' ? result.metrics.pooled.model.pooled : result.metrics.pooled.model.folders[group];
    const rows = group === 'pooled' ? result.rows : result.rows.filter((r) => r.folder === group);
    if (report !== undefined) put(setting, group, name, row(report, poseMetrics(rows, result.dataset.entries)?.highestWeight ?? null));
  }
  done.set(key, { setting, name, result });
  const pooled = result.metrics.pooled.model.pooled;
  console.log(`${setting} ${name}: pooled ρ ${pooled.spearman.value.toFixed(3)} [${pooled.spearman.low.toFixed(2)}, ${pooled.spearman.high.toFixed(2)}], RMSE ${pooled.rmse.value.toFixed(2)}, ${seconds.toFixed(0)} s`);
  return result;
}

/** Spearman, RMSE, … with bootstrap intervals of predictions against measurements. */
function reportOf(rows: ReadonlyArray<{ predicted: number; measured: number }>): MetricReport {
  return metricReport(rows.map((r) => r.predicted), rows.map((r) => r.measured), { seed: SEED });
}

/** The docking score as a prediction: −(best vina_score) of the compound's poses, if any pose has one. */
function dockingPrediction(entry: CrossValidationResult['dataset']['entries'][number]): number | undefined {
  const values = entry.tags.map((t) => Number(t.vina_score ?? NaN)).filter(Number.isFinite);
  return values.length === 0 ? undefined : -Math.min(...values);
}

/**
 * The docking score as a predictor: ρ of −(best vina_score) as it is; RMSE after a linear fit
 * pK ≈ a·(−best score) + b per target on each fold's training compounds, applied to its held-out
 * compounds. The pose metric: the fraction whose best-scored pose is within 2 Å.
 */
function dockingScore(setting: Setting, folds: CrossValidationResult): void {
  const entries = folds.dataset.entries;
  const foldOf = new Map(folds.rows.filter((r) => r.repeat === 1).map((r) => [`${r.folder}/${r.id}`, r.fold]));
  const score = entries.flatMap((e) => {
    const predicted = dockingPrediction(e);
    return predicted === undefined || e.compound.target === undefined ? [] : [{ key: e.key, folder: e.folder, measured: e.compound.target, predicted }];
  });
  const fitted = score.map((test) => {
    const train = score.filter((r) => r.folder === test.folder && foldOf.get(r.key) !== foldOf.get(test.key));
    const [mx, my] = [train.reduce((s, r) => s + r.predicted, 0) / train.length, train.reduce((s, r) => s + r.measured, 0) / train.length];
    const sxx = train.reduce((s, r) => s + (r.predicted - mx) ** 2, 0);
    const slope = sxx === 0 ? 0 : train.reduce((s, r) => s + (r.predicted - mx) * (r.measured - my), 0) / sxx;
    return { ...test, predicted: my + slope * (test.predicted - mx) };
  });
  const rowsOf = <T extends { folder: string }>(rows: T[], group: string): T[] => (group === 'pooled' ? rows : rows.filter((r) => r.folder === group));
  for (const group of GROUPS) {
    const [raw, fit] = [rowsOf(score, group), rowsOf(fitted, group)];
    const top = poseMetrics(
      rowsOf(entries, group).map((e) => {
        const values = e.tags.map((t) => Number(t.vina_score ?? NaN));
        const best = values.indexOf(Math.min(...values.filter(Number.isFinite)));
        return { folder: e.folder, id: e.compound.id, poses: values.map((_, i) => ({ pose: i, prediction: 0, weight: i === best ? 1 : 0 })) };
      }),
      entries,
    );
    put(setting, group, 'docking_score', row(reportOf(raw), top?.highestWeight ?? null, reportOf(fit)));
  }
}

/**
 * Leave one target out: the default pre-trained on the other four targets (every compound), then
 * on the target's own 5 scaffold folds fine-tuned from it (`init`), beside the same network trained
 * on the folds from scratch, the pre-trained model as it is (no measurement of the target seen)
 * and the docking score. The question a user with a new target and few measurements asks.
 */
interface LotoRows {
  pretrained_as_is: Row;
  fine_tuned: Row;
  target_only: Row;
  docking_score: Row;
  seconds: number;
}
async function leaveOneTargetOut(target: string): Promise<LotoRows> {
  const start = performance.now();
  const base = VARIANTS.default!('docked');
  const dir = await mkdtemp(join(tmpdir(), `posepool-quality-loto-${target}-`));
  const folder = join(shared!, target);
  try {
    const pretrained = join(dir, 'pretrained');
    await train({ ...base, split: { validation: 0 } }, { data: folders.filter((f) => f !== folder), out: pretrained });
    const asIs = await predict(pretrained, { data: [folder] });
    const measured = asIs.flatMap((r) => (r.measured === null ? [] : [{ predicted: r.predicted, measured: r.measured }]));
    const cv = (name: string, config: RunConfigInput): Promise<CrossValidationResult> =>
      crossValidate(config, { data: [folder], out: join(dir, name), folds: FOLDS, split: 'scaffold', onFold: (f) => process.stderr.write(`  loto ${target} ${name}: fold ${f.fold}/${f.folds}\n`) });
    const scored = (result: CrossValidationResult): Row => row(result.metrics.pooled.model.pooled, poseMetrics(result.rows, result.dataset.entries)?.highestWeight ?? null);
    const fineTuned = await cv('fine-tuned', { ...base, init: { model: pretrained } });
    const scratch = await cv('scratch', base);
    const docking = scratch.dataset.entries.flatMap((e) => {
      const predicted = dockingPrediction(e);
      return predicted === undefined || e.compound.target === undefined ? [] : [{ predicted, measured: e.compound.target }];
    });
    return {
      pretrained_as_is: row(reportOf(measured), null),
      fine_tuned: scored(fineTuned),
      target_only: scored(scratch),
      docking_score: row(reportOf(docking), null, null),
      seconds: (performance.now() - start) / 1000,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--loto')) {
  const started = performance.now();
  const perTarget: Record<string, LotoRows> = {};
  for (const target of TARGETS) {
    const r = (perTarget[target] = await leaveOneTargetOut(target));
    console.log(`${target}: ρ pre-trained as is ${r.pretrained_as_is.spearman.toFixed(2)}, fine-tuned ${r.fine_tuned.spearman.toFixed(2)}, target only ${r.target_only.spearman.toFixed(2)}, docking ${r.docking_score.spearman.toFixed(2)} (${r.seconds.toFixed(0)} s)`);
  }
  await rm(cacheDir, { recursive: true, force: true });
  const mean = (variant: Exclude<keyof LotoRows, 'seconds'>): number => TARGETS.reduce((sum, t) => sum + perTarget[t]![variant].spearman, 0) / TARGETS.length;
  const path = await writeResult('quality-loto', {
    benchmark: 'quality, leave one target out',
    command: 'pnpm --filter @posepool/bench run bench:quality -- --loto',
    date: new Date().toISOString(),
    machine: machine(),
    data: `../shared/data (${TARGETS.join(', ')}), docked poses only`,
    preset: PRESET,
    protocol: `per target: the train default (this preset's epochs and poses) pre-trained on the other four targets (every compound, no validation split); then ${FOLDS}-fold scaffold cross-validation on the target (seed ${SEED}): fine_tuned starts each fold from the pre-trained weights (init.model), target_only from scratch, on the same folds; pretrained_as_is predicts every compound of the target without seeing any of its measurements; docking_score: −(best vina_score). Spearman ρ with 1000-sample bootstrap 95% intervals per target (RMSE of pretrained_as_is includes the target's offset).`,
    ...perTarget,
    ratios: {
      loto_fine_tuned_minus_target_only_spearman_mean: mean('fine_tuned') - mean('target_only'),
      loto_pretrained_as_is_minus_docking_spearman_mean: mean('pretrained_as_is') - mean('docking_score'),
    },
    wall_seconds: (performance.now() - started) / 1000,
  });
  console.log(`wrote ${path}`);
  process.exit(0);
}

const started = performance.now();
console.log(`quality benchmark (${PRESET.name} preset): ${TARGETS.join(', ')}; ${FOLDS}-fold scaffold CV, seed ${SEED}`);
for (const [k, name] of Object.keys(VARIANTS).filter(wanted).entries()) {
  const result = await crossValidateVariant('docked', name);
  if (k === 0) dockingScore('docked', result);
}
for (const [k, name] of PRESET.withReference.filter(wanted).entries()) {
  const result = await crossValidateVariant('with_reference', name);
  if (k === 0) dockingScore('with_reference', result);
}
const wallSeconds = (performance.now() - started) / 1000;
await rm(cacheDir, { recursive: true, force: true });

const pooled = results.docked.pooled!;
const ρ = (variant: string): number => pooled[variant]?.spearman ?? NaN;
// Only the ratios this run can compute: one needing a variant it did not train (--only, --config) is left out, not written as null.
const ratios = Object.fromEntries(
  Object.entries(
    sweep !== undefined
      ? { sweep_minus_docking_spearman_pooled: ρ('sweep') - ρ('docking_score') }
      : {
          default_minus_docking_spearman_pooled: ρ('default') - ρ('docking_score'),
          best_multi_minus_single_spearman_pooled: Math.max(ρ('multi_max'), ρ('multi_boltzmann'), ρ('multi_mean')) - ρ('single_top_pose'),
        },
  ).filter(([, value]) => Number.isFinite(value)),
);

const fmt = (v: number | null, d = 2): string => (v === null ? '–' : v.toFixed(d));
for (const setting of ['docked', 'with_reference'] as const) {
  console.log(`\n${setting === 'docked' ? 'docked poses only (headline)' : 'reference pose kept'}: Spearman ρ [95% CI] pooled, RMSE [95% CI], top pose < 2 Å; ρ per target`);
  console.log(`${'variant'.padEnd(16)} ${'ρ pooled'.padEnd(20)} ${'RMSE'.padEnd(20)} ${'pose<2Å'.padEnd(8)} ${TARGETS.map((t) => t.padEnd(6)).join(' ')}`);
  for (const [variant, r] of Object.entries(results[setting].pooled ?? {})) {
    const perTarget = TARGETS.map((t) => fmt(results[setting][t]?.[variant]?.spearman ?? null).padEnd(6)).join(' ');
    const rmse = r.rmse === null ? '–' : `${fmt(r.rmse)} [${fmt(r.rmse_ci![0])}, ${fmt(r.rmse_ci![1])}]`;
    console.log(`${variant.padEnd(16)} ${`${fmt(r.spearman)} [${fmt(r.spearman_ci[0])}, ${fmt(r.spearman_ci[1])}]`.padEnd(20)} ${rmse.padEnd(20)} ${fmt(r.top_pose_within_2A).padEnd(8)} ${perTarget}`);
  }
}
console.log(`\nratios: ${JSON.stringify(ratios)}; wall time ${wallSeconds.toFixed(0)} s`);

const path = await writeResult(sweepFile !== undefined ? `quality-sweep-${basename(sweepFile).replace(/\.(ya?ml|json)$/, '')}` : only === undefined ? 'quality' : 'quality-only', {
  benchmark: 'quality',
  command: `pnpm --filter @posepool/bench run bench:quality${quick || only ? ' --' : ''}${quick ? ' --quick' : ''}${sweepFile !== undefined ? ` --config ${sweepFile}` : only ? ` --only ${only.join(',')}` : ''}`,
  date: new Date().toISOString(),
  machine: machine(),
  data: `../shared/data (${TARGETS.join(', ')})`,
  preset: PRESET,
  protocol: `${FOLDS}-fold scaffold cross-validation (posepool cv: folds dealt within each target, seed ${SEED}, the same for every variant); one model per fold trained on all targets; metrics on the out-of-fold predictions with 1000-sample bootstrap 95% intervals`,
  notes: {
    docking_score: 'spearman: −(best vina_score) as it is; rmse: after a per-target linear fit on each fold’s training compounds; top_pose_within_2A: the best-scored docked pose',
    top_pose_within_2A: 'fraction of compounds whose highest-weighted pose (largest w_i) has rmsd_to_reference < 2 Å; one-pose variants: their only pose (the best-scored one)',
    ligand_only_gat: 'GAT (4 heads × 32 features, 2 layers) on RDKit atom features of the ligand alone; 10 epochs in every preset (it is cheap)',
    multi_mean: 'top_pose_within_2A: all weights are equal (1/N), so the first pose (Vina’s top) counts as the highest-weighted one: not a learned choice',
    with_reference: 'the same folds with the reference pose (pose_index 0) kept among the poses',
    timing: 'seconds: wall time of a variant’s whole cross-validation (5 trainings, cached featurization, predictions); trainedPosesPerSecond: training pose passes (poses × epochs) per second of it',
    default: 'the posepool train default config (network, pocket cutoff, combination) with the docked pose filter and this preset’s epochs and poses per compound',
  },
  ...results.docked,
  with_reference: results.with_reference,
  ratios,
  wall_seconds: wallSeconds,
  timing,
  // The cache folder is a temporary one of this machine.
  configs: JSON.parse(JSON.stringify(configs).replaceAll(JSON.stringify(cacheDir), '"(a temporary folder)"')) as unknown,
});
console.log(`wrote ${path}`);
