// Where the time goes: per-kernel wall times (tf.profile) of a predict pass and a recompute
// training step on N = 9 poses of the tyk2 complex, one wasm thread, SchNet or PaiNN.
// Usage (in bench/): pnpm bench:profile [poses] [schnet|painn]
import * as tf from '@tensorflow/tfjs';
import { ComplexOnlyStrategy, MultiPoseModel, squaredError, useBackend, type Compound, type Pose } from '@posepool/core';
import { LogSumExpCombination } from '@posepool/combinations';
import { PaiNN, SchNet } from '@posepool/models';

import { benchmarkPose } from './lib.js';

tf.enableProdMode();
await useBackend('wasm');
const { pose } = benchmarkPose();
const n = Number(process.argv[2] ?? 9);
// The ligand shifted a little per pose: the receptor stays, as in docking poses.
const poses = Array.from({ length: n }, (_, p): Pose => ({ ...pose, pos: pose.pos.map((v, k) => (pose.ligandMask[Math.floor(k / 3)] ? v + 0.05 * p * ((k % 3) - 1) : v)) }));
const compound: Compound = { id: `tyk2-x${n}`, poses, target: 7 };
const representation = process.argv[3] === 'painn' ? new PaiNN({ seed: 1 }) : new SchNet({ seed: 1 });
const model = new MultiPoseModel({
  representation,
  strategy: new ComplexOnlyStrategy({ complex: representation.outputSize }, { seed: 1 }),
  combination: new LogSumExpCombination({ smooth: 'min', scale: 1000 }),
});

async function report(label: string, run: () => void): Promise<void> {
  run(); // warm-up: neighbour lists, layouts, kernel set-up
  const start = performance.now();
  const info = await tf.profile(run);
  const total = performance.now() - start;
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += Number(await k.kernelTimeMs);
    entry.calls += 1;
    byKernel.set(k.name, entry);
  }
  const rows = [...byKernel].sort((a, b) => b[1].ms - a[1].ms);
  const kernelMs = rows.reduce((s, [, e]) => s + e.ms, 0);
  console.log(`${label}: ${total.toFixed(0)} ms wall (profiled), ${kernelMs.toFixed(0)} ms in kernels, ${info.kernels.length} kernel calls`);
  for (const [name, e] of rows.slice(0, 15)) console.log(`  ${name.padEnd(22)} ${e.ms.toFixed(1).padStart(8)} ms  ${String(e.calls).padStart(5)} calls`);
}

await report(`predict N=${n}`, () => void model.predict(compound));
await report(`recompute step N=${n}`, () => tf.dispose(model.valueAndGrads(compound, squaredError(), { mode: 'recompute' }).grads));
model.dispose();
