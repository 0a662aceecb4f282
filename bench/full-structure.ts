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
import { SchNet, schNetOptions, type SchNetOptions } from '@posepool/models';

import { machine, median, resultsPath, sharedPath, writeResult } from './lib.js';

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

/** The first compound of a target folder with its first POSES poses, the protein whole (`pocketCutoff: null`) or cropped (8 Å). */
async function compoundOf(protein: 'protein.pdb' | 'pocket.pdb', dir = folder!): Promise<Compound> {
  const { compounds } = await featurizeFolder(dir, protein === 'protein.pdb' ? { protein, pocketCutoff: null } : { protein });
  const first = compounds[0]!;
  return { ...first, poses: first.poses.slice(0, POSES) };
}

interface Run {
  atoms: number;
  edges: number;
  poses: number;
  estimateBytes: number;
  peakBytes: number;
  /** Median over the repeats. */
  stepS: number;
  sPerPose: number;
  repeats: number;
}

/** One recompute step: its time and the peak bytes it adds. */
async function trainStep(model: MultiPoseModel, compound: Compound): Promise<{ s: number; peakBytes: number }> {
  const before = tf.memory().numBytes;
  const start = performance.now();
  const info = await tf.profile(() => tf.dispose(model.valueAndGrads(compound, squaredError(), { mode: 'recompute' }).grads));
  return { s: (performance.now() - start) / 1000, peakBytes: info.peakBytes - before };
}

const full = await compoundOf('protein.pdb');
const pocket = await compoundOf('pocket.pdb');
console.log(`compound ${full.id}: ${full.poses.length} poses, ${full.poses[0]!.z.length} atoms uncropped, ${pocket.poses[0]!.z.length} in the pocket`);

/** Variants measured side by side: `repeats` steps each, interleaved (this machine's speed drifts), after a warm-up prediction. */
const groups: Array<{ compound: Compound; repeats: number; variants: Record<string, SchNetOptions> }> = [
  { compound: pocket, repeats: 3, variants: { pocket: {}, pocketCheckpointed: { checkpointAboveEdges: 0 } } },
  { compound: full, repeats: 1, variants: { full: {}, fullSharedStage: { maxSharedStageBytes: 2 ** 30 } } },
];
// The other uncropped complexes that did not train before checkpointing (p38 aborted the process, mcl1 peaked at 1.65 GiB).
for (const target of ['mcl1', 'p38']) {
  const dir = sharedPath('data', target);
  if (dir !== undefined) groups.push({ compound: await compoundOf('protein.pdb', dir), repeats: 1, variants: { [`full_${target}`]: {} } });
}
const runs: Record<string, Run> = {};
for (const { compound, repeats, variants } of groups) {
  const models = Object.entries(variants).map(([name, options]) => [name, modelOf(options)] as const);
  const steps = new Map<string, Array<{ s: number; peakBytes: number }>>();
  models.forEach(([, model]) => model.predict(compound)); // wasm warm-up and neighbour lists outside the measurement
  for (let r = 0; r < repeats; r++) for (const [name, model] of models) steps.set(name, [...(steps.get(name) ?? []), await trainStep(model, compound)]);
  for (const [name, model] of models) {
    const measured = steps.get(name)!;
    const stepS = median(measured.map((m) => m.s));
    const pose = compound.poses[0]!;
    runs[name] = {
      atoms: pose.z.length,
      edges: poseRadiusGraph(pose, { cutoff: 10, maxNeighbors: 32 }).source.length,
      poses: compound.poses.length,
      estimateBytes: Math.max(...compound.poses.map((p) => model.estimateBytes(p, true))),
      peakBytes: Math.max(...measured.map((m) => m.peakBytes)),
      stepS,
      sPerPose: stepS / compound.poses.length,
      repeats,
    };
    console.log(name, JSON.stringify(runs[name]));
    model.dispose();
  }
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
  full_cdk8_peak_bytes: runs.full!.peakBytes,
  full_cdk8_train_s_per_pose: runs.full!.sPerPose,
};
const path = await writeResult('full-structure', {
  machine: machine(),
  backend: tf.getBackend(),
  data: `../shared/data/cdk8 (PLB 5HNB): compound ${full.id}, its first ${full.poses.length} poses; full = protein.pdb with pocketCutoff null, pocket = pocket.pdb (residues within 8 Å of any pose); heavy atoms. full_mcl1, full_p38: the first compound of ../shared/data/mcl1 and p38 likewise, uncropped`,
  model: `default SchNet (${JSON.stringify(schNetOptions.parse({}))}), complex-only, smooth-min (scale 1000)`,
  notes: [
    "Recompute training steps after a warm-up prediction, the variants of one compound interleaved: the median of 3 for the pocket, 1 for the whole protein; peak = tf.profile peakBytes minus bytes alive before the step (the largest); estimate = the model's estimateBytes for the largest pose, which the engine checks before the step.",
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
