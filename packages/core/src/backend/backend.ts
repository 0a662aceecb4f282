import * as tf from '@tensorflow/tfjs';

import { PosePoolError } from '../errors.js';
import { registerPosePoolKernels } from './kernels.js';

/**
 * Backends PosePool can run on.
 *
 * - `wasm` (default): WebAssembly with SIMD and XNNPACK, about 20× the pure-JS CPU backend on
 *   matrix products.
 * - `cpu`: pure JavaScript; a fallback that works everywhere.
 * - `tensorflow` / `tensorflow-gpu`: native libtensorflow through `@tensorflow/tfjs-node` or
 *   `@tensorflow/tfjs-node-gpu`, which you install yourself (their install downloads libtensorflow).
 */
export type BackendName = 'wasm' | 'cpu' | 'tensorflow' | 'tensorflow-gpu';

/**
 * The backend names {@link useBackend} accepts.
 *
 * @example
 * ```ts
 * BACKEND_NAMES.join(', '); // 'wasm, cpu, tensorflow, tensorflow-gpu'
 * ```
 */
export const BACKEND_NAMES: readonly BackendName[] = ['wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'];

const NODE_PACKAGES: Record<'tensorflow' | 'tensorflow-gpu', string> = {
  tensorflow: '@tensorflow/tfjs-node',
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
};

async function loadBackendPackage(name: BackendName): Promise<void> {
  if (name === 'cpu') return; // registered by @tensorflow/tfjs itself
  if (name === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    return;
  }
  const packageName = NODE_PACKAGES[name];
  try {
    // The name sits in a variable so bundlers and type-checkers leave this optional package alone.
    await import(/* @vite-ignore */ packageName);
  } catch (cause) {
    throw new PosePoolError(
      'E_BACKEND',
      `Backend '${name}' needs ${packageName}, which could not be loaded. Install it next to ` +
        `@tensorflow/tfjs (\`pnpm add ${packageName}@4.22.0\`; its install downloads libtensorflow), ` +
        `or use the 'wasm' backend.`,
      { cause },
    );
  }
}

/** Options of {@link useBackend}. */
export interface BackendOptions {
  /**
   * Replace TF.js's own kernels on this backend with PosePool's faster ones, for the whole
   * process (see {@link registerPosePoolKernels}); `false` only adds the kernels the backend lacks.
   * @defaultValue true
   */
  replaceKernels?: boolean;
}

/**
 * Selects the TF.js backend PosePool computes on, loading it first if needed and registering
 * the kernels PosePool adds to it (see {@link registerPosePoolKernels}). By default that
 * replaces some of TF.js's own kernels on wasm and cpu for the whole process (faster, and tested
 * against them); pass `{ replaceKernels: false }` if other TF.js code in the process must run
 * on TF.js's kernels unchanged.
 *
 * @param name - the backend; `wasm` when omitted
 * @param options - whether PosePool's kernels replace TF.js's own
 * @returns the name of the active backend
 * @throws PosePoolError `E_BACKEND` when the backend cannot be loaded or initialised
 * @example
 * ```ts
 * import { useBackend } from '@posepool/core';
 * await useBackend('wasm');
 * ```
 */
export async function useBackend(name: BackendName = 'wasm', options: BackendOptions = {}): Promise<BackendName> {
  if (!BACKEND_NAMES.includes(name)) {
    throw new PosePoolError('E_BACKEND', `Unknown backend '${String(name)}'. Valid backends: ${BACKEND_NAMES.join(', ')}.`);
  }
  await loadBackendPackage(name);
  registerPosePoolKernels(name, { replace: options.replaceKernels !== false });
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (cause) {
    throw new PosePoolError('E_BACKEND', `Backend '${name}' failed to initialise.`, { cause });
  }
  if (!ok) throw new PosePoolError('E_BACKEND', `Backend '${name}' failed to initialise (tf.setBackend returned false).`);
  return name;
}

/** The wasm backend's heap: 32-bit addresses. */
const WASM_HEAP_BYTES = 4 * 1024 ** 3;

/**
 * How many bytes of tensors the active backend can hold at most: 4 GiB on wasm (a 32-bit heap,
 * whose exhaustion aborts the process), unbounded (`Infinity`) elsewhere, where the operating
 * system's memory is the limit.
 *
 * @returns the limit in bytes
 * @example
 * ```ts
 * backendMemoryLimit(); // 4294967296 on wasm
 * ```
 */
export function backendMemoryLimit(): number {
  return tf.getBackend() === 'wasm' ? WASM_HEAP_BYTES : Number.POSITIVE_INFINITY;
}
