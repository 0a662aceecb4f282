import * as tf from '@tensorflow/tfjs';

import type { Combination } from '../components/combination.js';
import type { GradientMode } from '../engine/decoupled.js';
import { poseLabelSquaredError, squaredError, sumOfLosses, type Loss } from '../engine/losses.js';
import { MultiPoseModel } from '../model/multi-pose-model.js';
import type { Readout } from '../components/readout.js';
import { Module } from '../nn/module.js';
import { ComplexOnlyStrategy } from '../standard/strategies.js';
import type { Compound } from '../pose.js';
import { randomCompound } from './random.js';
import { ToyMessagePassing } from './toy-representation.js';
import type { CheckResult } from './check-combination.js';
import { expectNoLeaks } from './leaks.js';

/** Options of {@link checkDecoupledGradients}. */
export interface GradientCheckOptions extends ModelGradientCheckOptions {
  /** Pose counts to try. @defaultValue [1, 5] */
  poseCounts?: number[];
  /** Applied to each pose's prediction before the combination. @defaultValue none, or `exp` for a combination whose `domain` is `positive` */
  createPoseReadout?: () => Readout;
  /** Applied to the combined prediction. */
  createReadout?: () => Readout;
  /** PRNG seed for the model and poses. @defaultValue 1 */
  seed?: number;
}

/**
 * The two losses every mode is checked with: the combined prediction alone, and combined plus per-pose.
 *
 * @example
 * ```ts
 * model.valueAndGrads(compound, CHECK_LOSSES['combined + per-pose']!);
 * ```
 */
export const CHECK_LOSSES: Readonly<Record<string, Loss>> = {
  combined: squaredError(),
  'combined + per-pose': sumOfLosses(squaredError(), poseLabelSquaredError('pose_target', 0.5)),
};

/** How far a gradient map is from a reference. */
export interface GradientError {
  /** ‖a − b‖₂ / ‖b‖₂ over all variables together (the relative error of the gradient). */
  readonly total: number;
  /** The same per variable (absolute where the reference is zero). */
  readonly perVariable: Readonly<Record<string, number>>;
  /** The variable with the largest per-variable error. */
  readonly worstVariable: string;
}

/**
 * Relative error of a gradient map against a reference, overall and per variable.
 *
 * @param actual - gradients to check
 * @param reference - reference gradients, same keys
 * @returns the errors
 * @example
 * ```ts
 * gradientError(stored.grads, naive.grads).total; // 3e-7
 * ```
 */
export function gradientError(actual: tf.NamedTensorMap, reference: tf.NamedTensorMap): GradientError {
  let [diffTotal, normTotal] = [0, 0];
  const perVariable: Record<string, number> = {};
  for (const name of Object.keys(reference)) {
    const b = reference[name]!.dataSync();
    const a = actual[name]?.dataSync();
    if (a === undefined || a.length !== b.length) {
      perVariable[name] = Infinity;
      diffTotal = Infinity;
      continue;
    }
    let [diff, norm] = [0, 0];
    for (let i = 0; i < b.length; i++) {
      diff += (a[i]! - b[i]!) ** 2;
      norm += b[i]! ** 2;
    }
    perVariable[name] = norm > 0 ? Math.sqrt(diff / norm) : Math.sqrt(diff);
    diffTotal += diff;
    normTotal += norm;
  }
  const worstVariable = Object.keys(perVariable).reduce((w, k) => (perVariable[k]! > (perVariable[w] ?? -1) ? k : w), '');
  return { total: normTotal > 0 ? Math.sqrt(diffTotal / normTotal) : Math.sqrt(diffTotal), perVariable, worstVariable };
}

/**
 * Throws unless `actual` matches `reference`: relative error of the whole gradient ≤ `rtol`,
 * and of each variable ≤ 10 · `rtol`. The looser per-variable bound is float32 arithmetic, not
 * slack: a variable whose gradient is a cancelling sum (a bias summed over atoms, say) keeps an
 * absolute error of order ε₃₂ × the size of its terms, which can be 1e-5 of a small result.
 *
 * @param actual - gradients to check
 * @param reference - reference gradients (e.g. from `mode: 'naive'`)
 * @param rtol - tolerance on the whole gradient
 * @returns the errors
 * @example
 * ```ts
 * assertGradientsMatch(model.valueAndGrads(c, loss, { mode: 'recompute' }).grads, naive.grads);
 * ```
 */
export function assertGradientsMatch(actual: tf.NamedTensorMap, reference: tf.NamedTensorMap, rtol = 1e-5): GradientError {
  const error = gradientError(actual, reference);
  const worst = error.perVariable[error.worstVariable] ?? 0;
  if (!(error.total <= rtol) || !(worst <= 10 * rtol)) {
    throw new Error(`Gradients differ: relative error ${error.total.toExponential(2)} overall (tolerance ${rtol}), ${worst.toExponential(2)} on '${error.worstVariable}' (tolerance ${10 * rtol}).`);
  }
  return error;
}

/** exp(x): positive predictions for combinations whose domain is positive. */
class ExpReadout extends Module implements Readout {
  apply<T extends tf.Tensor>(prediction: T): T {
    return tf.exp(prediction) as T;
  }
}

/** Options of {@link checkModelGradients}. */
export interface ModelGradientCheckOptions {
  /** Modes compared with `naive`. @defaultValue ['stored', 'recompute', 'auto'] */
  modes?: Array<Exclude<GradientMode, 'naive'>>;
  /** Tolerance on the relative error of the whole gradient (10× per variable, see {@link assertGradientsMatch}). @defaultValue 1e-5 */
  rtol?: number;
  /** Losses to check with, by name. @defaultValue {@link CHECK_LOSSES} */
  losses?: Readonly<Record<string, Loss>>;
}

/**
 * Checks that every decoupled gradient mode gives a model the gradients of the naive full graph,
 * with the combined-only and the combined + per-pose loss of {@link CHECK_LOSSES}, and that no
 * tensor leaks. Use it for any architecture, strategy or combination. Throws listing every failure.
 *
 * @param model - the model under test
 * @param compounds - compounds with a `target` and a `pose_target` pose label
 * @param options - modes and tolerance
 * @returns every check's result
 * @throws Error listing the failed checks
 * @example
 * ```ts
 * checkModelGradients(model, [randomCompound({ poses: 3, atoms: 16 })]);
 * ```
 */
export function checkModelGradients(model: MultiPoseModel, compounds: readonly Compound[], options: ModelGradientCheckOptions = {}): CheckResult[] {
  const { modes = ['stored', 'recompute', 'auto'], rtol = 1e-5, losses = CHECK_LOSSES } = options;
  const results: CheckResult[] = [];
  for (const compound of compounds) {
    for (const [lossName, loss] of Object.entries(losses)) {
      const reference = model.valueAndGrads(compound, loss, { mode: 'naive' });
      for (const mode of modes) {
        let leak: string | undefined;
        let measured: { error: GradientError; lossError: number } | undefined;
        try {
          expectNoLeaks(() => {
            const step = model.valueAndGrads(compound, loss, { mode });
            measured = { error: gradientError(step.grads, reference.grads), lossError: Math.abs(step.loss - reference.loss) / Math.max(Math.abs(reference.loss), 1e-12) };
            tf.dispose(step.grads);
          }, `The ${mode} step`);
        } catch (e) {
          leak = (e as Error).message;
        }
        const { error, lossError } = measured!;
        const worstVariable = error.perVariable[error.worstVariable] ?? 0;
        const worst = Math.max(error.total / rtol, worstVariable / (10 * rtol), lossError / rtol);
        const failed = worst > 1 || leak !== undefined;
        results.push({
          name: `${mode} vs naive, N=${compound.poses.length}, ${lossName} loss`,
          worst,
          passed: !failed,
          ...(failed && {
            detail:
              leak ?? `relative error ${error.total.toExponential(2)} overall, ${worstVariable.toExponential(2)} on '${error.worstVariable}', loss ${lossError.toExponential(2)} (tolerance ${rtol}, per variable ${10 * rtol})`,
          }),
        });
      }
      tf.dispose(reference.grads);
    }
  }
  const failures = results.filter((r) => !r.passed);
  if (failures.length > 0) {
    throw new Error(`Decoupled gradients failed ${failures.length} of ${results.length} checks:\n${failures.map((r) => `  - ${r.name}: ${r.detail}`).join('\n')}`);
  }
  return results;
}

/**
 * Checks that the decoupled gradient modes give the same gradients as the naive full graph
 * for a combination, on a small message-passing model, with a combined-only loss and a
 * combined + per-pose loss, and that no tensor leaks ({@link checkModelGradients} on a test
 * model). Throws listing every failure.
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
  const { poseCounts = [1, 5], seed = 1 } = options;
  const representation = new ToyMessagePassing({ hidden: 8, layers: 2, gaussians: 6, cutoff: 4, seed });
  const combination = createCombination();
  const poseReadout = options.createPoseReadout?.() ?? (combination.domain === 'positive' ? new ExpReadout() : undefined);
  const model = new MultiPoseModel({
    representation,
    strategy: new ComplexOnlyStrategy({ complex: representation.outputSize }, { seed }),
    combination,
    ...(poseReadout && { poseReadout }),
    ...(options.createReadout && { readout: options.createReadout() }),
  });
  try {
    const compounds = poseCounts.map((n) => randomCompound({ poses: n, atoms: 10, seed: seed + n }));
    return checkModelGradients(model, compounds, options);
  } finally {
    model.dispose();
  }
}
