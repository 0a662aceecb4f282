import * as tf from '@tensorflow/tfjs';

import { assertPoseWeights, type Combination } from '../components/combination.js';
import { seededRandom } from './random.js';

/** Options of {@link checkCombination}. */
export interface CombinationCheckOptions {
  /** Pose counts to try. @defaultValue [1, 2, 5, 16] */
  sizes?: number[];
  /** Random prediction vectors per size. @defaultValue 3 */
  trials?: number;
  /** Predictions are drawn uniformly from ±spread (pick it so weights are neither uniform nor one-hot, e.g. 3/scale for a LogSumExp with that scale). @defaultValue 2 */
  spread?: number;
  /** Extreme predictions that must keep h and the weights finite. @defaultValue ±1000 */
  extreme?: number;
  /** Relative tolerance of every comparison. @defaultValue 1e-4 */
  rtol?: number;
  /** Absolute tolerance of every comparison. @defaultValue 1e-6 */
  atol?: number;
  /** PRNG seed. @defaultValue 1 */
  seed?: number;
}

/** One check's outcome. */
export interface CheckResult {
  /** What was compared, e.g. `analytic vs autodiff weights, N=5`. */
  readonly name: string;
  /** Largest error relative to the tolerance (≤ 1 passes). */
  readonly worst: number;
  readonly passed: boolean;
  /** Why it failed, when it did. */
  readonly detail?: string;
}

/** Error vector → how many tolerances away the worst element is (NaN counts as failing). */
function worstRatio(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const ratio = Math.abs(actual[i]! - expected[i]!) / (atol + rtol * Math.abs(expected[i]!));
    worst = Math.max(worst, Number.isNaN(ratio) ? Infinity : ratio);
  }
  return worst;
}

/**
 * Central differences of a JS-doubles function, with steps scaled to each coordinate.
 *
 * @example
 * ```ts
 * centralDifferences((x) => x[0]! ** 2, [3]); // ≈ [6]
 * ```
 */
export function centralDifferences(f: (x: number[]) => number, x: readonly number[], relativeStep = 1e-6): number[] {
  return x.map((xi, i) => {
    const step = relativeStep * Math.max(1, Math.abs(xi));
    const plus = [...x];
    const minus = [...x];
    plus[i] = xi + step;
    minus[i] = xi - step;
    return (f(plus) - f(minus)) / (2 * step);
  });
}

function weightsOf(combination: Combination, y: tf.Tensor1D): { analytic?: Float32Array; autodiff: Float32Array; h: number } {
  return tf.tidy(() => {
    const { value, grads } = tf.engine().gradients(() => combination.combine(y), [y], undefined, true);
    const autodiff = (grads[0] ?? tf.zerosLike(y)).dataSync() as Float32Array;
    const analytic = combination.poseWeights?.(y);
    if (analytic !== undefined) assertPoseWeights(analytic, y.size, combination.constructor.name);
    return { autodiff, h: value.dataSync()[0]!, ...(analytic && { analytic: analytic.dataSync() as Float32Array }) };
  });
}

/**
 * Checks a combination the way PosePool checks its own, and throws listing every failure:
 *
 * - closed-form pose weights (`poseWeights`) against autodiff of `combine`;
 * - when `combineReference` (h in JS doubles) exists: `combine` against it, and the weights
 *   against its central differences, and the gradient of h for each parameter φ against
 *   central differences over that parameter;
 * - edge cases: N = 1, all predictions tied, predictions of ±`extreme` staying finite.
 *
 * Call it from any test runner.
 *
 * @param combination - the combination (its parameters are restored after the check)
 * @param options - sizes, spread, tolerances, seed
 * @returns every check's result
 * @throws Error listing the failed checks
 * @example
 * ```ts
 * import { checkCombination } from '@posepool/core/testing';
 * it('passes the combination harness', () => {
 *   checkCombination(new MyCombination({ scale: 10 }), { spread: 0.3 });
 * });
 * ```
 */
export function checkCombination(combination: Combination, options: CombinationCheckOptions = {}): CheckResult[] {
  const { sizes = [1, 2, 5, 16], trials = 3, spread = 2, extreme = 1000, rtol = 1e-4, atol = 1e-6, seed = 1 } = options;
  const random = seededRandom(seed);
  const results: CheckResult[] = [];
  const record = (name: string, worst: number, detail?: string): void => {
    results.push({ name, worst, passed: worst <= 1, ...(worst > 1 && { detail: detail ?? `off by ${worst.toFixed(2)} × tolerance` }) });
  };
  const vectors: Array<[string, number[]]> = [];
  for (const n of sizes) {
    for (let t = 0; t < trials; t++) vectors.push([`N=${n} #${t}`, Array.from({ length: n }, () => spread * (2 * random() - 1))]);
  }
  vectors.push(['ties N=4', [0.5, 0.5, 0.5, 0.5]]);
  const reference = combination.combineReference?.bind(combination);

  for (const [label, values] of vectors) {
    const y = tf.tensor1d(values);
    // The float32 inputs are what both sides see.
    const y32 = Array.from(y.dataSync());
    try {
      const { analytic, autodiff, h } = weightsOf(combination, y);
      if (analytic !== undefined) record(`analytic vs autodiff weights, ${label}`, worstRatio(analytic, autodiff, rtol, atol));
      if (reference !== undefined) {
        record(`combine vs float64 reference, ${label}`, worstRatio([h], [reference(y32)], rtol, atol));
        record(`weights vs central differences, ${label}`, worstRatio(analytic ?? autodiff, centralDifferences(reference, y32), rtol, atol));
      }
    } catch (error) {
      record(`weights, ${label}`, Infinity, (error as Error).message);
    } finally {
      y.dispose();
    }
  }

  if (reference !== undefined) {
    for (const variable of combination.variables()) {
      const original = variable.clone();
      const y32 = vectors.find(([l]) => l.startsWith('N=5'))?.[1] ?? [0.3, -0.2, 0.9];
      const y = tf.tensor1d(y32);
      const autodiff = tf.tidy(() => {
        const { grads } = tf.engine().gradients(() => combination.combine(y), [variable], undefined, true);
        return Array.from((grads[0] ?? tf.zerosLike(variable)).dataSync());
      });
      const base = Array.from(original.dataSync());
      const differences = base.map((_, k) => {
        const evaluate = (delta: number): [number, number] => {
          const values = [...base];
          values[k] = base[k]! + delta;
          tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
          return [variable.dataSync()[k]!, reference(Array.from(y.dataSync()))];
        };
        const [xPlus, hPlus] = evaluate(1e-3 * Math.max(1, Math.abs(base[k]!)));
        const [xMinus, hMinus] = evaluate(-1e-3 * Math.max(1, Math.abs(base[k]!)));
        return (hPlus - hMinus) / (xPlus - xMinus);
      });
      variable.assign(original);
      original.dispose();
      y.dispose();
      // A step of 1e-3 leaves an O(step²) truncation error: compare at 1e-3 relative.
      record(`dh/d${variable.name} vs central differences`, worstRatio(autodiff, differences, Math.max(rtol, 1e-3), atol));
    }
  }

  for (const [label, values] of [
    ['extreme N=3', [extreme, -extreme, 0.5 * extreme]],
    ['extreme ties', [extreme, extreme]],
    ['N=1', [0.25]],
  ] as Array<[string, number[]]>) {
    const y = tf.tensor1d(values);
    try {
      const { analytic, autodiff, h } = weightsOf(combination, y);
      const finite = Number.isFinite(h) && [...(analytic ?? autodiff)].every(Number.isFinite);
      record(`finite h and weights, ${label}`, finite ? 0 : Infinity, finite ? undefined : `h = ${h}, weights = [${Array.from(analytic ?? autodiff).join(', ')}]`);
    } catch (error) {
      record(`finite h and weights, ${label}`, Infinity, (error as Error).message);
    } finally {
      y.dispose();
    }
  }

  const failed = results.filter((r) => !r.passed);
  if (failed.length > 0) {
    throw new Error(`Combination ${combination.constructor.name} failed ${failed.length} of ${results.length} checks:\n${failed.map((r) => `  - ${r.name}: ${r.detail}`).join('\n')}`);
  }
  return results;
}
