import * as tf from '@tensorflow/tfjs';
import { PosePoolError, censoredSquaredError, gaussianNll, poseCrossEntropy, poseLabelSquaredError, poseRangePenalty, squaredError, sumOfLosses, type Compound, type Loss } from '@posepool/core';

import type { RunConfig } from '../config/schema.js';

/** `loss` times `weight` (the loss itself for weight 1). */
function weighted(loss: Loss, weight: number): Loss {
  return weight === 1 ? loss : (inputs) => tf.tidy(() => loss(inputs).mul(weight) as tf.Scalar);
}

/** `loss` for compounds whose poses carry `label`, nothing (a zero tied to the pose predictions) for the others. */
function whereLabelled(loss: Loss, label: string): Loss {
  return (inputs) => (inputs.compound.poseLabels?.[label] === undefined ? tf.tidy(() => inputs.poses.sum().mul(0) as tf.Scalar) : loss(inputs));
}

/**
 * The training loss of a run config, the sum of its terms: `weight` × the squared error of the
 * combined prediction (censored: a `<`/`>` measurement costs nothing on its satisfied side),
 * plus each configured term with its own weight: the per-pose label error (`poseLabel`), the
 * Gaussian negative log-likelihood with the compound's measurement error (`gaussianNll`), the
 * pose range penalty (`poseRange`) and the pose cross-entropy (`poseCrossEntropy`, nothing for a
 * compound whose poses do not carry its label).
 *
 * @param options - the run config's `loss` section
 * @returns the loss for `valueAndGrads`
 * @example
 * ```ts
 * model.valueAndGrads(compound, runLoss(config.loss));
 * ```
 */
export function runLoss(options: RunConfig['loss']): Loss {
  const terms: Loss[] = [];
  if (options.weight > 0) terms.push(weighted(options.kind === 'censored-squared-error' ? censoredSquaredError() : squaredError(), options.weight));
  if (options.poseLabel !== null) terms.push(poseLabelSquaredError(options.poseLabel.label, options.poseLabel.weight));
  const nll = options.gaussianNll;
  if (nll !== null) terms.push(weighted(gaussianNll(nll.defaultError === null ? {} : { defaultSigma: nll.defaultError }), nll.weight));
  const range = options.poseRange;
  if (range !== null) terms.push(poseRangePenalty(range.min, range.max, range.weight));
  const entropy = options.poseCrossEntropy;
  if (entropy !== null) terms.push(whereLabelled(poseCrossEntropy(entropy), entropy.label));
  return terms.length === 1 ? terms[0]! : sumOfLosses(...terms);
}

/**
 * The terms of {@link runLoss} on the combined prediction, for one prediction, in JS: the
 * validation loss. `weight` × the (censored) squared error, plus `gaussianNll` when configured;
 * the per-pose terms are left out.
 *
 * @param options - the run config's `loss` section
 * @param predicted - the combined prediction
 * @param compound - the compound with its target (and `targetError` for `gaussianNll`)
 * @returns the loss; the squared error is zero on the satisfied side of a censored measurement
 * @throws PosePoolError `E_INPUT` when `gaussianNll` needs a measurement error the compound lacks
 * @example
 * ```ts
 * combinedLoss(config.loss, 7.1, { id: 'a', poses, target: 7, targetQualifier: '>' }); // 0
 * ```
 */
export function combinedLoss(options: RunConfig['loss'], predicted: number, compound: Compound): number {
  const target = compound.target ?? NaN;
  const below = compound.targetQualifier === '<' && predicted <= target;
  const above = compound.targetQualifier === '>' && predicted >= target;
  let loss = 0;
  if (options.weight > 0) loss += options.kind === 'censored-squared-error' && (below || above) ? 0 : options.weight * (predicted - target) ** 2;
  const nll = options.gaussianNll;
  if (nll !== null) {
    const sigma = measurementError(compound, nll.defaultError);
    const squared = below || above ? 0 : ((predicted - target) / sigma) ** 2;
    loss += nll.weight * (0.5 * squared + Math.log(sigma) + 0.5 * Math.log(2 * Math.PI));
  }
  return loss;
}

/**
 * The σ `gaussianNll` uses for a compound: its finite positive `targetError`, else `defaultError`.
 *
 * @param compound - the compound
 * @param defaultError - the run config's `loss.gaussianNll.defaultError`
 * @returns σ
 * @throws PosePoolError `E_INPUT` naming the compound when it has no error and there is no default
 * @example
 * ```ts
 * measurementError({ id: 'a', poses, target: 7 }, 0.5); // 0.5
 * ```
 */
export function measurementError(compound: Compound, defaultError: number | null): number {
  const error = compound.targetError;
  if (error !== undefined && Number.isFinite(error) && error > 0) return error;
  if (defaultError !== null) return defaultError;
  throw new PosePoolError('E_INPUT', `Compound '${compound.id}' has no measurement error (got ${error}); loss.gaussianNll needs one per compound. Fill its data.errorColumn cell, or set loss.gaussianNll.defaultError.`);
}
