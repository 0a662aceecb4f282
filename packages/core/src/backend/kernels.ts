import * as tf from '@tensorflow/tfjs';

import { gatherMultiplyScatterGradient, gatherMultiplyScatterKernel } from './messages.js';
import { segmentSumGradient, segmentSumKernels } from './segment-sum.js';
import { shiftedSoftplusGradient, shiftedSoftplusKernel } from './shifted-softplus.js';
import { captureOriginal, wasmFastPaths } from './wasm-fast-paths.js';

/** Options of {@link registerPosePoolKernels}. */
export interface KernelOptions {
  /**
   * Replace kernels TF.js already has (on wasm: `Identity`, `BatchMatMul`, `GatherV2`,
   * `Softplus`, `Sigmoid`, bias `Add` and row `Sum`; on cpu:
   * `UnsortedSegmentSum`; and the gradient of `UnsortedSegmentSum`) with PosePool's faster ones.
   * This holds for the whole process: every `tf.*` call on that backend uses them, not only
   * PosePool's. `false` keeps (or restores) TF.js's own and only adds what the backend lacks
   * (`UnsortedSegmentSum` on wasm, without which no gather can be differentiated).
   * @defaultValue true
   */
  replace?: boolean;
}

/** TF.js's own `UnsortedSegmentSum` per backend, and its gradient, as they were before PosePool touched them. */
const tfjsSegmentSum = new Map<string, tf.KernelConfig | undefined>();
let tfjsSegmentSumGradient: tf.GradConfig | undefined;

/** Registers `config` unless it is already the registered kernel. */
function setKernel(config: tf.KernelConfig): void {
  const current = tf.getKernel(config.kernelName, config.backendName);
  if (current?.kernelFunc === config.kernelFunc) return;
  if (current !== undefined) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}

/**
 * Registers the kernels PosePool adds to a backend: `UnsortedSegmentSum` (the gradient of
 * `tf.gather`; missing on wasm, O(segments × rows) on cpu) in linear time, a lighter gradient
 * for it, and on wasm faster `Identity`, transposed `BatchMatMul`, axis-0 `GatherV2`, `Softplus`, `Sigmoid`, bias `Add` and row `Sum` (see
 * `wasm-fast-paths.ts`; together about 10× on a message-passing training step), and the wasm
 * kernels of `gatherMultiplyScatter` and `shiftedSoftplus`. Each is tested against TF.js's own. Replacing TF.js's
 * kernels is a process-wide side effect: pass
 * `{ replace: false }` to keep them (see {@link KernelOptions}). Other backends keep their own
 * kernels. Idempotent; {@link useBackend} calls it.
 *
 * @param backendName - a TF.js backend name
 * @param options - whether to replace TF.js's own kernels
 * @returns whether PosePool has kernels for that backend
 * @example
 * ```ts
 * await tf.setBackend('wasm');
 * registerPosePoolKernels('wasm', { replace: false }); // only the missing UnsortedSegmentSum
 * ```
 */
export function registerPosePoolKernels(backendName: string, options: KernelOptions = {}): boolean {
  const segmentSum = segmentSumKernels[backendName];
  if (segmentSum === undefined) return false;
  const replace = options.replace !== false;
  if (!tfjsSegmentSum.has(backendName)) tfjsSegmentSum.set(backendName, tf.getKernel('UnsortedSegmentSum', backendName));
  tfjsSegmentSumGradient ??= tf.getGradient('UnsortedSegmentSum');
  const own = tfjsSegmentSum.get(backendName);
  setKernel(replace || own === undefined ? { kernelName: 'UnsortedSegmentSum', backendName, kernelFunc: segmentSum } : own);
  const gradient = replace ? segmentSumGradient : tfjsSegmentSumGradient;
  if (gradient !== undefined && tf.getGradient('UnsortedSegmentSum') !== gradient) tf.registerGradient(gradient);
  for (const gradient of [gatherMultiplyScatterGradient, shiftedSoftplusGradient]) {
    if (tf.getGradient(gradient.kernelName) === undefined) tf.registerGradient(gradient);
  }
  if (backendName === 'wasm') {
    // PosePool's own operations (no TF.js kernel to replace): registered either way.
    setKernel(gatherMultiplyScatterKernel);
    const ssp = shiftedSoftplusKernel();
    if (ssp !== undefined) setKernel(ssp);
    for (const [name, kernel] of Object.entries(wasmFastPaths)) {
      const original = captureOriginal(name);
      setKernel(replace ? { ...original, kernelFunc: kernel as unknown as tf.KernelFunc } : original);
    }
  }
  return true;
}
