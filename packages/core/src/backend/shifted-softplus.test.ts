import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';

import { useBackend } from './backend.js';
import { SHIFTED_SOFTPLUS, shiftedSoftplus } from './shifted-softplus.js';
import { expectNoLeaks } from '../testing/leaks.js';
import { seededRandom } from '../testing/random.js';

const random = seededRandom(3);
// Both signs, zero, the far tails (exp underflow beyond ±87.3) and odd lengths (a partial last lane).
const xs = [...Array.from({ length: 997 }, () => (random() * 2 - 1) * 30), 0, -0, 1e-8, -1e-8, 88, -88, 100, -100];
const dys = xs.map(() => random() * 2 - 1);

/** The value and the gradient for an upstream gradient dy. */
function run(f: (x: tf.Tensor) => tf.Tensor): { y: number[]; dx: number[] } {
  return tf.tidy(() => {
    const x = tf.tensor1d(xs);
    const [dx] = tf.grads((v: tf.Tensor) => f(v))([x], tf.tensor1d(dys));
    return { y: Array.from(f(x).dataSync()), dx: Array.from(dx!.dataSync()) };
  });
}

describe('shiftedSoftplus', () => {
  afterAll(async () => {
    await useBackend('wasm');
  });

  it('on wasm runs its own kernel, bit for bit softplus(x) − ln 2, with the gradient dy ⊙ sigmoid(x)', async () => {
    await useBackend('wasm');
    expect(tf.getKernel(SHIFTED_SOFTPLUS, 'wasm')).toBeDefined();
    const fused = expectNoLeaks(() => run(shiftedSoftplus));
    const composed = run((x) => tf.softplus(x).sub(Math.LN2));
    expect(fused).toEqual(composed);
    expect(shiftedSoftplus(tf.tensor2d([[0, 1], [2, 3]])).shape).toEqual([2, 2]);
  });

  it('elsewhere is the composite, and both equal a float64 reference (within 3 ulp of softplus, as the SIMD kernel is)', async () => {
    await useBackend('cpu');
    expect(tf.getKernel(SHIFTED_SOFTPLUS, 'cpu')).toBeUndefined();
    const cpu = run(shiftedSoftplus);
    await useBackend('wasm');
    const wasm = run(shiftedSoftplus);
    for (const { y, dx } of [cpu, wasm]) {
      xs.forEach((x, i) => {
        const softplus = Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
        expect(Math.abs(y[i]! - (softplus - Math.LN2))).toBeLessThanOrEqual(4 * 2 ** -23 * Math.max(1, softplus));
        expect(Math.abs(dx[i]! - dys[i]! / (1 + Math.exp(-x)))).toBeLessThanOrEqual(1e-6);
      });
    }
  });
});
