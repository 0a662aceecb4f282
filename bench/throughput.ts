// Training and inference throughput of the default SchNet on the tyk2 complex, with and without
// the shared receptor stage (bench/results/throughput.json).
import { readFile } from 'node:fs/promises';

import * as tf from '@tensorflow/tfjs';
import { ComplexOnlyStrategy, MultiPoseModel, squaredError, useBackend, valueAndGrads, type Compound, type DecoupledModel } from '@posepool/core';
import { BoltzmannCombination, LogSumExpCombination } from '@posepool/combinations';
import { PaiNN, SchNet } from '@posepool/models';

import { benchmarkCompound, benchmarkPose, machine, median, resultsPath, writeResult } from './lib.js';

tf.enableProdMode();
await useBackend('wasm');
const { pose, source } = benchmarkPose();

/** The same model seen by the engine without its shared stage: every pose computes everything. */
function withoutSharing(model: MultiPoseModel): DecoupledModel {
  return {
    combination: model.combination,
    combinationName: model.combinationName,
    poseVariables: () => model.poseVariables(),
    combinedVariables: () => model.combinedVariables(),
    forwardPose: (p) => model.forwardPose(p),
    readoutCombined: (h) => model.readoutCombined(h),
  };
}

interface Step {
  ms: number;
  peakBytes: number;
  /** Floating-point operations of the step's matrix products (2 · M · K · N each). */
  matMulFlops: number;
}

/** 2 · M · K · N summed over the matrix products of a profile; K is a's dimension that is not M (a may be transposed). */
function matMulFlops(kernels: Awaited<ReturnType<typeof tf.profile>>['kernels']): number {
  return kernels
    .filter((k) => k.name === 'BatchMatMul' || k.name === '_FusedMatMul')
    .reduce((sum, k) => {
      const [a, out] = [k.inputShapes[0]!, k.outputShapes[0]!];
      const [m, n] = out.slice(-2) as [number, number];
      const [r, c] = a.slice(-2) as [number, number];
      const batch = out.slice(0, -2).reduce((p, d) => p * d, 1);
      return sum + 2 * batch * m * n * (r === m ? c : r);
    }, 0);
}

/** One training step: wall time, the peak bytes it adds and its matrix products' operations (tf.profile). */
async function trainStep(model: DecoupledModel, compound: Compound, mode: 'recompute' | 'auto'): Promise<Step> {
  const before = tf.memory().numBytes;
  const start = performance.now();
  const info = await tf.profile(() => {
    tf.dispose(valueAndGrads(model, compound, squaredError(), { mode }).grads);
  });
  return { ms: performance.now() - start, peakBytes: info.peakBytes - before, matMulFlops: matMulFlops(info.kernels) };
}

/** Medians over `repeats` of each variant, the variants interleaved (this machine's speed drifts), after one warm-up step each. */
async function trainSteps<K extends string>(variants: Record<K, [DecoupledModel, 'recompute' | 'auto']>, compound: Compound, repeats: number): Promise<Record<K, Step>> {
  const runs = {} as Record<K, Step[]>;
  for (let r = -1; r < repeats; r++) {
    for (const [name, [model, mode]] of Object.entries(variants) as Array<[K, [DecoupledModel, 'recompute' | 'auto']]>) {
      const step = await trainStep(model, compound, mode);
      if (r >= 0) (runs[name] ??= []).push(step);
    }
  }
  return Object.fromEntries(
    (Object.entries(runs) as Array<[K, Step[]]>).map(([name, steps]) => [name, { ms: median(steps.map((s) => s.ms)), peakBytes: Math.max(...steps.map((s) => s.peakBytes)), matMulFlops: steps[0]!.matMulFlops }]),
  ) as Record<K, Step>;
}

function predictMs(model: MultiPoseModel, compound: Compound, repeats: number): number {
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    model.predict(compound);
    times.push(performance.now() - start);
  }
  return median(times);
}

interface Row {
  poses: number;
  recomputeShared: { msPerPose: number; posesPerS: number; peakMiB: number };
  auto: { msPerPose: number; posesPerS: number };
  recomputePlain: { msPerPose: number; posesPerS: number; peakMiB: number };
  predictPosesPerS: number;
  sharedOverPlainStepTime: number;
  /** The same ratio in matrix-product operations: the step time's floor where products dominate. */
  sharedOverPlainMatMulFlops: number;
  peakBytes: number;
}

const architectures = {
  schnet: () => new SchNet({ seed: 1 }),
  painn: () => new PaiNN({ seed: 1 }),
};
const results: Record<string, unknown> = {};
const ratios: Record<string, number> = {};
const only = process.argv.slice(2);
for (const [name, make] of Object.entries(architectures)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const representation = make();
  const model = new MultiPoseModel({
    representation,
    strategy: new ComplexOnlyStrategy({ complex: representation.outputSize }, { seed: 1 }),
    combination: new LogSumExpCombination({ smooth: 'min', scale: 1000 }),
  });
  const plain = withoutSharing(model);
  const rows: Row[] = [];
  for (const n of [1, 9, 64]) {
    const compound = benchmarkCompound(pose, n);
    model.predict(compound); // neighbour lists and layouts outside the measurement
    const repeats = n === 64 ? 1 : 3;
    model.predict(compound);
    const { shared, auto, without } = await trainSteps({ shared: [model, 'recompute'], auto: [model, 'auto'], without: [plain, 'recompute'] }, compound, repeats);
    const predict = predictMs(model, compound, repeats);
    const row: Row = {
      poses: n,
      recomputeShared: { msPerPose: shared.ms / n, posesPerS: (1000 * n) / shared.ms, peakMiB: shared.peakBytes / 2 ** 20 },
      auto: { msPerPose: auto.ms / n, posesPerS: (1000 * n) / auto.ms },
      recomputePlain: { msPerPose: without.ms / n, posesPerS: (1000 * n) / without.ms, peakMiB: without.peakBytes / 2 ** 20 },
      predictPosesPerS: (1000 * n) / predict,
      sharedOverPlainStepTime: shared.ms / without.ms,
      sharedOverPlainMatMulFlops: shared.matMulFlops / without.matMulFlops,
      peakBytes: shared.peakBytes,
    };
    rows.push(row);
    console.log(name, JSON.stringify(row));
  }
  const at = (n: number): Row => rows.find((r) => r.poses === n)!;
  // One thread; the keys without a suffix are every core's (workers.ts).
  ratios[`${name}_train_poses_per_s_N9_one_thread`] = at(9).recomputeShared.posesPerS;
  ratios[`${name}_train_poses_per_s_N64_one_thread`] = at(64).recomputeShared.posesPerS;
  // The keys compared run to run: SchNet's step-time and peak ratios carry no architecture prefix.
  const bare = (key: string): string => (name === 'schnet' ? key : `${name}_${key}`);
  ratios[bare('shared_over_plain_step_time_N9')] = at(9).sharedOverPlainStepTime;
  ratios[bare('shared_over_plain_step_time_N64')] = at(64).sharedOverPlainStepTime;
  ratios[bare('shared_over_plain_matmul_flops_N9')] = at(9).sharedOverPlainMatMulFlops;
  ratios[bare('shared_over_plain_matmul_flops_N64')] = at(64).sharedOverPlainMatMulFlops;
  ratios[`${name}_predict_poses_per_s_one_thread`] = at(9).predictPosesPerS;
  ratios[bare('recompute_peak_N64_over_N1')] = at(64).peakBytes / at(1).peakBytes;
  results[name] = { parameters: representation.countParameters(), rows };
  model.dispose();
}

// The same ratio where every pose is back-propagated (Boltzmann, the posepool train default): with
// smooth-min at scale 1000 one pose of nine is, so the stage's backward pass is shared by one pose.
if (only.length === 0 || only.includes('schnet')) {
  const representation = architectures.schnet();
  const model = new MultiPoseModel({ representation, strategy: new ComplexOnlyStrategy({ complex: representation.outputSize }, { seed: 1 }), combination: new BoltzmannCombination({ temperature: 1 }) });
  const compound = benchmarkCompound(pose, 9);
  model.predict(compound);
  const { shared, without } = await trainSteps({ shared: [model, 'recompute'], without: [withoutSharing(model), 'recompute'] }, compound, 3);
  ratios.shared_over_plain_step_time_N9_boltzmann = shared.ms / without.ms;
  ratios.shared_over_plain_matmul_flops_N9_boltzmann = shared.matMulFlops / without.matMulFlops;
  results.schnetBoltzmannN9 = { recomputeSharedMsPerPose: shared.ms / 9, recomputePlainMsPerPose: without.ms / 9, sharedOverPlainStepTime: shared.ms / without.ms, sharedOverPlainMatMulFlops: shared.matMulFlops / without.matMulFlops };
  console.log('schnet, boltzmann, N = 9', JSON.stringify(results.schnetBoltzmannN9));
  model.dispose();
}

// Other scripts' keys (workers.ts, full-structure.ts) and architectures not run now are kept.
const previous = JSON.parse(await readFile(resultsPath('throughput'), 'utf8').catch(() => '{}')) as { ratios?: Record<string, number>; results?: Record<string, unknown> } & Record<string, unknown>;
const path = await writeResult('throughput', {
  ...previous,
  machine: machine(),
  backend: tf.getBackend(),
  pose: source,
  compound: 'N poses: the fixture pose, then its ligand turned (≤ 30° per axis) and moved (≤ 0.5 Å per axis) rigidly; the receptor is the same in every pose',
  model: 'default architecture (mtenn defaults for SchNet), complex-only, smooth-min (scale 1000); schnetBoltzmannN9: Boltzmann (temperature 1), every pose back-propagated',
  notes: [
    'recomputeShared: recompute with the shared receptor stage (receptor–receptor filters once per compound); recomputePlain: the same model with the stage hidden from the engine.',
    'One wasm thread. After one warm-up step of each variant, medians of 3 interleaved steps (1 at N = 64); peak = tf.profile peakBytes minus bytes alive before the step.',
    'sharedOverPlainMatMulFlops: 2·M·K·N summed over the matrix products tf.profile records in one step of each variant; the products are most of a step, so this is about the lowest step-time ratio a faster engine could reach without changing the model.',
  ],
  results: { ...previous.results, ...results },
  ratios: { ...previous.ratios, ...ratios },
});
console.log(`wrote ${path}`);
console.log(ratios);
