import * as tf from '@tensorflow/tfjs';
import { PosePoolError, type GradientOptions, type Loss, type MultiPoseModel } from '@posepool/core';

import type { DatasetEntry } from '../data/dataset.js';

/** What a compound's step needs of its dataset entry. */
export type StepEntry = Pick<DatasetEntry, 'compound' | 'folder' | 'key'>;

/** Throws when a compound's loss or a gradient is NaN or infinite, naming both. */
function assertFinite(entry: StepEntry, loss: number, grads: tf.NamedTensorMap): void {
  const where = `compound '${entry.compound.id}' of ${entry.folder}`;
  if (!Number.isFinite(loss)) throw new PosePoolError('E_NONFINITE', `The loss of ${where} is ${loss}. The run stopped on the last good weights; check its poses and target, or lower optimizer.learningRate.`);
  const paths = Object.keys(grads);
  const bad = tf.tidy(() => tf.stack(paths.map((p) => tf.any(tf.logicalNot(tf.isFinite(grads[p]!))).cast('int32'))).dataSync());
  const at = bad.findIndex((b) => b !== 0);
  if (at >= 0) throw new PosePoolError('E_NONFINITE', `The gradient of '${paths[at]}' for ${where} is not finite. The run stopped on the last good weights; lower optimizer.learningRate or set clipNorm.`);
}

/** Runs a step; non-finite predictions (E_NONFINITE) or pose weights become `E_NONFINITE` naming the compound and its folder. */
function nonFiniteNamed<T>(entry: StepEntry, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof PosePoolError && (error.code === 'E_NONFINITE' || (error.code === 'E_PROTOCOL' && /must be finite/.test(error.message)))) {
      throw new PosePoolError('E_NONFINITE', `The pose predictions of compound '${entry.compound.id}' of ${entry.folder} are not finite (${error.message}) The run stopped on the last good weights; lower optimizer.learningRate or set clipNorm.`, { cause: error });
    }
    throw error;
  }
}

/**
 * One compound's loss and gradients, checked: NaN or Inf in the predictions, the loss or any
 * gradient throws `E_NONFINITE` naming the compound, its folder and the variable. The same step
 * runs in the main thread and in worker threads.
 *
 * @param model - the model
 * @param entry - the compound with its folder
 * @param loss - the training loss
 * @param options - gradient mode and memory budget
 * @returns the loss and the gradients keyed by parameter path (yours to dispose)
 * @throws PosePoolError `E_NONFINITE` (nothing is left allocated)
 * @example
 * ```ts
 * const { loss, grads } = compoundStep(model, entry, runLoss(config.loss), { mode: 'auto' });
 * ```
 */
export function compoundStep(model: MultiPoseModel, entry: StepEntry, loss: Loss, options: GradientOptions): { loss: number; grads: tf.NamedTensorMap } {
  const step = nonFiniteNamed(entry, () => model.valueAndGrads(entry.compound, loss, options));
  try {
    assertFinite(entry, step.loss, step.grads);
  } catch (error) {
    tf.dispose(step.grads);
    throw error;
  }
  return { loss: step.loss, grads: step.grads };
}
