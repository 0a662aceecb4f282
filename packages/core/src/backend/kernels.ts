import * as tf from '@tensorflow/tfjs';

import { segmentSumGradient, segmentSumKernels } from './segment-sum.js';
import { captureOriginal, wasmFastPaths } from './wasm-fast-paths.js';

function replaceKernel(kernelName: string, backendName: string, kernelFunc: tf.KernelFunc, setupFunc?: tf.KernelSetupFunc): void {
  if (tf.getKernel(kernelName, backendName)?.kernelFunc === kernelFunc) return;
  if (tf.getKernel(kernelName, backendName) !== undefined) tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ kernelName, backendName, kernelFunc, ...(setupFunc && { setupFunc }) });
}

/**
 * Registers the kernels PosePool adds to a backend: `UnsortedSegmentSum` (the gradient of
 * `tf.gather`; missing on wasm, O(segments × rows) on cpu) in linear time, a lighter gradient
 * for it, and on wasm faster `Identity`, transposed `BatchMatMul` and axis-0 `GatherV2` (see
 * `wasm-fast-paths.ts`). Other backends keep their own kernels. Idempotent.
 * {@link useBackend} calls it; call it yourself only if you select backends with `tf.setBackend`.
 *
 * @param backendName - a TF.js backend name
 * @returns whether PosePool has kernels for that backend
 * @example
 * ```ts
 * await tf.setBackend('wasm');
 * registerPosePoolKernels('wasm');
 * ```
 */
export function registerPosePoolKernels(backendName: string): boolean {
  const segmentSum = segmentSumKernels[backendName];
  if (segmentSum === undefined) return false;
  replaceKernel('UnsortedSegmentSum', backendName, segmentSum);
  tf.registerGradient(segmentSumGradient);
  if (backendName === 'wasm') {
    for (const [name, kernel] of Object.entries(wasmFastPaths)) {
      const { setupFunc } = captureOriginal(name);
      replaceKernel(name, 'wasm', kernel as unknown as tf.KernelFunc, setupFunc);
    }
  }
  return true;
}
