// The README's usage example, kept here so a test runs it exactly as printed.
import * as tf from '@tensorflow/tfjs';
import { combinationsPlugin } from '@posepool/combinations';
import { GradientAccumulator, buildModel, corePlugin, createRegistry, squaredError, useBackend } from '@posepool/core';
import { featurizeFolder } from '@posepool/featurizers';
import { modelsPlugin } from '@posepool/models';

export async function usageExample(dataDir = 'examples/data/tyk2'): Promise<number[]> {
  await useBackend('wasm');
  const registry = createRegistry().use(corePlugin).use(combinationsPlugin).use(modelsPlugin);
  const model = buildModel(
    {
      representation: { name: 'schnet', options: { hiddenChannels: 32, numFilters: 32, numInteractions: 2, cutoff: 5 } },
      strategy: { name: 'complex-only' },
      combination: { name: 'smooth-min', options: { scale: 1000 } }, // smooth min over pose energies
      readout: { name: 'pki' }, // ΔG (kT) → pK
    },
    registry,
  );
  // A protein pocket, docked poses (SDF) and measurements (CSV) → compounds of poses.
  const { compounds } = await featurizeFolder(dataDir, { pocketCutoff: 6 });

  const optimizer = tf.train.adam(1e-3);
  const batch = new GradientAccumulator(model.trainableVariables());
  const losses: number[] = [];
  for (const compound of compounds.slice(0, 3)) {
    // One pose graph in memory at a time, whatever the number of poses.
    const step = model.valueAndGrads(compound, squaredError(), { mode: 'recompute' });
    losses.push(step.loss);
    batch.add(step.grads); // takes the gradients over (and frees them)
  }
  batch.applyTo(optimizer); // mean gradient of the mini-batch
  batch.dispose();
  optimizer.dispose();

  console.log(model.predict(compounds[0]!)); // { combined: pK, poses: per-pose ΔG }
  model.dispose();
  return losses;
}
