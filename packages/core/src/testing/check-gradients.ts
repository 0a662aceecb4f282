import * as tf from '@tensorflow/tfjs';

import type { Combination } from '../engine/combination.js';
import type { GradientMode } from '../engine/decoupled.js';
import { poseLabelSquaredError, squaredError, sumOfLosses, type Loss } from '../engine/losses.js';
import { GroupedModel } from '../model/model.js';
import type { Readout } from '../model/readout.js';
import { ComplexOnlyStrategy } from '../model/strategy.js';
import type { Compound } from '../pose.js';
import { randomCompound } from './random.js';
import { ToyMessagePassing } from './toy-representation.js';
import type { CheckResult } from './check-combination.js';

/** Options of {@link checkDecoupledGradients}. */
export interface GradientCheckOptions {
  /** Modes compared with `naive`. @defaultValue ['stored', 'recompute', 'auto'] */
  modes?: Array<Exclude<GradientMode, 'naive'>>;
  /** Pose counts to try. @defaultValue [1, 5] */
  poseCounts?: number[];
  /** Largest allowed ‖g − g_naive‖₂ / ‖g_naive‖₂ per variable. @defaultValue 1e-5 */
  rtol?: number;
  /** Applied to each pose's prediction before the combination. */
  createPoseReadout?: () => Readout;
  /** Applied to the combined prediction. */
  createReadout?: () => Readout;
  /** PRNG seed for the model and poses. @defaultValue 1 */
  seed?: number;
}

/** The two losses every mode is checked with: the combined prediction alone, and combined plus per-pose. */
export const CHECK_LOSSES: Readonly<Record<string, Loss>> = {
  combined: squaredError(),
  'combined + per-pose': sumOfLosses(squaredError(), poseLabelSquaredError('pose_target', 0.5)),
};

/**
 * Relative error of each gradient against a reference: ‖a − b‖₂ / ‖b‖₂ per variable (the
 * absolute error where the reference is zero).
 *
 * @param actual - gradients to check
 * @param reference - reference gradients, same keys
 * @returns the error per variable name
 * @example
 * ```ts
 * gradientErrors(stored.grads, naive.grads); // { 'strategy.head.weight': 3e-7, ... }
 * ```
 */
export function gradientErrors(actual: tf.NamedTensorMap, reference: tf.NamedTensorMap): Record<string, number> {
  return Object.fromEntries(
    Object.keys(reference).map((name) => {
      const b = reference[name]!.dataSync();
      const a = actual[name]?.dataSync();
      if (a === undefined || a.length !== b.length) return [name, Infinity];
      let diff = 0;
      let norm = 0;
      for (let i = 0; i < b.length; i++) {
        diff += (a[i]! - b[i]!) ** 2;
        norm += b[i]! ** 2;
      }
      return [name, norm > 0 ? Math.sqrt(diff / norm) : Math.sqrt(diff)];
    }),
  );
}

/**
 * Checks that the decoupled gradient modes give the same gradients as the naive full graph
 * for a combination, on a small message-passing model, with a combined-only loss and a
 * combined + per-pose loss, and that no tensor leaks. Throws listing every failure.
 *
 * @param createCombination - builds a fresh combination (the check owns and disposes it)
 * @param options - modes, pose counts, tolerance, readouts, seed
 * @returns every check's result
 * @throws Error listing the failed checks
 * @example
 * ```ts
 * import { checkDecoupledGradients } from '@posepool/core/testing';
 * checkDecoupledGradients(() => new MyCombination());
 * ```
 */
export function checkDecoupledGradients(createCombination: () => Combination, options: GradientCheckOptions = {}): CheckResult[] {
  const { modes = ['stored', 'recompute', 'auto'], poseCounts = [1, 5], rtol = 1e-5, seed = 1 } = options;
  const results: CheckResult[] = [];
  const representation = new ToyMessagePassing({ hidden: 8, layers: 2, gaussians: 6, cutoff: 4, seed });
  const model = new GroupedModel({
    representation,
    strategy: new ComplexOnlyStrategy({ complex: representation.outputSize }, { seed }),
    combination: createCombination(),
    ...(options.createPoseReadout && { poseReadout: options.createPoseReadout() }),
    ...(options.createReadout && { readout: options.createReadout() }),
  });
  try {
    for (const n of poseCounts) {
      const compound: Compound = randomCompound({ poses: n, atoms: 10, seed: seed + n });
      for (const [lossName, loss] of Object.entries(CHECK_LOSSES)) {
        const reference = model.valueAndGrads(compound, loss, { mode: 'naive' });
        for (const mode of modes) {
          const label = `${mode} vs naive, N=${n}, ${lossName} loss`;
          const before = tf.memory().numTensors;
          const step = model.valueAndGrads(compound, loss, { mode });
          const errors = gradientErrors(step.grads, reference.grads);
          const [worstName, worstError] = Object.entries(errors).reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0]);
          const lossError = Math.abs(step.loss - reference.loss) / Math.max(Math.abs(reference.loss), 1e-12);
          tf.dispose(step.grads);
          const leaked = tf.memory().numTensors - before;
          const worst = Math.max(worstError, lossError) / rtol;
          results.push({
            name: label,
            worst,
            passed: worst <= 1 && leaked === 0,
            ...((worst > 1 || leaked !== 0) && {
              detail: leaked !== 0 ? `${leaked} tensors leaked` : `relative error ${worstError.toExponential(2)} on '${worstName}' (loss ${lossError.toExponential(2)}), tolerance ${rtol}`,
            }),
          });
        }
        tf.dispose(reference.grads);
      }
    }
  } finally {
    model.dispose();
  }
  const failed = results.filter((r) => !r.passed);
  if (failed.length > 0) {
    throw new Error(`Decoupled gradients failed ${failed.length} of ${results.length} checks:\n${failed.map((r) => `  - ${r.name}: ${r.detail}`).join('\n')}`);
  }
  return results;
}
