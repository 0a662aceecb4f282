import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';

import { useBackend } from './backend.js';
import { segmentSumGradient, segmentSumKernels } from './segment-sum.js';
import { captureOriginal, wasmFastPaths } from './wasm-fast-paths.js';
import { expectNoLeaks } from '../testing/leaks.js';
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
      expectNoLeaks(() =>
        tf.tidy(() => {
          tf.grad((t: tf.Tensor) => tf.gather(t, tf.tensor1d([0, 0, 1], 'int32')).sum())(tf.ones([2, 3]));
        }),
      );
    });
  }
});

describe('wasm fast paths agree with the CPU backend', () => {
  afterAll(async () => {
    await useBackend('wasm');
  });

  async function both<T>(f: () => T): Promise<[T, T]> {
    const wasm = await onBackend('wasm', f);
    const cpu = await onBackend('cpu', f);
    return [wasm, cpu];
  }
  const maxDiff = (a: number[], b: number[]): number => Math.max(0, ...a.map((v, i) => Math.abs(v - b[i]!)));
  const data = (shape: number[], seed: number): tf.Tensor => {
    const r = seededRandom(seed);
    return tf.tensor(Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => r() * 2 - 1), shape);
  };

  for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    it(`matMul, transposeA=${transposeA}, transposeB=${transposeB}, batched and not`, async () => {
      const [wasm, cpu] = await both(() =>
        tf.tidy(() => {
          const a = data(transposeA ? [2, 5, 7] : [2, 7, 5], 1);
          const b = data(transposeB ? [2, 3, 5] : [2, 5, 3], 2);
          const a2 = data(transposeA ? [50, 300] : [300, 50], 3);
          const b2 = data(transposeB ? [64, 50] : [50, 64], 4);
          return [...tf.matMul(a, b, transposeA, transposeB).dataSync(), ...tf.matMul(a2, b2, transposeA, transposeB).dataSync()];
        }),
      );
      expect(maxDiff(wasm, cpu)).toBeLessThan(1e-4);
    });
  }

  it('gather along axis 0 with 1-D and 2-D indices, and other axes through the original kernel', async () => {
    const [wasm, cpu] = await both(() =>
      tf.tidy(() => {
        const x = data([6, 4, 3], 5);
        return [
          ...tf.gather(x, tf.tensor1d([5, 0, 0, 3], 'int32')).dataSync(),
          ...tf.gather(x, tf.tensor2d([[1, 2], [2, 1]], [2, 2], 'int32')).dataSync(),
          ...tf.gather(x, tf.tensor1d([2, 0], 'int32'), 1).dataSync(),
          ...tf.gather(tf.tensor1d([4, 5, 6], 'int32'), tf.tensor1d([2, 2], 'int32')).dataSync(),
        ];
      }),
    );
    expect(wasm).toEqual(cpu);
  });

  it('adds a bias row to a matrix in either order, and leaves other additions to the original kernel (bit for bit the CPU backend)', async () => {
    const [wasm, cpu] = await both(() =>
      tf.tidy(() => {
        const [m, row] = [data([7, 8], 6), data([8], 7)];
        return [
          ...tf.add(m, row).dataSync(),
          ...tf.add(row, m).dataSync(),
          ...tf.add(data([5, 6], 8), data([6], 9)).dataSync(), // width not a multiple of 4
          ...tf.add(m, data([7, 8], 10)).dataSync(),
          ...tf.add(tf.tensor2d([[1, 2, 3, 4]], [1, 4], 'int32'), tf.tensor1d([1, 1, 1, 1], 'int32')).dataSync(),
        ];
      }),
    );
    expect(wasm).toEqual(cpu);
  });

  it('sums the rows of a matrix (within float32 summation order of the CPU backend), and leaves other sums to the original kernel', async () => {
    const [wasm, cpu] = await both(() =>
      tf.tidy(() => {
        const m = data([300, 12], 11);
        return [
          ...tf.sum(m, 0).dataSync(),
          ...tf.sum(m, -2, true).dataSync(),
          ...tf.sum(data([1, 8], 12), 0).dataSync(), // one row
          ...tf.sum(data([5, 6], 13), 0).dataSync(), // width not a multiple of 4
          ...tf.sum(m, 1).dataSync(),
          ...tf.sum(data([3, 4, 4], 14), 0).dataSync(),
        ];
      }),
    );
    expect(wasm).toHaveLength(12 + 12 + 8 + 6 + 300 + 16);
    expect(maxDiff(wasm, cpu)).toBeLessThan(1e-5);
    const shape = await onBackend('wasm', () => tf.tidy(() => tf.sum(data([4, 8], 15), 0, true).shape));
    expect(shape).toEqual([1, 8]);
  });

  it('gather rejects an index out of range', async () => {
    await useBackend('wasm');
    expect(() => tf.tidy(() => tf.gather(tf.ones([3, 2]), tf.tensor1d([0, 3], 'int32')))).toThrow('GatherV2: the index value 3 is not in [0, 2]');
  });

  it('a clone shares storage safely: it outlives its source and ignores later variable updates', async () => {
    await useBackend('wasm');
    const v = tf.variable(tf.tensor1d([1, 2, 3]));
    const copy = v.clone();
    v.assign(tf.tensor1d([7, 8, 9]));
    v.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3]);
    copy.dispose();
  });

  it('the segment-sum gradient gives zero to rows with dropped (negative) ids on cpu', async () => {
    const grad = await onBackend('cpu', () =>
      tf.tidy(() => Array.from(tf.grad((x: tf.Tensor) => tf.unsortedSegmentSum(x, tf.tensor1d([1, -1, 0], 'int32'), 2))(tf.ones([3, 2]), tf.tensor2d([[1, 2], [3, 4]])).dataSync())),
    );
    expect(grad).toEqual([3, 4, 0, 0, 1, 2]);
  });
});

describe('replacing TF.js kernels is a choice', () => {
  afterAll(async () => {
    await useBackend('wasm');
  });

  it('keeps (and restores) TF.js kernels with replaceKernels: false, adding only what wasm lacks', async () => {
    await useBackend('wasm');
    expect(tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc).toBe(wasmFastPaths.BatchMatMul);
    await useBackend('wasm', { replaceKernels: false });
    for (const name of Object.keys(wasmFastPaths)) expect(tf.getKernel(name, 'wasm')!.kernelFunc).toBe(captureOriginal(name).kernelFunc);
    expect(tf.getGradient('UnsortedSegmentSum')).not.toBe(segmentSumGradient);
    // The one kernel wasm lacks is still there, so gathers still have gradients.
    const grad = tf.tidy(() => Array.from(tf.grad((x: tf.Tensor) => tf.gather(x, tf.tensor1d([0, 0, 2], 'int32')).sum())(tf.ones([3])).dataSync()));
    expect(grad).toEqual([2, 0, 1]);
    await useBackend('cpu', { replaceKernels: false });
    expect(tf.getKernel('UnsortedSegmentSum', 'cpu')!.kernelFunc).not.toBe(segmentSumKernels.cpu);
    await useBackend('cpu');
    expect(tf.getKernel('UnsortedSegmentSum', 'cpu')!.kernelFunc).toBe(segmentSumKernels.cpu);
    expect(tf.getGradient('UnsortedSegmentSum')).toBe(segmentSumGradient);
  });
});
