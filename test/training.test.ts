import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { combinationsPlugin } from '@posepool/combinations';
import { GradientAccumulator, buildModel, corePlugin, createRegistry, loadModel, saveModel, squaredError, sumOfLosses, poseLabelSquaredError } from '@posepool/core';
import { expectNoLeaks, randomCompound, testingPlugin } from '@posepool/core/testing';
import { describe, expect, it } from 'vitest';

const registry = createRegistry().use(corePlugin).use(combinationsPlugin).use(testingPlugin);
const compounds = [1, 2, 3].map((seed) => randomCompound({ poses: 4, atoms: 14, seed }));
const loss = sumOfLosses(squaredError(), poseLabelSquaredError('pose_target', 0.1));

describe('training with every first-party combination', () => {
  for (const { name } of combinationsPlugin.components) {
    it(`${name}: loss falls, 100 steps leak nothing, the saved model predicts the same`, async () => {
      const model = buildModel(
        {
          representation: { name: 'toy-message-passing', options: { hidden: 8, layers: 1, seed: 2 } },
          strategy: { name: 'delta', options: { seed: 2 } },
          combination: { name },
        },
        registry,
      );
      const optimizer = tf.train.adam(0.02);
      const batch = new GradientAccumulator(model.trainableVariables());
      const epoch = (): number => {
        let total = 0;
        for (const [i, compound] of compounds.entries()) {
          const step = model.valueAndGrads(compound, loss, { mode: (['stored', 'recompute', 'auto'] as const)[i % 3] });
          total += step.loss;
          batch.add(step.grads);
        }
        batch.applyTo(optimizer);
        batch.reset();
        return total;
      };
      const first = epoch();
      let last = first;
      expectNoLeaks(() => {
        for (let i = 0; i < 100; i++) last = epoch();
      });
      expect(last).toBeLessThan(first);

      const dir = await mkdtemp(join(tmpdir(), 'posepool-train-'));
      await saveModel(model, join(dir, 'model'));
      const loaded = await loadModel(join(dir, 'model'), registry);
      expect(loaded.predict(compounds[0]!)).toEqual(model.predict(compounds[0]!));
      for (const m of [model, loaded]) m.dispose();
      batch.dispose();
      optimizer.dispose();
      await rm(dir, { recursive: true, force: true });
    });
  }
});
