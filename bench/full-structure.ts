// Training the default SchNet on the uncropped cdk8 complex (the whole prepared protein, heavy
// atoms, about 5 200 per pose) beside its cropped pocket, on the wasm backend: peak tensor
// memory and time per pose of one recompute step over the first compound's first poses, the
// memory estimate checked before each step, and what the step without checkpointing would need.
// Writes bench/results/full-structure.json and merges two ratios into throughput.json.
// Run: pnpm bench (or `node --conditions=@posepool/source --import tsx full-structure.ts [poses]` here).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { ComplexOnlyStrategy, MultiPoseModel, PosePoolError, poseRadiusGraph, squaredError, useBackend, type Compound } from '@posepool/core';
import { LogSumExpCombination } from '@posepool/combinations';
import { featurizeFolder } from '@posepool/featurizers';
import { SchNet, type SchNetOptions } from '@posepool/models';

import { machine, resultsPath, sharedPath, writeResult } from './lib.js';

const POSES = Number(process.argv[2] ?? 2);
const folder = sharedPath('data', 'cdk8');
if (folder === undefined) {
  console.warn('full-structure: skipped (needs ../shared/data/cdk8).');
  process.exit(0);
}

tf.enableProdMode();
await useBackend('wasm');

function modelOf(options: SchNetOptions = {}): MultiPoseModel {
  const representation = new SchNet({ seed: 1, ...options });
  return new MultiPoseModel({
    representation,
    strategy: new ComplexOnlyStrategy({ complex: representation.outputSize }, { seed: 1 }),
    combination: new LogSumExpCombination({ smooth: 'min', scale: 1000 }),
  });
}

/** The first compound of the folder with its first POSES poses, the protein whole (`pocketCutoff: null`) or cropped (8 Å). */
async function compoundOf(protein: 'protein.pdb' | 'pocket.pdb'): Promise<Compound> {
  const { compounds } = await featurizeFolder(folder!, protein === 'protein.pdb' ? { protein, pocketCutoff: null } : { protein });
  const first = compounds[0]!;
  return { ...first, poses: first.poses.slice(0, POSES) };
}

interface Run {
  atoms: number;
  edges: number;
  poses: number;
  estimateBytes: number;
  peakBytes: number;
  stepS: number;
  sPerPose: number;
}

/** One recompute step (after the neighbour lists are built): its time and the peak bytes it adds. */
async function trainStep(model: MultiPoseModel, compound: Compound): Promise<Run> {
  const pose = compound.poses[0]!;
  const edges = poseRadiusGraph(pose, { cutoff: 10, maxNeighbors: 32 }).source.length;
  const before = tf.memory().numBytes;
  const start = performance.now();
  const info = await tf.profile(() => tf.dispose(model.valueAndGrads(compound, squaredError(), { mode: 'recompute' }).grads));
  const stepS = (performance.now() - start) / 1000;
  const estimateBytes = Math.max(...compound.poses.map((p) => model.estimateBytes(p, true)));
  return { atoms: pose.z.length, edges, poses: compound.poses.length, estimateBytes, peakBytes: info.peakBytes - before, stepS, sPerPose: stepS / compound.poses.length };
}

const full = await compoundOf('protein.pdb');
const pocket = await compoundOf('pocket.pdb');
console.log(`compound ${full.id}: ${full.poses.length} poses, ${full.poses[0]!.z.length} atoms uncropped, ${pocket.poses[0]!.z.length} in the pocket`);

const variants = {
  pocket: [pocket, {}],
  pocketCheckpointed: [pocket, { checkpointAboveEdges: 0 }],
  full: [full, {}],
  fullSharedStage: [full, { maxSharedStageBytes: 2 ** 30 }],
} satisfies Record<string, [Compound, SchNetOptions]>;
const runs = {} as Record<keyof typeof variants, Run>;
for (const [name, [compound, options]] of Object.entries(variants) as Array<[keyof typeof variants, [Compound, SchNetOptions]]>) {
  const model = modelOf(options);
  model.predict(pocket); // wasm warm-up and neighbour lists outside the measurement
  runs[name] = await trainStep(model, compound);
  console.log(name, JSON.stringify(runs[name]));
  model.dispose();
}

// Without checkpointing the uncropped step cannot fit: it is refused before anything is allocated.
const plain = modelOf({ checkpointAboveEdges: Number.MAX_SAFE_INTEGER });
let refusal: string;
try {
  tf.dispose(plain.valueAndGrads(full, squaredError(), { mode: 'recompute' }).grads);
  refusal = 'not refused';
} catch (error) {
  if (!(error instanceof PosePoolError)) throw error;
  refusal = `${error.code}: ${error.message}`;
}
const plainEstimateBytes = plain.estimateBytes(full.poses[0]!, true);
console.log(`without checkpointing: estimated ${(plainEstimateBytes / 2 ** 30).toFixed(2)} GiB per pose; ${refusal}`);
plain.dispose();

const ratios = {
  full_cdk8_peak_bytes: runs.full.peakBytes,
  full_cdk8_train_s_per_pose: runs.full.sPerPose,
};
const path = await writeResult('full-structure', {
  machine: machine(),
  backend: tf.getBackend(),
  data: `../shared/data/cdk8 (PLB 5HNB): compound ${full.id}, its first ${full.poses.length} poses; full = protein.pdb with pocketCutoff null, pocket = pocket.pdb (residues within 8 Å of any pose); heavy atoms`,
  model: 'default SchNet (mtenn defaults: hidden 128, 6 interactions, cutoff 10 Å, 32 neighbours; checkpointing above 65 536 edges in chunks of 16 384), complex-only, smooth-min (scale 1000)',
  notes: [
    "One recompute training step per variant, after a warm-up prediction; peak = tf.profile peakBytes minus bytes alive before the step; estimate = the model's estimateBytes for the largest pose, which the engine checks before the step.",
    'Default options unless named. pocket: whole interaction blocks (its edges are under checkpointAboveEdges) with the shared receptor stage; pocketCheckpointed: the same in checkpointed chunks (checkpointAboveEdges 0); full: checkpointed chunks, without the shared stage (its filters exceed maxSharedStageBytes); fullSharedStage: the same with maxSharedStageBytes 1 GiB.',
    'One wasm thread on a shared machine: times are noisy.',
  ],
  runs,
  withoutCheckpointing: { estimateBytes: plainEstimateBytes, refusal },
  ratios,
});
console.log(`wrote ${path}`);

// Other benchmarks write throughput.json too: keep their keys.
const throughputPath = resultsPath('throughput');
const throughput = JSON.parse(await readFile(throughputPath, 'utf8').catch(() => '{}')) as { ratios?: Record<string, number> };
await writeResult('throughput', { ...throughput, ratios: { ...throughput.ratios, ...ratios } });
console.log(`merged ${Object.keys(ratios).join(', ')} into ${join('bench', 'results', 'throughput.json')}`);
