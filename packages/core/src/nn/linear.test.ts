import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { Linear } from './linear.js';
import { seededRandom } from '../testing/random.js';

/** x Wᵀ + b in JS doubles. */
function reference(x: number[][], w: number[][], b: number[]): number[][] {
  return x.map((row) => w.map((wo, o) => wo.reduce((sum, v, i) => sum + v * row[i]!, b[o]!)));
}

describe('Linear', () => {
  const random = seededRandom(2);
  const x = Array.from({ length: 5 }, () => Array.from({ length: 3 }, () => random() - 0.5));

  it('computes x Wᵀ + b and its gradients (closed forms), for rows and for one vector', () => {
    const layer = new Linear(3, 2, { seed: 1 });
    const [w, b] = [layer.weight.variable.arraySync() as number[][], layer.bias!.variable.arraySync() as number[]];
    const y = tf.tidy(() => layer.apply(tf.tensor2d(x)).arraySync());
    y.flat().forEach((v, k) => expect(v).toBeCloseTo(reference(x, w, b).flat()[k]!, 6));
    expect(tf.tidy(() => layer.apply(tf.tensor1d(x[0]!)).arraySync())).toEqual(y[0]);
    // d/dθ of Σ y ⊙ c: dW = cᵀ x, db = Σ_rows c, dx = c W.
    const c = x.map((row) => [row[0]! + 1, row[1]! - 1]);
    const { grads } = tf.variableGrads(() => layer.apply(tf.tensor2d(x)).mul(tf.tensor2d(c)).sum() as tf.Scalar, layer.variables());
    const [dW, db] = [grads[layer.weight.variable.name]!.arraySync() as number[][], grads[layer.bias!.variable.name]!.arraySync() as number[]];
    dW.forEach((row, o) => row.forEach((v, i) => expect(v).toBeCloseTo(x.reduce((s, xr, r) => s + c[r]![o]! * xr[i]!, 0), 6)));
    db.forEach((v, o) => expect(v).toBeCloseTo(c.reduce((s, cr) => s + cr[o]!, 0), 6));
    const dx = tf.tidy(() => tf.grad((t: tf.Tensor) => layer.apply(t as tf.Tensor2D).mul(tf.tensor2d(c)).sum())(tf.tensor2d(x)).arraySync() as number[][]);
    dx.forEach((row, r) => row.forEach((v, i) => expect(v).toBeCloseTo(c[r]!.reduce((s, cv, o) => s + cv * w[o]![i]!, 0), 6)));
    tf.dispose(grads);
    layer.dispose();
  });

  it('applyToConstant gives the same values and parameter gradients, computes no dx in the backward pass, and leaks nothing', async () => {
    const layer = new Linear(3, 2, { seed: 1 });
    const c = tf.tensor2d(x.map((row) => [row[0]! + 1, row[1]! - 1]));
    const input = tf.tensor2d(x);
    const step = (apply: (t: tf.Tensor2D) => tf.Tensor2D) => tf.variableGrads(() => apply(input).mul(c).sum() as tf.Scalar, layer.variables());
    const plain = step((t) => layer.apply(t));
    const before = tf.memory().numTensors;
    const constant = step((t) => layer.applyToConstant(t));
    expect(constant.value.arraySync()).toBe(plain.value.arraySync());
    for (const name of Object.keys(plain.grads)) expect(constant.grads[name]!.arraySync()).toEqual(plain.grads[name]!.arraySync());
    tf.dispose([constant.value, ...Object.values(constant.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    // Forward and backward: three products with dx (x Wᵀ, dy W, dyᵀ x), two without.
    const products = async (apply: (t: tf.Tensor2D) => tf.Tensor2D): Promise<number> =>
      (await tf.profile(() => tf.dispose(Object.values(step(apply).grads)))).kernels.filter((k) => k.name === 'BatchMatMul').length;
    expect(await products((t) => layer.apply(t))).toBe(3);
    expect(await products((t) => layer.applyToConstant(t))).toBe(2);
    tf.dispose([plain.value, ...Object.values(plain.grads), c, input]);
    layer.dispose();
  });

  it('follows its weight after an assign (an optimizer step), holding the same number of tensors; dispose frees everything', () => {
    const before = tf.memory().numTensors;
    const layer = new Linear(3, 2, { bias: false, seed: 1 });
    const held = tf.memory().numTensors;
    tf.tidy(() => void layer.apply(tf.tensor2d(x)));
    const w = [
      [1, 2, 3],
      [-1, 0, 1],
    ];
    const next = tf.tensor2d(w);
    layer.weight.variable.assign(next);
    next.dispose();
    const y = tf.tidy(() => layer.apply(tf.tensor2d(x)).arraySync());
    y.flat().forEach((v, k) => expect(v).toBeCloseTo(reference(x, w, [0, 0]).flat()[k]!, 6));
    expect(tf.memory().numTensors).toBe(held);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
