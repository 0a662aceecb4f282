// The README's usage example, kept here so a test runs it exactly as printed.
import * as tf from '@tensorflow/tfjs';
import { combinationsPlugin } from '@posepool/combinations';
import { GradientAccumulator, buildGroupedModel, corePlugin, createRegistry, squaredError, useBackend, type Compound } from '@posepool/core';
import { randomCompound, testingPlugin } from '@posepool/core/testing';

export async function usageExample(): Promise<number[]> {
  await useBackend('wasm');
  const registry = createRegistry().use(corePlugin).use(combinationsPlugin).use(testingPlugin);
  const model = buildGroupedModel(
    {
      representation: { name: 'toy-message-passing', options: { hidden: 16 } }, // SchNet etc. come from @posepool/models
      strategy: { name: 'complex-only' },
      combination: { name: 'max', options: { negate: true, scale: 1000 } }, // smooth min over pose energies
      readout: { name: 'pki' }, // ΔG (kT) → pK
    },
    registry,
  );
  const compounds: Compound[] = [1, 2, 3].map((seed) => randomCompound({ poses: 8, atoms: 40, seed }));

  const optimizer = tf.train.adam(1e-3);
  const batch = new GradientAccumulator(model.trainableVariables());
  const losses: number[] = [];
  for (const compound of compounds) {
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
