// PosePool demo: trains a multi-pose model on the bundled tyk2 set (13 compounds, 116 poses),
// saves it, loads it back and checks the loaded model predicts the same.
// Run: pnpm demo [output-directory]
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs';
import { combinationsPlugin } from '@posepool/combinations';
import {
  GradientAccumulator,
  buildModel,
  corePlugin,
  createRegistry,
  loadModel,
  saveModel,
  squaredError,
  useBackend,
  type Compound,
  type MultiPoseModel,
  type ModelConfig,
} from '@posepool/core';
import { testingPlugin } from '@posepool/core/testing';
import { featurizeFolder } from '@posepool/featurizers';

const here = dirname(fileURLToPath(import.meta.url));
const output = resolve(process.argv[2] ?? join(here, 'output', 'tyk2-model'));
const EPOCHS = 12;
const BATCH = 4;

tf.enableProdMode();
await useBackend('wasm');
const registry = createRegistry().use(corePlugin).use(combinationsPlugin).use(testingPlugin);

// Pocket residues within 6 Å of each compound's poses, heavy atoms only.
const { compounds } = await featurizeFolder(join(here, '..', 'data', 'tyk2'), { pocketCutoff: 6 });
const test = compounds.filter((_, i) => i % 4 === 3);
const train = compounds.filter((_, i) => i % 4 !== 3);
const poses = compounds.reduce((n, c) => n + c.poses.length, 0);
const atoms = compounds.flatMap((c) => c.poses.map((p) => p.z.length));
console.log(`tyk2: ${compounds.length} compounds, ${poses} poses, ${Math.min(...atoms)}–${Math.max(...atoms)} atoms per pose; train ${train.length}, test ${test.length}`);

// Each pose is scored as a free energy ΔG (kT); the poses combine as a Boltzmann-weighted mean;
// the readout turns ΔG into pK = −ΔG/ln10, the measured quantity.
const config: ModelConfig = {
  representation: { name: 'toy-message-passing', options: { hidden: 32, layers: 2, gaussians: 16, cutoff: 5, maxNeighbors: 24, seed: 1 } },
  strategy: { name: 'complex-only', options: { seed: 1 } },
  combination: { name: 'boltzmann', options: { temperature: 1 } },
  readout: { name: 'pki' },
};
const model = buildModel(config, registry);
// Start the energy head at the ΔG of the mean training pK, so training learns the differences.
const meanPK = train.reduce((s, c) => s + c.target!, 0) / train.length;
const bias = model.namedParameters().find(([path]) => path === 'strategy.head.bias')![1].variable;
tf.tidy(() => bias.assign(tf.tensor1d([-Math.LN10 * meanPK])));
console.log(`model: ${model.countParameters()} parameters; combination ${model.combinationName}; gradient mode auto`);

const rmse = (m: MultiPoseModel, set: Compound[]): number => Math.sqrt(set.reduce((s, c) => s + (m.predict(c).combined - c.target!) ** 2, 0) / set.length);

const optimizer = tf.train.adam(3e-3);
const batch = new GradientAccumulator(model.trainableVariables());
const loss = squaredError();
for (let epoch = 1; epoch <= EPOCHS; epoch++) {
  const start = performance.now();
  let total = 0;
  for (let i = 0; i < train.length; i++) {
    const step = model.valueAndGrads(train[i]!, loss, { mode: 'auto' });
    total += step.loss;
    batch.add(step.grads);
    if (batch.count === BATCH || i === train.length - 1) {
      batch.applyTo(optimizer);
      batch.reset();
    }
  }
  const seconds = (performance.now() - start) / 1000;
  const trainPoses = train.reduce((n, c) => n + c.poses.length, 0);
  console.log(
    `epoch ${String(epoch).padStart(2)}  train MSE ${(total / train.length).toFixed(3)}  test RMSE ${rmse(model, test).toFixed(3)}  ` +
      `${(trainPoses / seconds).toFixed(1)} poses/s  ${(tf.memory().numBytes / 2 ** 20).toFixed(1)} MiB in tensors`,
  );
}
batch.dispose();
optimizer.dispose();

await saveModel(model, output);
const loaded = await loadModel(output, registry);
console.log(`\nsaved to ${output} and loaded back\n\ncompound        pK exp   pK pred   (loaded)   best pose`);
for (const c of test) {
  const [a, b] = [model.predict(c), loaded.predict(c)];
  if (a.combined !== b.combined) throw new Error(`The loaded model predicts ${b.combined} for ${c.id}, the trained one ${a.combined}.`);
  const best = a.poses.indexOf(Math.min(...a.poses));
  console.log(`${c.id.padEnd(14)}  ${c.target!.toFixed(2).padStart(6)}   ${a.combined.toFixed(2).padStart(7)}   ${b.combined.toFixed(2).padStart(7)}   ${best}`);
}
model.dispose();
loaded.dispose();
