import * as tf from '@tensorflow/tfjs';

import { onBackendMemory, type WasmBackend } from './heap-modules.js';
import { MESSAGES_WASM } from './messages-wasm.js';

/** The kernel's name in TF.js's registry. */
export const GATHER_MULTIPLY_SCATTER = 'PosePoolGatherMultiplyScatter';

/**
 * Message passing in one operation: `out[o[e]] += a[ia[e]] ⊙ b[ib[e]]` summed over every edge e,
 * as `tf.unsortedSegmentSum(tf.gather(a, ia).mul(tf.gather(b, ib)), o, segments)` computes it,
 * without the three edge-sized intermediates (SchNet's messages x_j ⊙ W_ji summed at i are
 * `gatherMultiplyScatter(x, filters, source, filterRow, target, atoms)`).
 *
 * On the wasm backend (rows a multiple of 4 floats wide) one SIMD pass over the edges in the
 * backend's memory (`messages.wat`) does it; elsewhere the three TF.js operations. Both sum each
 * output row's edges in edge order, so they agree bit for bit. Its gradient is the same operation
 * with the roles exchanged: da[ia[e]] += dout[o[e]] ⊙ b[ib[e]], db[ib[e]] += dout[o[e]] ⊙ a[ia[e]].
 *
 * @param a - rows gathered by `ia` (R_a × C)
 * @param b - rows gathered by `ib` (R_b × C)
 * @param ia - per edge, a row of `a` (int32, E)
 * @param ib - per edge, a row of `b` (int32, E)
 * @param o - per edge, the output row (int32, E)
 * @param segments - output rows
 * @returns segments × C
 * @example
 * ```ts
 * const x = tf.tensor2d([[1, 2, 3, 4], [5, 6, 7, 8]]);
 * const w = tf.ones([1, 4]);
 * gatherMultiplyScatter(x, w, tf.tensor1d([0, 1], 'int32'), tf.tensor1d([0, 0], 'int32'), tf.tensor1d([1, 1], 'int32'), 2); // [[0, 0, 0, 0], [6, 8, 10, 12]]
 * ```
 */
export function gatherMultiplyScatter(a: tf.Tensor2D, b: tf.Tensor2D, ia: tf.Tensor1D, ib: tf.Tensor1D, o: tf.Tensor1D, segments: number): tf.Tensor2D {
  if (a.shape[1]! % 4 === 0 && tf.getKernel(GATHER_MULTIPLY_SCATTER, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel(GATHER_MULTIPLY_SCATTER, { a, b, ia, ib, o }, { segments }) as tf.Tensor2D;
  }
  return tf.tidy(() => tf.unsortedSegmentSum(tf.gather(a, ia).mul(tf.gather(b, ib)), o, segments) as tf.Tensor2D);
}

type Pass = (out: number, a: number, b: number, ia: number, ib: number, o: number, edges: number, width: number) => void;

/** Throws unless every index is in [0, rows): the pass writes where the indices say. */
function checkIndices(indices: Int32Array, rows: number, what: string): void {
  for (let e = 0; e < indices.length; e++) {
    const i = indices[e]!;
    if (!(i >= 0 && i < rows)) throw new Error(`gatherMultiplyScatter: ${what} index ${i} at edge ${e} is not in [0, ${rows - 1}]`);
  }
}

function wasmKernel({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const wasm = backend as WasmBackend;
  const { a, b, ia, ib, o } = inputs as Record<'a' | 'b' | 'ia' | 'ib' | 'o', tf.TensorInfo>;
  const segments = (attrs as { segments: number }).segments;
  const width = a.shape[1]!;
  if (a.shape.length !== 2 || b.shape.length !== 2 || b.shape[1] !== width || width % 4 !== 0 || a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new Error(`gatherMultiplyScatter: a and b must be float32 matrices of the same width, a multiple of 4 (got ${JSON.stringify(a.shape)} and ${JSON.stringify(b.shape)})`);
  }
  if (ib.shape[0] !== ia.shape[0] || o.shape[0] !== ia.shape[0] || [ia, ib, o].some((t) => t.shape.length !== 1 || t.dtype !== 'int32')) {
    throw new Error(`gatherMultiplyScatter: ia, ib and o must be int32 vectors of one length (got ${JSON.stringify([ia.shape, ib.shape, o.shape])})`);
  }
  const pass = onBackendMemory<{ gatherMultiplyScatter: Pass }>(MESSAGES_WASM, wasm)?.gatherMultiplyScatter ?? null;
  if (pass === null) throw new Error('gatherMultiplyScatter: this wasm backend does not expose its memory, or WebAssembly has no SIMD.');
  const view = (info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array => wasm.typedArrayFromHeap(info);
  checkIndices(view(ia) as Int32Array, a.shape[0]!, 'ia');
  checkIndices(view(ib) as Int32Array, b.shape[0]!, 'ib');
  checkIndices(view(o) as Int32Array, segments, 'o');
  const out = wasm.makeOutput([segments, width], 'float32');
  // Views only after the allocation: growing the wasm heap detaches older views.
  const outView = view(out);
  outView.fill(0);
  pass(outView.byteOffset, view(a).byteOffset, view(b).byteOffset, view(ia).byteOffset, view(ib).byteOffset, view(o).byteOffset, ia.shape[0]!, width);
  return out;
}

/** The wasm kernel of {@link gatherMultiplyScatter}. */
export const gatherMultiplyScatterKernel: tf.KernelConfig = { kernelName: GATHER_MULTIPLY_SCATTER, backendName: 'wasm', kernelFunc: wasmKernel as unknown as tf.KernelFunc };

/** The gradient of {@link gatherMultiplyScatter}: itself, with the roles exchanged. */
export const gatherMultiplyScatterGradient: tf.GradConfig = {
  kernelName: GATHER_MULTIPLY_SCATTER,
  inputsToSave: ['a', 'b', 'ia', 'ib', 'o'],
  gradFunc: (dy, saved) => {
    const [a, b, ia, ib, o] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    const out = dy as tf.Tensor2D;
    return {
      a: () => gatherMultiplyScatter(out, b, o, ib, ia, a.shape[0]),
      b: () => gatherMultiplyScatter(out, a, o, ia, ib, b.shape[0]),
      ia: () => tf.zerosLike(ia),
      ib: () => tf.zerosLike(ib),
      o: () => tf.zerosLike(o),
    };
  },
};
