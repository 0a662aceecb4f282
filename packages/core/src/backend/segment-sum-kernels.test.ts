import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';

import { useBackend } from './backend.js';
import { seededRandom } from '../testing/random.js';

/** Segment sum in JS doubles. */
function reference(values: number[], ids: number[], rowSize: number, segments: number): number[] {
  const out = new Array<number>(segments * rowSize).fill(0);
  ids.forEach((s, row) => {
    if (s < 0 || s >= segments) return;
    for (let k = 0; k < rowSize; k++) out[s * rowSize + k]! += values[row * rowSize + k]!;
  });
  return out;
}

const random = seededRandom(3);
const rows = 500;
const rowSize = 7;
const segments = 40;
const values = Array.from({ length: rows * rowSize }, () => random() * 2 - 1);
const ids = Array.from({ length: rows }, () => Math.floor(random() * segments));

async function onBackend<T>(name: 'wasm' | 'cpu', f: () => T): Promise<T> {
  await useBackend(name);
  return f();
}

describe('UnsortedSegmentSum kernels', () => {
  afterAll(async () => {
    await useBackend('wasm');
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`matches a float64 reference on ${backend} (float32 sums of ≤ 25 terms: 1e-5)`, async () => {
      const out = await onBackend(backend, () =>
        tf.tidy(() => tf.unsortedSegmentSum(tf.tensor2d(values, [rows, rowSize]), tf.tensor1d(ids, 'int32'), segments).arraySync()),
      );
      expect(out.flat().map((v, i) => v - reference(values, ids, rowSize, segments)[i]!).every((d) => Math.abs(d) < 1e-5)).toBe(true);
    });

    it(`gives tf.gather its gradient on ${backend}, equal to the closed form`, async () => {
      const grad = await onBackend(backend, () =>
        tf.tidy(() => {
          const x = tf.tensor2d(values.slice(0, segments * rowSize), [segments, rowSize]);
          const dy = tf.tensor2d(values, [rows, rowSize]);
          return tf.grad((t: tf.Tensor) => tf.gather(t, tf.tensor1d(ids, 'int32')))(x, dy).arraySync() as number[][];
        }),
      );
      const expected = reference(values, ids, rowSize, segments);
      expect(Math.max(...grad.flat().map((v, i) => Math.abs(v - expected[i]!)))).toBeLessThan(1e-5);
    });

    it(`keeps integer dtypes and 1-D inputs on ${backend}`, async () => {
      const out = await onBackend(backend, () =>
        tf.tidy(() => {
          const sum = tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4], 'int32'), tf.tensor1d([1, 0, 1, 1], 'int32'), 3);
          return { dtype: sum.dtype, values: Array.from(sum.dataSync()) };
        }),
      );
      expect(out).toEqual({ dtype: 'int32', values: [2, 8, 0] });
    });
  }

  it('drops segment ids outside [0, numSegments) on cpu, as TensorFlow does', async () => {
    const out = await onBackend('cpu', () =>
      tf.tidy(() => Array.from(tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3]), tf.tensor1d([0, -1, 5], 'int32'), 2).dataSync())),
    );
    expect(out).toEqual([1, 0]);
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`leaves no tensors or backend buffers behind on ${backend}`, async () => {
      await useBackend(backend);
      const before = [tf.memory().numTensors, tf.backend().numDataIds()];
      tf.tidy(() => {
        tf.grad((t: tf.Tensor) => tf.gather(t, tf.tensor1d([0, 0, 1], 'int32')).sum())(tf.ones([2, 3]));
      });
      expect([tf.memory().numTensors, tf.backend().numDataIds()]).toEqual(before);
    });
  }
});
