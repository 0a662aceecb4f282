// Peak tensor memory and step time of the gradient modes for N ∈ {1, 4, 16, 64} poses of a
// ~300-atom complex with ≤ 32 neighbours per atom, on the wasm backend.
// Writes bench/results/gradient-modes.json. Run: pnpm bench
import * as tf from '@tensorflow/tfjs';
import { ComplexOnlyStrategy, MultiPoseModel, poseRadiusGraph, useBackend, type Compound, type GradientMode, type Pose } from '@posepool/core';
import { ToyMessagePassing } from '@posepool/core/testing';
import { LogSumExpCombination } from '@posepool/combinations';

import { benchmarkPose, machine, median, timeMs, writeResult } from './lib.js';

type Mode = Exclude<GradientMode, 'auto'>;
const MODES: Mode[] = ['naive', 'stored', 'recompute'];
const POSE_COUNTS = [1, 4, 16, 64];
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
/** Heap limit of the tfjs 4.22 wasm backend (emscripten's getHeapMax): naive runs predicted to need more are skipped. */
const WASM_HEAP_BYTES = 4294901760;


tf.enableProdMode();
await useBackend('wasm');

const { pose, source } = benchmarkPose();
const representationOptions = { hidden: 64, layers: 3, gaussians: 50, cutoff: 10, maxNeighbors: 32, seed: 1 };
const representation = new ToyMessagePassing(representationOptions);
const model = new MultiPoseModel({
  representation,
  strategy: new ComplexOnlyStrategy({ complex: representation.outputSize }),
  combination: new LogSumExpCombination({ smooth: 'min', scale: 1 }),
});
const poseParameters = Object.values(model.poseVariables()).reduce((n, v) => n + v.size, 0);
// Same atoms in every pose, jittered so the predictions (and pose weights) differ.
const poses = Array.from({ length: Math.max(...POSE_COUNTS) }, (_, i): Pose => ({ ...pose, pos: pose.pos.map((x, k) => x + 0.05 * Math.sin(i * 7 + k)) }));
const compound = (n: number): Compound => ({ id: `bench-${n}`, poses: poses.slice(0, n), target: 7, poseLabels: {} });
const loss = ({ combined }: { combined: tf.Scalar }) => tf.squaredDifference(combined, 7) as tf.Scalar;
model.predict(compound(poses.length)); // neighbour lists and wasm warm-up outside the measurements
const edges = representation.represent(pose); // one call to learn the graph size
edges.dispose();

function step(mode: Mode, n: number): void {
  tf.dispose(model.valueAndGrads(compound(n), loss, { mode }).grads);
}

async function peakBytes(mode: Mode, n: number): Promise<number> {
  const start = tf.memory().numBytes;
  const info = await tf.profile(() => step(mode, n));
  return info.peakBytes - start;
}

type Cell = { peakBytes: number; medianMs: number; samplesMs: number[] } | { skipped: string };
const results: Record<Mode, Record<number, Cell>> = { naive: {}, stored: {}, recompute: {} };

for (const n of POSE_COUNTS) {
  const runnable = MODES.filter((mode) => {
    if (mode !== 'naive' || n <= 16) return true;
    const at16 = results.naive[16];
    const predicted = at16 !== undefined && 'peakBytes' in at16 ? (at16.peakBytes * n) / 16 : Infinity;
    if (predicted < WASM_HEAP_BYTES * 0.95) return true;
    results.naive[n] = { skipped: `needs about ${(predicted / 2 ** 30).toFixed(1)} GiB of tensors (linear in N from N=16), beyond the ${(WASM_HEAP_BYTES / 2 ** 30).toFixed(1)} GiB wasm heap` };
    return false;
  });
  const peaks: Record<string, number> = {};
  for (const mode of runnable) peaks[mode] = await peakBytes(mode, n); // one profile at a time: tf.profile state is global
  const samples: Record<string, number[]> = Object.fromEntries(runnable.map((m) => [m, []]));
  for (let r = 0; r < REPEATS; r++) {
    // Rotate the order so drift on a noisy machine spreads over every mode.
    for (let k = 0; k < runnable.length; k++) {
      const mode = runnable[(k + r) % runnable.length]!;
      samples[mode]!.push(timeMs(() => step(mode, n)));
    }
  }
  for (const mode of runnable) results[mode][n] = { peakBytes: peaks[mode]!, medianMs: median(samples[mode]!), samplesMs: samples[mode]!.map((t) => Math.round(t)) };
  console.log(`N=${String(n).padStart(2)}  ` + MODES.map((mode) => {
    const cell = results[mode][n]!;
    return 'skipped' in cell ? `${mode}: skipped` : `${mode}: ${(cell.peakBytes / 2 ** 20).toFixed(1)} MiB ${cell.medianMs.toFixed(0)} ms`;
  }).join('   '));
}

const peak = (mode: Mode, n: number): number => {
  const cell = results[mode][n]!;
  return 'peakBytes' in cell ? cell.peakBytes : Number.NaN;
};
const time = (mode: Mode, n: number): number => {
  const cell = results[mode][n]!;
  return 'medianMs' in cell ? cell.medianMs : Number.NaN;
};
const largestNaive = Math.max(...POSE_COUNTS.filter((n) => 'peakBytes' in results.naive[n]!));
const ratios = {
  recompute_peak_N64_over_N1: peak('recompute', 64) / peak('recompute', 1),
  stored_peak_N64_over_N1: peak('stored', 64) / peak('stored', 1),
  naive_peak_N16_over_N1: peak('naive', 16) / peak('naive', 1),
  [`naive_peak_N${largestNaive}_over_N1`]: peak('naive', largestNaive) / peak('naive', 1),
  stored_time_over_naive_N16: time('stored', 16) / time('naive', 16),
  recompute_time_over_naive_N16: time('recompute', 16) / time('naive', 16),
};
const path = await writeResult('gradient-modes', {
  benchmark: 'gradient-modes',
  command: 'pnpm bench',
  date: new Date().toISOString(),
  machine: machine(),
  backend: tf.getBackend(),
  pose: { source, atoms: pose.z.length, edges: poseRadiusGraph(pose, representationOptions).source.length, poseCounts: POSE_COUNTS },
  model: { representation: { name: 'toy-message-passing', options: representationOptions }, strategy: 'complex-only', combination: 'smooth-min (scale 1)', poseParameters },
  notes: [
    'peakBytes: tf.profile peak of tensor bytes during one step, minus the bytes alive before it (weights and inputs of other steps excluded).',
    'medianMs: median wall time of one valueAndGrads step (gradients disposed), repeats interleaved across modes.',
  ],
  results,
  ratios,
  targets: { recompute_peak_N64_over_N1: '<= 1.3', stored_time_over_naive_N16: '<= 1.10', recompute_time_over_naive_N16: '<= 1.6' },
});
console.log(JSON.stringify(ratios, null, 2));
console.log(`wrote ${path}`);
model.dispose();

