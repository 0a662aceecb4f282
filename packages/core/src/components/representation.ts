import type * as tf from '@tensorflow/tfjs';

import type { Module } from '../nn/module.js';
import type { Pose } from '../pose.js';

/**
 * What every pose of a compound shares, computed once per compound: tensors S(θ) that depend
 * on the parameters but not on the pose (e.g. SchNet's filters on receptor–receptor edges, when
 * all poses share the receptor's atoms), and plain data saying how to use them. The engine
 * computes it once, back-propagates Σ_i c_i ∂ŷ_i/∂S into it once, and so keeps gradients exact:
 * dL/dθ = Σ_i c_i (∂ŷ_i/∂θ + ∂ŷ_i/∂S · ∂S/∂θ).
 *
 * @example
 * ```ts
 * const stage: SharedStage = { tensors: [filters], context: { edgeIndex } };
 * ```
 */
export interface SharedStage {
  /** The shared tensors, differentiable in the parameters. */
  readonly tensors: readonly tf.Tensor[];
  /** Plain data (no tensors) the owner needs to use them, e.g. index maps. */
  readonly context?: unknown;
  /**
   * Optional: tensors only {@link SharedStage.backward} reads, e.g. activations of the stage's
   * forward pass that it would otherwise compute again. The stage's holder disposes them with its
   * tensors, or at once when it will not call `backward` (prediction).
   */
  readonly kept?: readonly tf.Tensor[];
  /**
   * Optional: the gradient of Σ_k ⟨tensors[k], grads[k]⟩ with respect to the variables the stage
   * was computed from, by hand (e.g. recomputing only what the backward pass reads). Without it
   * the engine computes the stage again under a tape and back-propagates through that.
   *
   * @param grads - one tensor per stage tensor, same shapes (the caller's: do not dispose)
   * @returns each variable the stage reads with its gradient (new tensors, the caller's)
   */
  readonly backward?: (grads: readonly tf.Tensor[]) => Array<readonly [tf.Variable, tf.Tensor]>;
}

/**
 * A representation turns one pose (or one part of it) into a fixed-size vector, e.g. SchNet's
 * summed atom features before its last linear layer.
 *
 * @example
 * ```ts
 * class AtomCount extends Module implements Representation {
 *   readonly outputSize = 1;
 *   represent(pose: Pose) { return tf.tensor1d([pose.z.length]); }
 * }
 * ```
 */
export interface Representation extends Module {
  /** Length of the vector {@link Representation.represent} returns. */
  readonly outputSize: number;
  /**
   * @param pose - the pose or pose part
   * @param shared - what {@link Representation.shareAcross} computed for the pose's compound, if anything
   * @returns its representation, float32 of length {@link Representation.outputSize}
   */
  represent(pose: Pose, shared?: SharedStage): tf.Tensor1D;
  /**
   * Optional: computes once per compound what all its poses (or pose parts) share. With it,
   * `represent(pose, shared)` must equal `represent(pose)` up to float32 summation order.
   *
   * @param poses - the compound's poses (or the same part of each)
   * @returns the shared stage, or `undefined` when these poses share nothing
   */
  shareAcross?(poses: readonly Pose[]): SharedStage | undefined;
  /**
   * Optional: about how many bytes of tensors one pose needs at the peak of a forward pass, or of
   * a forward and backward pass when `training`. The engine checks it against the backend's
   * memory before a step, so an oversized pose is a clear error rather than an aborted process.
   *
   * @param pose - the pose or pose part
   * @param training - whether the backward pass is included
   * @returns bytes (an estimate; err on the high side)
   */
  estimateBytes?(pose: Pose, training: boolean): number;
}
