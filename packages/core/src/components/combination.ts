import * as tf from '@tensorflow/tfjs';

import { PosePoolError } from '../errors.js';
import { type Module } from '../nn/module.js';

/**
 * A combination `h` turns the N per-pose predictions of one compound into one prediction.
 *
 * The engine needs only N numbers from it, its pose weights `w_i = ∂h/∂ŷ_i`, to assemble the
 * exact gradient of the single-pose model. `poseWeights` gives them in closed form; when it is
 * absent the engine differentiates `combine` over the N-vector. A combination's own
 * parameters (φ, e.g. a learned temperature) are {@link Module} parameters and train like any
 * other.
 *
 * @example
 * ```ts
 * class Mean extends Module implements Combination {
 *   combine(y: tf.Tensor1D) { return tf.mean(y) as tf.Scalar; }
 *   poseWeights(y: tf.Tensor1D) { return tf.fill([y.size], 1 / y.size) as tf.Tensor1D; }
 *   combineReference(y: readonly number[]) { return y.reduce((a, b) => a + b, 0) / y.length; }
 * }
 * ```
 */
export interface Combination extends Module {
  /**
   * h over the N pose predictions, in TF.js ops (differentiable in `predictions` and φ).
   * @param predictions - float32 vector of length N ≥ 1
   * @returns the combined prediction, a scalar
   */
  combine(predictions: tf.Tensor1D): tf.Scalar;
  /**
   * Closed-form pose weights ∂h/∂ŷ_i at `predictions`.
   * @param predictions - float32 vector of length N
   * @returns float32 vector of length N
   */
  poseWeights?(predictions: tf.Tensor1D): tf.Tensor1D;
  /**
   * h in JS doubles, used by the testing harness as the float64 reference for central
   * differences. Use the current values of any parameters.
   * @param predictions - the N pose predictions
   * @returns the combined prediction
   */
  combineReference?(predictions: readonly number[]): number;
  /**
   * The predictions the combination is defined for: `positive` for one that takes logarithms or
   * non-integer powers (a power mean). The engine refuses predictions outside it and the testing
   * harness draws inside it.
   * @defaultValue 'real'
   */
  readonly domain?: 'real' | 'positive';
  /**
   * Whether most pose weights are usually exactly zero (a sharp smooth minimum: exp underflows
   * for poses far above the best). The `auto` gradient mode then picks `recompute`, which skips
   * the backward pass of a pose whose coefficient is zero (exactly: it contributes nothing);
   * `stored` would back-propagate every pose.
   * @defaultValue false
   */
  readonly sparseWeights?: boolean;
}

/**
 * Checks that predictions lie in a combination's domain.
 *
 * @param combination - the combination
 * @param predictions - the N pose predictions
 * @param who - names the combination and the compound in the error
 * @throws PosePoolError `E_PROTOCOL` naming the first prediction outside the domain
 * @example
 * ```ts
 * assertInDomain(powerMean, Float32Array.from([0.2, 1.5]), "combination 'power-mean', compound 'x'");
 * ```
 */
export function assertInDomain(combination: Combination, predictions: ArrayLike<number>, who: string): void {
  if (combination.domain !== 'positive') return;
  const bad = Array.prototype.findIndex.call(predictions, (v: number) => !(v > 0));
  if (bad >= 0) {
    throw new PosePoolError(
      'E_PROTOCOL',
      `${who}: pose ${bad} is predicted as ${predictions[bad]}, but the combination takes positive predictions only. Give the model a per-pose readout that keeps predictions positive, or choose another combination.`,
    );
  }
}

/** @returns a name for `component` in error messages: its registered name when known, else its class */
export function describeComponent(component: object, registeredName?: string): string {
  return registeredName ?? component.constructor.name;
}

/**
 * Checks a combination's pose weights: a finite float32 vector of length N.
 *
 * @param weights - what the combination returned
 * @param n - the number of poses
 * @param who - names the combination in the error
 * @throws PosePoolError `E_PROTOCOL` naming the combination and the problem
 * @example
 * ```ts
 * assertPoseWeights(combination.poseWeights!(y), y.size, 'smooth-min');
 * ```
 */
export function assertPoseWeights(weights: unknown, n: number, who: string): asserts weights is tf.Tensor1D {
  const fail = (problem: string): never => {
    throw new PosePoolError('E_PROTOCOL', `Combination '${who}' returned invalid pose weights: ${problem}.`);
  };
  if (!(weights instanceof tf.Tensor)) fail(`expected a tf.Tensor, got ${typeof weights}`);
  const w = weights as tf.Tensor;
  if (w.dtype !== 'float32') fail(`dtype is ${w.dtype}, expected float32`);
  if (w.rank !== 1 || w.size !== n) fail(`shape is [${w.shape.join(', ')}], expected [${n}] (one weight per pose)`);
  const values = w.dataSync();
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) fail(`weight ${bad} is ${values[bad]} (the weights must be finite)`);
}

/**
 * A combination's pose weights w_i = ∂h/∂ŷ_i at `predictions`: its closed form when it has one,
 * else by differentiating `combine`; checked with {@link assertPoseWeights}.
 *
 * @param combination - the combination
 * @param predictions - the N pose predictions
 * @param who - names the combination in errors
 * @returns the weights, float32 of length N (the caller disposes them)
 * @throws PosePoolError `E_PROTOCOL` when the weights are invalid
 * @example
 * ```ts
 * poseWeightsOf(combination, tf.tensor1d([-9.1, -7.4]), 'smooth-min'); // ≈ [1, 0]
 * ```
 */
export function poseWeightsOf(combination: Combination, predictions: tf.Tensor1D, who: string): tf.Tensor1D {
  const weights = combination.poseWeights?.(predictions) ?? (tf.grad((y: tf.Tensor) => combination.combine(y as tf.Tensor1D))(predictions) as tf.Tensor1D);
  try {
    assertPoseWeights(weights, predictions.size, who);
  } catch (error) {
    if (weights instanceof tf.Tensor) weights.dispose();
    throw error;
  }
  return weights;
}
