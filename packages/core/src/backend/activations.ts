import type * as tf from '@tensorflow/tfjs';

import { ACTIVATIONS_WASM } from './activations-wasm.js';
import { instantiate, type WasmBackend } from './heap-modules.js';

/**
 * Softplus, shifted softplus and sigmoid for the wasm backend, from `activations.wat` (SIMD,
 * four vectors of four lanes per loop iteration).
 *
 * tfjs 4.22's wasm `Softplus` and `Sigmoid` call scalar `exp` and `log` per element: about 23
 * and 10 ns per element here, where SchNet's shifted softplus (filter networks and atom
 * updates) takes about a third of a forward pass. These take about 3 and 2 ns. Results are
 * within 3 ulp of the exact value rounded to float32 (tested); |x| > 87.3366, where exp(−|x|)
 * leaves float32's normal range, gives softplus(x) = max(x, 0) and sigmoid(x) ∈ {0, 1} (an
 * absolute error below 1.2e−38). NaN and ±∞ behave as in TF.js.
 *
 * The module has its own small memory: blocks of the input are copied in, computed and copied
 * out (a copy costs far less than the arithmetic), so nothing depends on the layout of the
 * backend's heap.
 */

interface Exports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  softplus(input: number, output: number, count: number): void;
  shiftedSoftplus(input: number, output: number, count: number): void;
  sigmoid(input: number, output: number, count: number): void;
}

/** The activations `activations.wat` computes. */
export type Activation = 'softplus' | 'shiftedSoftplus' | 'sigmoid';

/** Floats per block: input at byte 0, output right after it. */
const BLOCK = 1 << 16;

let exports: Exports | null | undefined;

/** The instantiated module, or `null` where this WebAssembly has no SIMD (then TF.js's kernels stay). */
function instance(): Exports | null {
  if (exports !== undefined) return exports;
  try {
    const made = instantiate(ACTIVATIONS_WASM) as Exports;
    const pages = Math.ceil((2 * BLOCK * 4) / 65536) - made.memory.buffer.byteLength / 65536;
    if (pages > 0) made.memory.grow(pages);
    exports = made;
  } catch {
    exports = null;
  }
  return exports;
}

/**
 * Whether the SIMD activations can run here (WebAssembly with SIMD).
 *
 * @returns true on Node ≥ 16 and current browsers
 * @example
 * ```ts
 * if (simdActivationsAvailable()) applyActivation('softplus', input, output);
 * ```
 */
export function simdActivationsAvailable(): boolean {
  return instance() !== null;
}

/**
 * Applies softplus or sigmoid to `input`, writing `output` (same length), block by block.
 *
 * @param name - the activation
 * @param input - values
 * @param output - where the results go
 * @example
 * ```ts
 * applyActivation('softplus', Float32Array.of(-1, 0, 1), new Float32Array(3)); // 0.3133, 0.6931, 1.3133
 * ```
 */
export function applyActivation(name: Activation, input: Float32Array, output: Float32Array): void {
  const wasm = instance();
  if (wasm === null) throw new Error('PosePool: this WebAssembly has no SIMD; use the backend\'s own activation kernels.');
  const memory = new Float32Array(wasm.memory.buffer, 0, 2 * BLOCK);
  for (let start = 0; start < input.length; start += BLOCK) {
    const count = Math.min(BLOCK, input.length - start);
    memory.set(input.subarray(start, start + count), 0);
    // The last lanes of a block may hold old values: computed, never copied out.
    wasm[name](0, BLOCK * 4, Math.ceil(count / 16) * 16);
    output.set(memory.subarray(BLOCK, BLOCK + count), start);
  }
}

type Kernel = (args: { inputs: Record<string, tf.TensorInfo>; backend: unknown }) => tf.TensorInfo;

/**
 * A kernel computing `name` with {@link applyActivation} (TF.js admits only float32 tensors to both).
 *
 * @param name - the activation
 * @param fallback - the kernel where SIMD is missing
 * @returns the kernel function
 * @example
 * ```ts
 * const softplus = activationKernel('softplus', () => tfjsSoftplus);
 * ```
 */
export function activationKernel(name: Activation, fallback: () => Kernel): Kernel {
  return (args) => {
    const x = args.inputs.x!;
    if (!simdActivationsAvailable()) return fallback()(args);
    const backend = args.backend as WasmBackend;
    const out = backend.makeOutput([...x.shape], 'float32') as tf.TensorInfo;
    // Views only after the allocation: growing the wasm heap detaches older views.
    applyActivation(name, backend.typedArrayFromHeap(x) as Float32Array, backend.typedArrayFromHeap(out) as Float32Array);
    return out;
  };
}
