import * as tf from '@tensorflow/tfjs';

import { assertPoseWeights, type Combination } from '../components/combination.js';
import { seededRandom } from './random.js';

/** Options of {@link checkCombination}. */
export interface CombinationCheckOptions {
  /** Pose counts to try. @defaultValue [1, 2, 5, 16] */
  sizes?: number[];
  /** Random prediction vectors per size. @defaultValue 3 */
  trials?: number;
  /** Predictions are drawn uniformly from ±spread, or from (0, 2·spread] for a combination whose `domain` is `positive` (pick it so weights are neither uniform nor one-hot, e.g. 3/scale for a LogSumExp with that scale). @defaultValue 2 */
  spread?: number;
  /** Extreme predictions that must keep h and the weights finite: ±extreme, or extreme and 1/extreme for a positive domain. @defaultValue 1000 */
  extreme?: number;
  /** Rounds at random parameter values (each φ moved by up to ±0.5·max(1, |φ|)), after the round at the combination's own values. @defaultValue 2 */
  parameterTrials?: number;
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

/** How many tolerances away the worst element is (NaN counts as failing), and what it was. */
interface Comparison {
  worst: number;
  detail: string;
}

function compare(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number): Comparison {
  let worst = 0;
  let at = 0;
  for (let i = 0; i < expected.length; i++) {
    const ratio = Math.abs(actual[i]! - expected[i]!) / (atol + rtol * Math.abs(expected[i]!));
    const r = Number.isNaN(ratio) ? Infinity : ratio;
    if (r > worst) [worst, at] = [r, i];
  }
  return { worst, detail: `element ${at}: expected ${expected[at]}, got ${actual[at]} (${worst.toFixed(1)} × the tolerance ${atol} + ${rtol}·|expected|)` };
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
 * Checks a combination the way PosePool checks its own, and throws listing every failure with
 * the expected and the actual value:
 *
 * - closed-form pose weights (`poseWeights`) against autodiff of `combine`;
 * - when `combineReference` (h in JS doubles) exists: `combine` against it, and the weights
 *   against its central differences, and the gradient of h for each parameter φ against
 *   central differences over that parameter;
 * - all of these at the combination's own parameter values and at `parameterTrials` random ones
 *   (a slip that vanishes at a default such as T = 1 or a zero prior is caught there);
 * - edge cases: N = 1, all predictions tied, extreme predictions staying finite.
 *
 * Predictions are drawn from the combination's `domain` (positive ones for `positive`).
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
  const { sizes = [1, 2, 5, 16], trials = 3, spread = 2, extreme = 1000, rtol = 1e-4, atol = 1e-6, seed = 1, parameterTrials = 2 } = options;
  const random = seededRandom(seed);
  const positive = combination.domain === 'positive';
  const draw = (): number => (positive ? spread * (2 * random() + 1e-3) : spread * (2 * random() - 1));
  const results: CheckResult[] = [];
  const record = (name: string, worst: number, detail: string): void => {
    results.push({ name, worst, passed: worst <= 1, ...(worst > 1 && { detail }) });
  };
  const recordComparison = (name: string, { worst, detail }: Comparison): void => record(name, worst, detail);
  const vectors: Array<[string, number[]]> = [];
  for (const n of sizes) {
    for (let t = 0; t < trials; t++) vectors.push([`N=${n} #${t}`, Array.from({ length: n }, draw)]);
  }
  vectors.push(['ties N=4', [0.5, 0.5, 0.5, 0.5]]);
  const reference = combination.combineReference?.bind(combination);
  const variables = combination.variables();
  const originals = variables.map((v) => v.clone());
  try {
    for (let round = 0; round <= (variables.length > 0 ? parameterTrials : 0); round++) {
      const at = round === 0 ? '' : `, random parameters #${round}`;
      if (round > 0) {
        variables.forEach((v, k) =>
          tf.tidy(() => {
            const base = originals[k]!;
            v.assign(base.add(tf.randomUniform(base.shape, -0.5, 0.5, 'float32', seed * 7 + round * 31 + k).mul(base.abs().maximum(1))));
          }),
        );
      }
      checkAtCurrentParameters(at);
    }
  } finally {
    variables.forEach((v, k) => v.assign(originals[k]!));
    tf.dispose(originals);
  }
  checkExtremes();

  const failed = results.filter((r) => !r.passed);
  if (failed.length > 0) {
    throw new Error(`Combination ${combination.constructor.name} failed ${failed.length} of ${results.length} checks:\n${failed.map((r) => `  - ${r.name}: ${r.detail}`).join('\n')}`);
  }
  return results;

  function checkAtCurrentParameters(at: string): void {
    for (const [rawLabel, values] of vectors) {
      const label = rawLabel + at;
      const y = tf.tensor1d(values);
      // The float32 inputs are what both sides see.
      const y32 = Array.from(y.dataSync());
      try {
        const { analytic, autodiff, h } = weightsOf(combination, y);
        if (analytic !== undefined) recordComparison(`analytic vs autodiff weights, ${label}`, compare(analytic, autodiff, rtol, atol));
        if (reference !== undefined) {
          recordComparison(`combine vs float64 reference, ${label}`, compare([h], [reference(y32)], rtol, atol));
          recordComparison(`weights vs central differences, ${label}`, compare(analytic ?? autodiff, centralDifferences(reference, y32), rtol, atol));
        }
      } catch (error) {
        record(`weights, ${label}`, Infinity, (error as Error).message);
      } finally {
        y.dispose();
      }
    }

    if (reference !== undefined) {
      for (const variable of variables) {
        const original = variable.clone();
        const y32 = vectors.find(([l]) => l.startsWith('N=5'))?.[1] ?? [0.3, positive ? 0.2 : -0.2, 0.9];
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
        recordComparison(`dh/d${variable.name} vs central differences${at}`, compare(autodiff, differences, Math.max(rtol, 1e-3), atol));
      }
    }
  }

  function checkExtremes(): void {
    for (const [label, values] of [
      ['extreme N=3', positive ? [extreme, 1 / extreme, 0.5 * extreme] : [extreme, -extreme, 0.5 * extreme]],
      ['extreme ties', [extreme, extreme]],
      ['N=1', [0.25]],
    ] as Array<[string, number[]]>) {
      const y = tf.tensor1d(values);
      try {
        const { analytic, autodiff, h } = weightsOf(combination, y);
        const finite = Number.isFinite(h) && [...(analytic ?? autodiff)].every(Number.isFinite);
        record(`finite h and weights, ${label}`, finite ? 0 : Infinity, `h = ${h}, weights = [${Array.from(analytic ?? autodiff).join(', ')}]`);
      } catch (error) {
        record(`finite h and weights, ${label}`, Infinity, (error as Error).message);
      } finally {
        y.dispose();
      }
    }
  }
}
