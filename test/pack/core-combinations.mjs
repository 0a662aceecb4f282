// Installed from the packed tarballs of @posepool/core and @posepool/combinations alone, in plain
// Node ESM: a hand-written TF.js representation trains one step and predicts.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { combinationsPlugin } from '@posepool/combinations';
import { Linear, Module, buildModel, corePlugin, createRegistry, defineComponent, definePlugin, squaredError, useBackend } from '@posepool/core';
import { randomCompound } from '@posepool/core/testing';
import { z } from 'zod';

/** Mean of a dense layer over the atoms' one-hot elements and coordinates. */
class MeanAtoms extends Module {
  outputSize = 8;
  constructor() {
    super();
    this.layer = this.addModule('layer', new Linear(4, 8, { seed: 1 }));
  }
  represent(pose) {
    return tf.tidy(() => {
      const atoms = pose.z.length;
      const features = tf.concat([tf.tensor2d(pose.pos, [atoms, 3]), tf.tensor2d(Float32Array.from(pose.z), [atoms, 1]).div(10)], 1);
      return tf.tanh(this.layer.apply(features)).mean(0);
    });
  }
}

await useBackend('wasm');
const plugin = definePlugin({
  name: 'pack-test',
  components: [defineComponent({ kind: 'representation', name: 'mean-atoms', description: 'Mean of a dense layer over atoms.', options: z.object({}).strict(), create: () => new MeanAtoms() })],
});
const registry = createRegistry().use(corePlugin).use(combinationsPlugin).use(plugin);
const model = buildModel({ representation: { name: 'mean-atoms' }, strategy: { name: 'complex-only', options: { seed: 1 } }, combination: { name: 'boltzmann' }, readout: { name: 'pki' } }, registry);
const compound = { ...randomCompound({ poses: 3, atoms: 10 }), target: 7 };
const before = model.predict(compound);
const optimizer = tf.train.adam(0.05);
const step = model.valueAndGrads(compound, squaredError(), { mode: 'recompute' });
model.applyGradients(optimizer, step.grads);
tf.dispose(step.grads);
const after = model.predict(compound);
assert.equal(after.poses.length, 3);
assert.ok(Number.isFinite(after.combined));
assert.ok((after.combined - 7) ** 2 < step.loss, `one step lowers the loss: ${step.loss} → ${(after.combined - 7) ** 2}`);
console.log(`core + combinations: loss ${step.loss.toFixed(4)} → ${((after.combined - 7) ** 2).toFixed(4)}; prediction ${before.combined.toFixed(3)} → ${after.combined.toFixed(3)} over ${after.poses.length} poses`);
