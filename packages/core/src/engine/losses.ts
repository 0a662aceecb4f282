import * as tf from '@tensorflow/tfjs';

import { PosePoolError } from '../errors.js';
import type { Compound } from '../pose.js';

/** What a loss sees for one compound. */
export interface LossInputs {
  /** The combined prediction (after the combination and any combined readout). */
  readonly combined: tf.Scalar;
  /** The N per-pose predictions (after any per-pose readout), the combination's inputs. */
  readonly poses: tf.Tensor1D;
  /** The compound, for its target and per-pose labels. */
  readonly compound: Compound;
}

/**
 * A loss for one compound: any differentiable function of the combined prediction and the
 * per-pose predictions. The engine differentiates it over those N + 1 numbers only.
 *
 * @example
 * ```ts
 * const loss: Loss = ({ combined, compound }) => tf.squaredDifference(combined, compound.target!) as tf.Scalar;
 * ```
 */
export type Loss = (inputs: LossInputs) => tf.Scalar;

function targetOf(compound: Compound): number {
  if (compound.target === undefined || !Number.isFinite(compound.target)) {
    throw new PosePoolError('E_INPUT', `Compound '${compound.id}' has no finite target (got ${compound.target}); a loss on the combined prediction needs one.`);
  }
  return compound.target;
}

/**
 * Squared error of the combined prediction against `compound.target`.
 *
 * @returns the loss
 * @example
 * ```ts
 * model.valueAndGrads(compound, squaredError());
 * ```
 */
export function squaredError(): Loss {
  return ({ combined, compound }) => tf.tidy(() => tf.squaredDifference(combined, targetOf(compound)) as tf.Scalar);
}

/**
 * Squared error that respects censored targets (`compound.targetQualifier`): for `<` (the true
 * value lies below the target) a prediction at or below the target costs nothing, for `>` one at
 * or above it; uncensored targets are plain squared error. The step loss for values such as
 * "pIC50 < 5" that screening reports.
 *
 * @returns the loss
 * @example
 * ```ts
 * model.valueAndGrads(compound, censoredSquaredError());
 * ```
 */
export function censoredSquaredError(): Loss {
  return ({ combined, compound }) =>
    tf.tidy(() => {
      const difference = combined.sub(targetOf(compound));
      const kept = compound.targetQualifier === '<' ? tf.relu(difference) : compound.targetQualifier === '>' ? tf.relu(difference.neg()) : difference;
      return kept.square() as tf.Scalar;
    });
}

/** Options of {@link gaussianNll}. */
export interface GaussianNllOptions {
  /**
   * Sigma for a compound without a finite positive `targetError`. Without it such a compound is
   * an error: a likelihood weighs each compound by its own measurement error, and a silent
   * fallback would let a missing error column go unnoticed.
   */
  readonly defaultSigma?: number;
}

/**
 * Gaussian negative log-likelihood of the combined prediction with the compound's measurement
 * error `sigma = compound.targetError`:
 * `0.5 * ((yhat - y) / sigma)^2 + log(sigma) + 0.5 * log(2 * pi)`. The constant is included so
 * the value is the true per-compound NLL in nats; it does not change gradients. Censored targets
 * (`<`, `>`) drop the squared part on the satisfied side, as {@link censoredSquaredError} does;
 * the `log(sigma)` and constant terms stay, so the value is continuous at the bound.
 *
 * @param options - the sigma rule for compounds without a measurement error
 * @returns the loss
 * @example
 * ```ts
 * model.valueAndGrads(compound, gaussianNll({ defaultSigma: 0.5 }));
 * ```
 */
export function gaussianNll(options: GaussianNllOptions = {}): Loss {
  const { defaultSigma } = options;
  if (defaultSigma !== undefined && !(Number.isFinite(defaultSigma) && defaultSigma > 0)) {
    throw new PosePoolError('E_INPUT', `gaussianNll: defaultSigma must be a finite positive number (got ${defaultSigma}).`);
  }
  return ({ combined, compound }) => {
    const error = compound.targetError;
    const sigma = error !== undefined && Number.isFinite(error) && error > 0 ? error : defaultSigma;
    if (sigma === undefined) {
      throw new PosePoolError(
        'E_INPUT',
        `Compound '${compound.id}' has no finite positive targetError (got ${error}); gaussianNll needs one per compound. Load a measurement error column or pass defaultSigma.`,
      );
    }
    return tf.tidy(() => {
      const difference = combined.sub(targetOf(compound)).div(sigma);
      const kept = compound.targetQualifier === '<' ? tf.relu(difference) : compound.targetQualifier === '>' ? tf.relu(difference.neg()) : difference;
      return kept.square().mul(0.5).add(Math.log(sigma) + 0.5 * Math.log(2 * Math.PI)) as tf.Scalar;
    });
  };
}

/** A compound's per-pose label, one value per pose, or an `E_INPUT` error naming the compound. */
function poseLabelsOf(compound: Compound, label: string, poses: number): Float32Array {
  const labels = compound.poseLabels?.[label];
  if (labels === undefined || labels.length !== poses) {
    throw new PosePoolError('E_INPUT', `Compound '${compound.id}' needs pose label '${label}' with one value per pose (${poses}); got ${labels === undefined ? 'none' : labels.length}.`);
  }
  return labels;
}

/**
 * Mean squared error of the per-pose predictions against a per-pose label (e.g. a docking
 * score or a pose-specific affinity), scaled by `weight`.
 *
 * @param label - key in `compound.poseLabels`
 * @param weight - multiplies the term
 * @returns the loss
 * @example
 * ```ts
 * sumOfLosses(squaredError(), poseLabelSquaredError('vina_score', 0.1));
 * ```
 */
export function poseLabelSquaredError(label: string, weight = 1): Loss {
  return ({ poses, compound }) =>
    tf.tidy(() => {
      const labels = poseLabelsOf(compound, label, poses.size);
      return tf.squaredDifference(poses, tf.tensor1d(labels)).mean().mul(weight) as tf.Scalar;
    });
}

/**
 * Penalty on per-pose predictions outside `[lo, hi]`: the sum over poses of
 * `weight * (relu(lo - yhat_i)^2 + relu(yhat_i - hi)^2)`, zero inside the range. Keeps pose
 * predictions in a physical range (in the per-pose units, e.g. kT) when only the combined
 * prediction is labelled.
 *
 * @param lo - lower bound
 * @param hi - upper bound, at least `lo`
 * @param weight - multiplies the term
 * @returns the loss
 * @example
 * ```ts
 * sumOfLosses(squaredError(), poseRangePenalty(-20, 0, 0.1));
 * ```
 */
export function poseRangePenalty(lo: number, hi: number, weight = 1): Loss {
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi && Number.isFinite(weight))) {
    throw new PosePoolError('E_INPUT', `poseRangePenalty needs finite bounds with lo <= hi and a finite weight (got lo=${lo}, hi=${hi}, weight=${weight}).`);
  }
  return ({ poses }) =>
    tf.tidy(() => tf.relu(tf.sub(lo, poses)).square().add(tf.relu(poses.sub(hi)).square()).sum().mul(weight) as tf.Scalar);
}

/** Options of {@link poseCrossEntropy}. */
export interface PoseCrossEntropyOptions {
  /** Per-pose label in `compound.poseLabels`, e.g. `rmsd_to_reference`. */
  readonly label: string;
  /** A pose is correct when its label is below this (e.g. 2 Å). */
  readonly threshold: number;
  /** Multiplies the term. @defaultValue 1 */
  readonly weight?: number;
  /** Temperature in the per-pose units. @defaultValue 1 */
  readonly temperature?: number;
}

/**
 * Cross-entropy between the pose weights `p = softmax(-yhat_i / T)` over the compound's poses and
 * the uniform distribution over its correct poses (label below `threshold`):
 * `weight * -mean over correct i of log p_i`. The per-pose predictions are what the combination
 * receives (after any per-pose readout), so `T` is in their units (kT for a Boltzmann-style
 * energy head; lower is better). A compound with no correct pose contributes 0 (nothing to
 * teach); with all poses correct the target is uniform over all of them.
 *
 * @param options - label, threshold, weight, temperature
 * @returns the loss
 * @example
 * ```ts
 * sumOfLosses(squaredError(), poseCrossEntropy({ label: 'rmsd_to_reference', threshold: 2, weight: 0.1 }));
 * ```
 */
export function poseCrossEntropy(options: PoseCrossEntropyOptions): Loss {
  const { label, threshold, weight = 1, temperature = 1 } = options;
  if (!(Number.isFinite(threshold) && Number.isFinite(weight) && temperature > 0 && Number.isFinite(temperature))) {
    throw new PosePoolError('E_INPUT', `poseCrossEntropy needs a finite threshold and weight and a positive temperature (got ${threshold}, ${weight}, ${temperature}).`);
  }
  return ({ poses, compound }) =>
    tf.tidy(() => {
      const labels = poseLabelsOf(compound, label, poses.size);
      const correct = Array.from(labels, (x) => (x < threshold ? 1 : 0));
      const count = correct.reduce((a: number, b) => a + b, 0);
      if (count === 0) return tf.scalar(0).mul(poses.sum());
      const logP = tf.logSoftmax(poses.neg().div(temperature));
      return logP.mul(tf.tensor1d(correct)).sum().mul(-weight / count) as tf.Scalar;
    });
}

/**
 * The sum of several losses.
 *
 * @param losses - the terms
 * @returns their sum
 * @example
 * ```ts
 * const loss = sumOfLosses(squaredError(), poseLabelSquaredError('pK', 0.5));
 * ```
 */
export function sumOfLosses(...losses: Loss[]): Loss {
  return (inputs) => tf.tidy(() => tf.addN(losses.map((loss) => loss(inputs))) as tf.Scalar);
}
