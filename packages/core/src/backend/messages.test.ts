import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';

import { useBackend } from './backend.js';
import { GATHER_MULTIPLY_SCATTER, gatherMultiplyScatter } from './messages.js';
import { expectNoLeaks } from '../testing/leaks.js';
import { seededRandom } from '../testing/random.js';

const random = seededRandom(5);
const [rowsA, rowsB, edges, segments] = [30, 50, 400, 30];
const indices = (rows: number): number[] => Array.from({ length: edges }, () => Math.floor(random() * rows));
const [ia, ib, o] = [indices(rowsA), indices(rowsB), indices(segments)];
const values = (n: number): number[] => Array.from({ length: n }, () => random() * 2 - 1);

// 8: one vector at a time; 20: a group of four vectors and one more; 128: SchNet's rows.
const widths = [8, 20, 128];
const inputs = new Map(widths.map((width) => [width, { a: values(rowsA * width), b: values(rowsB * width), dy: values(segments * width) }]));

/** The operation and its gradients (for a random upstream gradient), on rows `width` floats wide. */
function run(width: number): { out: number[]; da: number[]; db: number[] } {
  const data = inputs.get(width)!;
  const [a, b, dy] = [tf.tensor2d(data.a, [rowsA, width]), tf.tensor2d(data.b, [rowsB, width]), tf.tensor2d(data.dy, [segments, width])];
  const idx = [ia, ib, o].map((v) => tf.tensor1d(v, 'int32')) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
  const f = (x: tf.Tensor, y: tf.Tensor): tf.Tensor => gatherMultiplyScatter(x as tf.Tensor2D, y as tf.Tensor2D, ...idx, segments);
  const out = Array.from(f(a, b).dataSync());
  const [da, db] = tf.grads(f)([a, b], dy).map((g) => Array.from(g.dataSync()));
  return { out, da: da!, db: db! };
}

describe('gatherMultiplyScatter', () => {
  afterAll(async () => {
    await useBackend('wasm');
  });

  it('on wasm runs its own kernel and equals gather · multiply · segment sum bit for bit, gradients included, in rows of one vector, a group of four and more', async () => {
    await useBackend('wasm');
    expect(tf.getKernel(GATHER_MULTIPLY_SCATTER, 'wasm')).toBeDefined();
    const wasm = widths.map((width) => tf.tidy(() => run(width)));
    await useBackend('cpu');
    expect(tf.getKernel(GATHER_MULTIPLY_SCATTER, 'cpu')).toBeUndefined();
    const composed = widths.map((width) => tf.tidy(() => run(width)));
    expect(wasm).toEqual(composed);
  });

  it('equals a float64 reference (float32 sums of ~13 products: 1e-5), in widths that are and are not a multiple of 4', async () => {
    await useBackend('wasm');
    for (const width of [4, 6]) {
      const [a, b] = [values(rowsA * width), values(rowsB * width)]; // 6: the TF.js operations
      const reference = new Array<number>(segments * width).fill(0);
      for (let e = 0; e < edges; e++) for (let k = 0; k < width; k++) reference[o[e]! * width + k]! += a[ia[e]! * width + k]! * b[ib[e]! * width + k]!;
      const out = tf.tidy(() => Array.from(gatherMultiplyScatter(tf.tensor2d(a, [rowsA, width]), tf.tensor2d(b, [rowsB, width]), tf.tensor1d(ia, 'int32'), tf.tensor1d(ib, 'int32'), tf.tensor1d(o, 'int32'), segments).dataSync()));
      expect(Math.max(...out.map((v, i) => Math.abs(v - reference[i]!)))).toBeLessThan(1e-5);
    }
  });

  it('refuses an index out of range, or index vectors of different lengths, before writing anything, and leaks nothing', async () => {
    await useBackend('wasm');
    const call = (bad: number[]): unknown => tf.tidy(() => gatherMultiplyScatter(tf.ones([2, 4]), tf.ones([3, 4]), tf.tensor1d([0, 1], 'int32'), tf.tensor1d([0, 2], 'int32'), tf.tensor1d(bad, 'int32'), 2));
    expect(() => call([0, 2])).toThrow('gatherMultiplyScatter: o index 2 at edge 1 is not in [0, 1]');
    expect(() => call([0])).toThrow('gatherMultiplyScatter: ia, ib and o must be int32 vectors of one length (got [[2],[2],[1]])');
    expectNoLeaks(() => tf.tidy(() => void tf.grads((a: tf.Tensor) => gatherMultiplyScatter(a as tf.Tensor2D, tf.ones([3, 4]), tf.tensor1d([0, 1], 'int32'), tf.tensor1d([0, 2], 'int32'), tf.tensor1d([1, 1], 'int32'), 2))([tf.ones([2, 4])])));
  });
});
