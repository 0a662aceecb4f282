// Speed of the single-pose architectures on the wasm backend: forward and forward+backward time
// of the default SchNet (mtenn's defaults) on a ~300-atom pocket+ligand pose, estimated FLOPs,
// achieved GFLOP/s, and the wasm matMul GFLOP/s measured in the same run on the dominant shape.
// Writes bench/results/models.json. Run: pnpm bench
import { readFileSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs';
import { ComplexOnlyStrategy, Model, useBackend, type Pose } from '@posepool/core';
import { randomPose } from '@posepool/core/testing';
import { poseRadiusGraph, SchNet } from '@posepool/models';

import { machine, median, sharedPath, timeMs, writeResult } from './lib.js';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);

function benchmarkPose(): { pose: Pose; source: string } {
  const fixture = sharedPath('fixtures', 'pyg-schnet-small.json');
  if (fixture === undefined) return { pose: randomPose({ atoms: 304, ligandAtoms: 21, seed: 1 }), source: 'synthetic: 304 random atoms at 0.05 atoms/Å³' };
  const json = JSON.parse(readFileSync(fixture, 'utf8')) as { poses: Record<string, { z: number[]; pos: number[][]; lig: boolean[] }> };
  const [name, p] = Object.entries(json.poses).find(([key]) => key.startsWith('tyk2'))!;
  return {
    pose: { z: Int32Array.from(p.z), pos: Float32Array.from(p.pos.flat()), ligandMask: Uint8Array.from(p.lig, Number) },
    source: `../shared/fixtures/pyg-schnet-small.json poses.${name} (PLB tyk2, pocket + ligand heavy atoms)`,
  };
}

/**
 * FLOPs (2 per multiply-add) of SchNet's dense layers, elementwise work left out. Forward: one
 * product per layer. Backward: two per layer (input and weight gradients) except the first
 * filter layer, whose input (the Gaussian expansion) needs no gradient.
 */
function schnetFlops(schnet: SchNet, atoms: number, edges: number): { forward: number; train: number } {
  const { hiddenChannels: h, numFilters: f, numGaussians: g, numInteractions: blocks } = schnet.options;
  const filterIn = edges * g * f;
  const perBlock = filterIn + edges * f * f + atoms * h * f + atoms * f * h + atoms * h * h;
  const forward = 2 * (blocks * perBlock + atoms * h * schnet.outputSize);
  return { forward, train: 3 * forward - 2 * blocks * filterIn };
}

/** GFLOP/s of a plain wasm matMul [rows, k] × [k, n] (wasm runs synchronously: no read-back needed). */
function matMulGflops(rows: number, k: number, n: number): number {
  const [a, b] = [tf.randomNormal([rows, k]), tf.randomNormal([k, n])];
  const run = (): void => tf.matMul(a, b).dispose();
  run();
  const ms = median(Array.from({ length: 30 }, () => timeMs(run)));
  tf.dispose([a, b]);
  return (2 * rows * k * n) / ms / 1e6;
}

tf.enableProdMode();
await useBackend('wasm');
const { pose, source } = benchmarkPose();
const schnet = new SchNet({ seed: 0 });
const model = new Model({ representation: schnet, strategy: new ComplexOnlyStrategy({ complex: schnet.outputSize }, { seed: 0 }) });
const edges = poseRadiusGraph(pose, { cutoff: schnet.options.cutoff, maxNeighbors: schnet.options.maxNumNeighbors }).source.length;

const forward = (): void => tf.tidy(() => void model.forwardPose(pose).dataSync());
const train = (): void => {
  const { value, grads } = tf.variableGrads(() => model.forwardPose(pose));
  value.dataSync();
  tf.dispose([value, grads]);
};
forward();
train();
const start = tf.memory().numBytes;
const trainPeakBytes = (await tf.profile(train)).peakBytes - start;
const samples = { forward: [] as number[], train: [] as number[] };
for (let r = 0; r < REPEATS; r++) {
  samples.forward.push(timeMs(forward));
  samples.train.push(timeMs(train));
}
const forwardMs = median(samples.forward);
const trainMs = median(samples.train);
const { forward: forwardFlops, train: trainFlops } = schnetFlops(schnet, pose.z.length, edges);
const schnetTrainGflops = trainFlops / trainMs / 1e6;
const matmul = matMulGflops(edges, schnet.options.numFilters, schnet.options.numFilters);
const result = {
  benchmark: 'models',
  command: 'pnpm bench',
  date: new Date().toISOString(),
  machine: machine(),
  backend: tf.getBackend(),
  pose: { source, atoms: pose.z.length, edges },
  schnet: {
    options: schnet.options,
    parameters: model.countParameters(),
    forwardMs,
    trainMs,
    samplesMs: { forward: samples.forward.map(Math.round), train: samples.train.map(Math.round) },
    trainPosesPerSecond: 1000 / trainMs,
    trainPeakBytes,
    forwardGflop: forwardFlops / 1e9,
    trainGflop: trainFlops / 1e9,
    forwardGflops: forwardFlops / forwardMs / 1e6,
    trainGflops: schnetTrainGflops,
  },
  matMul: { shape: `[${edges}, ${schnet.options.numFilters}] × [${schnet.options.numFilters}, ${schnet.options.numFilters}]`, gflops: matmul },
  ratios: { schnet_train_gflops_over_matmul_gflops: schnetTrainGflops / matmul },
  targets: { schnet_train_gflops_over_matmul_gflops: '>= 0.4' },
  notes: [
    'FLOPs count the dense layers (2 per multiply-add); backward: two products per layer, one for the first filter layer.',
    'trainMs: one top-level tf.variableGrads over the complex-only model (what each pose costs in stored mode).',
    'trainPeakBytes: tf.profile peak of one training pose above the bytes alive before it: the per-graph memory, which recompute mode keeps for any N (plus 2 × 4 × parameters).',
  ],
};
const path = await writeResult('models', result);
console.log(`SchNet (${result.schnet.parameters} parameters) on ${pose.z.length} atoms / ${edges} edges: forward ${forwardMs.toFixed(0)} ms, forward+backward ${trainMs.toFixed(0)} ms (${result.schnet.trainPosesPerSecond.toFixed(2)} poses/s)`);
console.log(`  one pose graph: ${(trainPeakBytes / 2 ** 20).toFixed(0)} MiB at peak; ${result.schnet.trainGflop.toFixed(2)} GFLOP per training pose, ${schnetTrainGflops.toFixed(2)} GFLOP/s; wasm matMul ${result.matMul.shape}: ${matmul.toFixed(2)} GFLOP/s; ratio ${result.ratios.schnet_train_gflops_over_matmul_gflops.toFixed(2)}`);
console.log(`wrote ${path}`);
model.dispose();
