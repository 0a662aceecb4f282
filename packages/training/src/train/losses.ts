import { censoredSquaredError, poseLabelSquaredError, squaredError, sumOfLosses, type Compound, type Loss } from '@posepool/core';

import type { RunConfig } from '../config/schema.js';

/**
 * The training loss of a run config: squared error (censored: a `<`/`>` measurement costs
 * nothing on its satisfied side), plus a per-pose label term when configured.
 *
 * @param options - the run config's `loss` section
 * @returns the loss for `valueAndGrads`
 * @example
 * ```ts
 * model.valueAndGrads(compound, runLoss(config.loss));
 * ```
 */
export function runLoss(options: RunConfig['loss']): Loss {
  const combined = options.kind === 'censored-squared-error' ? censoredSquaredError() : squaredError();
  return options.poseLabel === null ? combined : sumOfLosses(combined, poseLabelSquaredError(options.poseLabel.label, options.poseLabel.weight));
}

/**
 * The combined part of {@link runLoss} for one prediction, in JS (for validation).
 *
 * @param options - the run config's `loss` section
 * @param predicted - the combined prediction
 * @param compound - the compound with its target
 * @returns the squared error, zero on the satisfied side of a censored measurement
 * @example
 * ```ts
 * combinedLoss(config.loss, 7.1, { id: 'a', poses, target: 7, targetQualifier: '>' }); // 0
 * ```
 */
export function combinedLoss(options: RunConfig['loss'], predicted: number, compound: Compound): number {
  const target = compound.target ?? NaN;
  if (options.kind === 'censored-squared-error') {
    if (compound.targetQualifier === '>' && predicted >= target) return 0;
    if (compound.targetQualifier === '<' && predicted <= target) return 0;
  }
  return (predicted - target) ** 2;
}
