import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { resolveRunConfig } from '../config/load.js';
import { clipByGlobalNorm } from './loop.js';
import { RunOptimizer } from './optimizer.js';

const optimizerOptions = (options: object) => resolveRunConfig({ optimizer: options }).optimizer;

describe('RunOptimizer', () => {
  it('adamw decays weights by (1 − lr·λ) before the Adam step (zero gradients: decay only)', () => {
    const w = tf.tidy(() => tf.variable(tf.tensor1d([2, -4]), true, 'adamw-w'));
    const optimizer = new RunOptimizer(optimizerOptions({ name: 'adamw', learningRate: 0.1, weightDecay: 0.5 }));
    const zero = { w: tf.zerosLike(w) };
    optimizer.step(zero, { w });
    expect(Array.from(w.dataSync())).toEqual([2 * 0.95, -4 * 0.95].map(Math.fround));
    tf.dispose([w, zero.w]);
    optimizer.dispose();
  });

  it('restores Adam exactly: moments, iterations and β powers', async () => {
    const run = async (split: boolean): Promise<Float32Array> => {
      const w = tf.tidy(() => tf.variable(tf.tensor1d([1, 2, 3]), true, `adam-${String(split)}`));
      let optimizer = new RunOptimizer(optimizerOptions({ name: 'adam', learningRate: 0.01 }));
      for (let step = 0; step < 10; step++) {
        if (split && step === 5) {
          const state = JSON.parse(JSON.stringify(await optimizer.state())) as Awaited<ReturnType<RunOptimizer['state']>>;
          optimizer.dispose();
          optimizer = new RunOptimizer(optimizerOptions({ name: 'adam', learningRate: 0.01 }));
          await optimizer.restore(state);
        }
        const g = { w: tf.tensor1d([0.3, -0.1 * step, 0.05]) };
        optimizer.step(g, { w });
        tf.dispose(g.w);
      }
      const values = w.dataSync() as Float32Array;
      optimizer.dispose();
      w.dispose();
      return values;
    };
    const before = tf.memory().numTensors;
    expect(await run(true)).toEqual(await run(false));
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(['adam', 'adamw', 'sgd'] as const)('%s leaves a variable without a gradient (a frozen one) and its slots as they were, whatever its place', async (name) => {
    const [a, b] = tf.tidy(() => [tf.variable(tf.tensor1d([1, 2]), true, `frozen-a-${name}`), tf.variable(tf.tensor1d([3, 4]), true, `frozen-b-${name}`)]);
    const optimizer = new RunOptimizer(optimizerOptions({ name, learningRate: 0.1, weightDecay: 0.5, momentum: 0.9 }));
    for (let step = 0; step < 3; step++) {
      const g = { b: tf.tensor1d([0.5, -0.5]) };
      optimizer.step(g, { a: a!, b: b! });
      tf.dispose(g.b);
    }
    expect(Array.from(a!.dataSync())).toEqual([1, 2]);
    expect(Array.from(b!.dataSync())).not.toEqual([3, 4]);
    const slots = (await optimizer.state()).slots.filter((s) => s.name.startsWith(`frozen-a-${name}/`));
    expect(slots.length).toBe(name === 'sgd' ? 1 : 2); // sgd with momentum: one slot
    for (const s of slots) expect(Buffer.from(s.data, 'base64').every((byte) => byte === 0)).toBe(true);
    optimizer.dispose();
    tf.dispose([a!, b!]);
  });

  it('clips the global norm', () => {
    const grads: tf.NamedTensorMap = { a: tf.tensor1d([3]), b: tf.tensor1d([4]) };
    expect(clipByGlobalNorm(grads, 1)).toBeCloseTo(5, 6);
    expect(grads.a!.dataSync()[0]).toBeCloseTo(0.6, 6);
    expect(grads.b!.dataSync()[0]).toBeCloseTo(0.8, 6);
    expect(clipByGlobalNorm(grads, 10)).toBeCloseTo(1, 6);
    expect(grads.a!.dataSync()[0]).toBeCloseTo(0.6, 6);
    tf.dispose(grads);
  });
});
