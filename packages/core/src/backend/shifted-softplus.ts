import * as tf from '@tensorflow/tfjs';

import { activationKernel, simdActivationsAvailable } from './activations.js';

/** The kernel's name in TF.js's registry. */
export const SHIFTED_SOFTPLUS = 'PosePoolShiftedSoftplus';

/**
 * ssp(x) = softplus(x) − ln 2, SchNet's activation (zero at zero), elementwise.
 *
 * On the wasm backend one SIMD pass (`activations.wat`) computes it; elsewhere
 * `tf.softplus(x).sub(ln 2)`. Both round softplus to float32, then subtract float32 ln 2, so
 * they agree bit for bit with each other. The gradient is dy ⊙ sigmoid(x).
 *
 * @param x - any float32 tensor
 * @returns a tensor of the same shape
 * @example
 * ```ts
 * shiftedSoftplus(tf.tensor1d([-1, 0, 1])); // [-0.3799, 0, 0.6201]
 * ```
 */
export function shiftedSoftplus<T extends tf.Tensor>(x: T): T {
  if (tf.getKernel(SHIFTED_SOFTPLUS, tf.getBackend()) !== undefined) return tf.engine().runKernel(SHIFTED_SOFTPLUS, { x }) as T;
  return tf.tidy(() => tf.softplus(x).sub(Math.LN2)) as T;
}

/** The wasm kernel of {@link shiftedSoftplus}, where WebAssembly has SIMD. */
export function shiftedSoftplusKernel(): tf.KernelConfig | undefined {
  if (!simdActivationsAvailable()) return undefined;
  const kernel = activationKernel('shiftedSoftplus', () => {
    throw new Error('PosePool: shiftedSoftplus needs WebAssembly SIMD.');
  });
  return { kernelName: SHIFTED_SOFTPLUS, backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc };
}

/** The gradient of {@link shiftedSoftplus}: dy ⊙ sigmoid(x). */
export const shiftedSoftplusGradient: tf.GradConfig = {
  kernelName: SHIFTED_SOFTPLUS,
  inputsToSave: ['x'],
  gradFunc: (dy, [x]) => ({ x: () => (dy as tf.Tensor).mul(tf.sigmoid(x!)) }),
};
