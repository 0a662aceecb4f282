import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';

import { applyActivation } from './activations.js';
import { useBackend } from './backend.js';
import { captureOriginal } from './wasm-fast-paths.js';
import { expectNoLeaks } from '../testing/leaks.js';
import { seededRandom } from '../testing/random.js';

const random = seededRandom(11);
/** Wide, narrow, near-zero and edge values, odd in count so the last block has a partial vector. */
const inputs = Float32Array.from([
  ...Array.from({ length: 150_001 }, () => (random() - 0.5) * 60),
  ...Array.from({ length: 20_000 }, () => (random() - 0.5) * 1e-3),
  ...Array.from({ length: 20_000 }, () => (random() - 0.5) * 240),
  ...[0, -0, 1e-30, -1e-30, 1e-45, 87.3, 87.4, -87.3, -87.4, -103, -110, 3e38, -3e38],
]);

const exact = {
  softplus: (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))),
  sigmoid: (x: number): number => 1 / (1 + Math.exp(-x)),
};

/** Largest error in float32 ulps of the exact value, where it is a normal float32; and the largest absolute error elsewhere. */
function errors(name: keyof typeof exact, values: Float32Array, out: Float32Array): { ulps: number; subnormal: number } {
  let ulps = 0;
  let subnormal = 0;
  values.forEach((x, i) => {
    const reference = Math.fround(exact[name](x));
    const diff = Math.abs(out[i]! - reference);
    if (Math.abs(reference) < 2 ** -126) subnormal = Math.max(subnormal, diff);
    else ulps = Math.max(ulps, diff / 2 ** (Math.floor(Math.log2(Math.abs(reference))) - 23));
  });
  return { ulps, subnormal };
}

describe('SIMD softplus and sigmoid', () => {
  afterAll(async () => {
    await useBackend('wasm');
  });

  for (const name of ['softplus', 'sigmoid'] as const) {
    it(`${name} is within 3 ulp of the exact value (float32 arithmetic; 1.2e-38 absolute where the result is subnormal)`, () => {
      const out = new Float32Array(inputs.length);
      applyActivation(name, inputs, out);
      const { ulps, subnormal } = errors(name, inputs, out);
      expect(ulps).toBeLessThanOrEqual(3);
      expect(subnormal).toBeLessThan(1.2e-38);
    });
  }

  it('keeps NaN and infinities as TF.js does', () => {
    const out = new Float32Array(3);
    applyActivation('softplus', Float32Array.of(NaN, Infinity, -Infinity), out);
    expect(Array.from(out)).toEqual([NaN, Infinity, 0]);
    applyActivation('sigmoid', Float32Array.of(NaN, Infinity, -Infinity), out);
    expect(Array.from(out)).toEqual([NaN, 1, 0]);
  });

  // On these inputs TF.js's own kernels are within 7 (softplus) and 3 (sigmoid) ulp; these within 3 and 2.
  it("as wasm kernels: as close to the exact values as TF.js's own, give softplus its gradient, leak nothing", async () => {
    await useBackend('wasm');
    const x = inputs.subarray(0, 50_001);
    const [softplus, sigmoid, grad] = tf.tidy(() => {
      const t = tf.tensor1d(x);
      return [tf.softplus(t).dataSync() as Float32Array, tf.sigmoid(t).dataSync() as Float32Array, tf.grad((v: tf.Tensor) => tf.softplus(v).sum())(t).dataSync() as Float32Array];
    });
    const original = (name: string): Float32Array =>
      tf.tidy(() => {
        const t = tf.tensor1d(x);
        const info = captureOriginal(name).kernelFunc({ inputs: { x: t }, backend: tf.backend(), attrs: {} }) as tf.TensorInfo;
        return tf.engine().makeTensorFromTensorInfo(info).dataSync() as Float32Array;
      });
    expect(errors('softplus', x, softplus).ulps).toBeLessThanOrEqual(errors('softplus', x, original('Softplus')).ulps);
    expect(errors('sigmoid', x, sigmoid).ulps).toBeLessThanOrEqual(errors('sigmoid', x, original('Sigmoid')).ulps);
    expect(Array.from(grad)).toEqual(Array.from(sigmoid));
    expectNoLeaks(() => tf.tidy(() => void tf.grad((v: tf.Tensor) => tf.softplus(v).sum())(tf.tensor1d([1, -2, 3]))));
  });
});
