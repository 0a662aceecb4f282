import * as tf from '@tensorflow/tfjs';

import { activationKernel } from './activations.js';
import { BIAS_WASM } from './bias-wasm.js';
import { onBackendMemory, type WasmBackend as HeapBackend } from './heap-modules.js';

/**
 * Faster wasm kernels for operations message-passing models run on every edge, where tfjs
 * 4.22's wasm backend is slow (measured on a 9728 × 64 edge tensor, 2-core machine):
 *
 * - `Identity` copies its input, and TF.js clones every tensor it saves for a backward pass;
 *   here it shares the buffer by reference count, as the CPU backend does (TF.js never writes
 *   into a tensor's buffer).
 * - `BatchMatMul` with `transposeA`/`transposeB` runs 3–4× slower than without; here the
 *   transposed operand is materialised first (a copy far cheaper than the difference).
 * - `GatherV2` along axis 0 (neighbour lists) checks indices with a closure per index and
 *   gathers with generic strides (~26 ms); here it is a bounds check and one native row copy
 *   (`copyWithin`) per index.
 * - `Softplus` and `Sigmoid` (softplus's gradient) run scalar `exp`/`log` per element; here
 *   SIMD code (`activations.ts`, 5–8× faster).
 * - `Add` of a row vector to a matrix (every layer's bias) sets up a broadcasting operator per
 *   call (~130 µs on 304 × 128); here one SIMD pass (`bias.wat`), the same float additions.
 * - `Sum` over the rows of a matrix (every bias's gradient) transposes it and sums with a scalar
 *   loop (~1.4 ms on 5 258 × 128); here one SIMD pass (`bias.wat`), row after row.
 *
 * Each falls back to the original kernel outside its fast path.
 */

interface WasmBackend extends HeapBackend {
  incRef(dataId: object): void;
  disposeData(dataId: object): boolean;
  readSync(dataId: object): ArrayLike<number>;
}

type Kernel = (args: { inputs: Record<string, tf.TensorInfo>; backend: unknown; attrs?: Record<string, unknown> }) => tf.TensorInfo;

const originals = new Map<string, tf.KernelConfig>();

function original(name: string): Kernel {
  const kernel = originals.get(name);
  if (kernel === undefined) throw new Error(`PosePool: original wasm kernel '${name}' was not captured.`);
  return kernel.kernelFunc as unknown as Kernel;
}

const identity: Kernel = ({ inputs, backend }) => {
  const x = inputs.x!;
  if (x.dtype === 'string') return original('Identity')({ inputs, backend });
  (backend as WasmBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
};

/** Swaps the last two axes through the wasm Transpose kernel. */
function transposeLast(x: tf.TensorInfo, backend: unknown): tf.TensorInfo {
  const perm = x.shape.map((_, i) => i);
  const rank = perm.length;
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  return tf.getKernel('Transpose', 'wasm')!.kernelFunc({ inputs: { x }, backend: backend as tf.KernelBackend, attrs: { perm } }) as tf.TensorInfo;
}

const batchMatMul: Kernel = ({ inputs, backend, attrs = {} }) => {
  const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
  if (!transposeA && !transposeB) return original('BatchMatMul')({ inputs, backend, attrs });
  const a = transposeA ? transposeLast(inputs.a!, backend) : inputs.a!;
  const b = transposeB ? transposeLast(inputs.b!, backend) : inputs.b!;
  try {
    return original('BatchMatMul')({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
  } finally {
    if (transposeA) (backend as WasmBackend).disposeData(a.dataId);
    if (transposeB) (backend as WasmBackend).disposeData(b.dataId);
  }
};

const gatherV2: Kernel = (args) => {
  const { inputs, backend, attrs = {} } = args;
  const { x, indices } = inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
  const { axis, batchDims } = attrs as { axis: number; batchDims: number };
  const axis0 = axis === 0 || axis === -x.shape.length;
  if (!axis0 || batchDims !== 0 || (x.dtype !== 'float32' && x.dtype !== 'int32') || x.shape.length === 0) return original('GatherV2')(args);
  const wasm = backend as WasmBackend;
  const rows = x.shape[0]!;
  const rowSize = x.shape.slice(1).reduce((p, d) => p * d, 1);
  const ids = wasm.readSync(indices.dataId);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (!(id >= 0 && id < rows)) throw new Error(`GatherV2: the index value ${id} is not in [0, ${rows - 1}]`);
  }
  const out = wasm.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
  // Views only after the allocation: growing the wasm heap detaches older views. Rows move by
  // copyWithin on one view of the heap (4-byte elements, both dtypes): a native memmove per row.
  const source = wasm.typedArrayFromHeap(x);
  const target = wasm.typedArrayFromHeap(out);
  const heap = new Int32Array(target.buffer);
  const from0 = source.byteOffset / 4;
  const to0 = target.byteOffset / 4;
  for (let i = 0; i < ids.length; i++) {
    const from = from0 + ids[i]! * rowSize;
    heap.copyWithin(to0 + i * rowSize, from, from + rowSize);
  }
  return out;
};

type AddRows = (out: number, a: number, b: number, rows: number, width: number) => void;
type SumRows = (out: number, a: number, rows: number, width: number) => void;

/** The bias module on the backend's memory, or `undefined` where it cannot run. */
function biasKernels(backend: unknown): { addRows: AddRows; sumRows: SumRows } | undefined {
  return onBackendMemory<{ addRows: AddRows; sumRows: SumRows }>(BIAS_WASM, backend as WasmBackend) ?? undefined;
}

/** The byte offset of a tensor in the backend's heap (views only after allocations: growing the heap detaches older views). */
function offsetOf(info: tf.TensorInfo, backend: unknown): number {
  return (backend as WasmBackend).typedArrayFromHeap(info).byteOffset;
}

const add: Kernel = (args) => {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  // A matrix plus a row vector, in either order (addition is commutative, bit for bit).
  const [matrix, row] = a.shape.length === 2 && b.shape.length === 1 ? [a, b] : a.shape.length === 1 && b.shape.length === 2 ? [b, a] : [undefined, undefined];
  const addRows = matrix === undefined ? undefined : biasKernels(args.backend)?.addRows;
  if (matrix === undefined || addRows === undefined || matrix.dtype !== 'float32' || row!.dtype !== 'float32' || row!.shape[0] !== matrix.shape[1] || matrix.shape[1]! % 4 !== 0) {
    return original('Add')(args);
  }
  const out = (args.backend as WasmBackend).makeOutput([...matrix.shape], 'float32');
  addRows(offsetOf(out, args.backend), offsetOf(matrix, args.backend), offsetOf(row!, args.backend), matrix.shape[0]!, matrix.shape[1]!);
  return out;
};

const sum: Kernel = (args) => {
  const x = args.inputs.x!;
  const { axis, keepDims } = (args.attrs ?? {}) as { axis: number | number[]; keepDims: boolean };
  const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + x.shape.length : a));
  const [rows, width] = x.shape as [number, number];
  const sumRows = biasKernels(args.backend)?.sumRows;
  if (sumRows === undefined || x.dtype !== 'float32' || x.shape.length !== 2 || axes.length !== 1 || axes[0] !== 0 || rows === 0 || width === 0 || width % 4 !== 0) {
    return original('Sum')(args);
  }
  const out = (args.backend as WasmBackend).makeOutput(keepDims ? [1, width] : [width], 'float32');
  sumRows(offsetOf(out, args.backend), offsetOf(x, args.backend), rows, width);
  return out;
};

/** The replacement kernels, by kernel name. */
export const wasmFastPaths: Record<string, Kernel> = {
  Identity: identity,
  BatchMatMul: batchMatMul,
  GatherV2: gatherV2,
  Softplus: activationKernel('softplus', () => original('Softplus')),
  Sigmoid: activationKernel('sigmoid', () => original('Sigmoid')),
  Add: add,
  Sum: sum,
};

/**
 * Remembers the wasm backend's own kernel before it is replaced (once; idempotent).
 *
 * @returns its config: a replacement keeps its `setupFunc`, which binds the wasm functions
 *   the original calls when the backend initialises
 */
export function captureOriginal(name: string): tf.KernelConfig {
  const captured = originals.get(name);
  if (captured !== undefined) return captured;
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`PosePool: the wasm backend has no '${name}' kernel to speed up; is @tensorflow/tfjs-backend-wasm 4.22 loaded?`);
  originals.set(name, kernel);
  return kernel;
}
