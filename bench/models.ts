// Speed of the single-pose architectures on the wasm backend, each with its default options:
// forward and forward+backward time on a ~300-atom pocket+ligand pose (GAT: its ligand), the
// dense-layer FLOPs, achieved GFLOP/s, peak memory of one training pose, and the wasm matMul
// GFLOP/s measured in the same run on SchNet's dominant shape.
// Writes bench/results/models.json. Run: pnpm bench
import * as tf from '@tensorflow/tfjs';
import { ComplexOnlyStrategy, LigandOnlyStrategy, SinglePoseModel, posePart, poseRadiusGraph, useBackend, type Pose, type Representation } from '@posepool/core';
import { seededRandom } from '@posepool/core/testing';
import { GAT, PaiNN, SchNet } from '@posepool/models';

import { benchmarkPose, machine, median, timeMs, writeResult } from './lib.js';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);


/** The ligand with 74 random features per atom and bonds between atoms closer than 1.9 Å (GAT's input). */
function ligandGraph(pose: Pose): Pose {
  const ligand = posePart(pose, 'ligand');
  const n = ligand.z.length;
  const random = seededRandom(5);
  const bonds: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = Math.hypot(...[0, 1, 2].map((k) => ligand.pos[3 * i + k]! - ligand.pos[3 * j + k]!));
      if (d < 1.9) bonds.push(i, j);
    }
  }
  return { ...ligand, features: Float32Array.from({ length: n * 74 }, () => (random() < 0.1 ? 1 : 0)), featureSize: 74, bonds: Int32Array.from(bonds) };
}

interface Architecture {
  name: string;
  representation: Representation;
  pose: Pose;
  part: 'complex' | 'ligand';
  edges: number;
  /** Dense-layer FLOPs (2 per multiply-add) of one forward and one forward+backward pass. */
  flops: { forward: number; train: number };
}

/** Forward: one product per layer; backward: two, one where the layer's input is constant data. */
const flops = (layers: Array<[rows: number, inputs: number, outputs: number, constantInput?: boolean]>): { forward: number; train: number } => {
  const forward = layers.reduce((s, [r, i, o]) => s + 2 * r * i * o, 0);
  const backward = layers.reduce((s, [r, i, o, constant]) => s + (constant === true ? 2 : 4) * r * i * o, 0);
  return { forward, train: forward + backward };
};

function schnet(pose: Pose): Architecture {
  const representation = new SchNet({ seed: 0 });
  const { hiddenChannels: h, numFilters: f, numGaussians: g, numInteractions: blocks, cutoff, maxNumNeighbors } = representation.options;
  const [n, e] = [pose.z.length, poseRadiusGraph(pose, { cutoff, maxNeighbors: maxNumNeighbors }).source.length];
  const block: Array<[number, number, number, boolean?]> = [[e, g, f, true], [e, f, f], [n, h, f], [n, f, h], [n, h, h]];
  return { name: 'schnet', representation, pose, part: 'complex', edges: e, flops: flops([...Array(blocks).fill(block).flat(), [n, h, h / 2]]) };
}

function painn(pose: Pose): Architecture {
  const representation = new PaiNN({ seed: 0 });
  const { hiddenChannels: f, numRadial: r, numInteractions: blocks, cutoff, maxNumNeighbors } = representation.options;
  const [n, e] = [pose.z.length, poseRadiusGraph(pose, { cutoff, maxNeighbors: maxNumNeighbors }).source.length];
  const block: Array<[number, number, number, boolean?]> = [[n, f, f], [n, f, 3 * f], [e, r, 3 * f, true], [3 * n, f, f], [3 * n, f, f], [n, 2 * f, f], [n, f, 3 * f]];
  return { name: 'painn', representation, pose, part: 'complex', edges: e, flops: flops([...Array(blocks).fill(block).flat(), [n, f, f]]) };
}

function gat(pose: Pose): Architecture {
  const representation = new GAT({ seed: 0 });
  const ligand = ligandGraph(pose);
  const { inFeats, hiddenFeats, numHeads, numLayers, predictorHidden } = representation.options;
  const n = ligand.z.length;
  const layers: Array<[number, number, number, boolean?]> = [];
  for (let l = 0, inputs = inFeats; l < numLayers; l++, inputs = numHeads * hiddenFeats) layers.push([n, inputs, numHeads * hiddenFeats, l === 0], ...(inputs !== numHeads * hiddenFeats ? [[n, inputs, numHeads * hiddenFeats, l === 0] as [number, number, number, boolean]] : []));
  layers.push([1, 2 * numHeads * hiddenFeats, predictorHidden]);
  return { name: 'gat', representation, pose: ligand, part: 'ligand', edges: ligand.bonds!.length + n, flops: flops(layers) };
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

async function measure(arch: Architecture): Promise<Record<string, unknown>> {
  const size = arch.representation.outputSize;
  const strategy = arch.part === 'ligand' ? new LigandOnlyStrategy({ ligand: size }, { seed: 0 }) : new ComplexOnlyStrategy({ complex: size }, { seed: 0 });
  const model = new SinglePoseModel({ representation: arch.part === 'ligand' ? { ligand: arch.representation } : arch.representation, strategy });
  const forward = (): void => tf.tidy(() => void model.forwardPose(arch.pose).dataSync());
  const train = (): void => {
    const { value, grads } = tf.variableGrads(() => model.forwardPose(arch.pose));
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
  const [forwardMs, trainMs] = [median(samples.forward), median(samples.train)];
  const result = {
    options: (arch.representation as unknown as { options: unknown }).options,
    parameters: model.countParameters(),
    atoms: arch.pose.z.length,
    edges: arch.edges,
    forwardMs,
    trainMs,
    samplesMs: { forward: samples.forward.map(Math.round), train: samples.train.map(Math.round) },
    trainPosesPerSecond: 1000 / trainMs,
    trainPeakBytes,
    forwardGflop: arch.flops.forward / 1e9,
    trainGflop: arch.flops.train / 1e9,
    forwardGflops: arch.flops.forward / forwardMs / 1e6,
    trainGflops: arch.flops.train / trainMs / 1e6,
  };
  console.log(
    `${arch.name.padEnd(7)} ${result.parameters} parameters, ${result.atoms} atoms / ${arch.edges} edges: forward ${forwardMs.toFixed(1)} ms, ` +
      `forward+backward ${trainMs.toFixed(1)} ms (${result.trainPosesPerSecond.toFixed(2)} poses/s, ${result.trainGflops.toFixed(2)} GFLOP/s), peak ${(trainPeakBytes / 2 ** 20).toFixed(0)} MiB`,
  );
  model.dispose();
  return result;
}

tf.enableProdMode();
await useBackend('wasm');
const { pose, source } = benchmarkPose();
const architectures: Record<string, Record<string, unknown>> = {};
for (const make of [schnet, painn, gat]) {
  const arch = make(pose);
  architectures[arch.name] = await measure(arch);
}
const schnetResult = architectures.schnet as { edges: number; trainGflops: number; options: { numFilters: number } };
const matmul = matMulGflops(schnetResult.edges, schnetResult.options.numFilters, schnetResult.options.numFilters);
const path = await writeResult('models', {
  benchmark: 'models',
  command: 'pnpm bench',
  date: new Date().toISOString(),
  machine: machine(),
  backend: tf.getBackend(),
  pose: { source, atoms: pose.z.length },
  architectures,
  matMul: { shape: `[${schnetResult.edges}, ${schnetResult.options.numFilters}] × [${schnetResult.options.numFilters}, ${schnetResult.options.numFilters}]`, gflops: matmul },
  ratios: {
    schnet_train_gflops_over_matmul_gflops: schnetResult.trainGflops / matmul,
    painn_train_gflops_over_matmul_gflops: (architectures.painn as { trainGflops: number }).trainGflops / matmul,
    gat_train_gflops_over_matmul_gflops: (architectures.gat as { trainGflops: number }).trainGflops / matmul,
  },
  targets: { schnet_train_gflops_over_matmul_gflops: '>= 0.4' },
  notes: [
    'FLOPs count the dense layers (2 per multiply-add); backward: two products per layer, one where the input is constant data (Gaussian/radial expansions, GAT input features). Elementwise, gather and segment-sum work is not counted.',
    'trainMs: one top-level tf.variableGrads over a single-pose model with a linear head (what each pose costs in stored mode).',
    'trainPeakBytes: tf.profile peak of one training pose above the bytes alive before it: the per-graph memory, which recompute mode keeps for any number of poses (plus 2 × 4 bytes × parameters).',
    'GAT runs on the ligand (2D graph: bonds < 1.9 Å, random one-hot-like 74 features); its tiny matrices cannot approach matMul speed.',
  ],
});
console.log(`wasm matMul ${schnetResult.edges}×${schnetResult.options.numFilters}·${schnetResult.options.numFilters}²: ${matmul.toFixed(2)} GFLOP/s; schnet ratio ${(schnetResult.trainGflops / matmul).toFixed(2)}`);
console.log(`wrote ${path}`);
