import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import type { Compound } from '../pose.js';
import { PoseMean, checkDecoupledGradients } from '../testing/index.js';
import { censoredSquaredError, gaussianNll, poseCrossEntropy, poseLabelSquaredError, poseRangePenalty, squaredError, sumOfLosses } from './losses.js';

const value = (loss: ReturnType<typeof squaredError>, combined: number, compound: Compound, poses = [1, 2]): number =>
  tf.tidy(() => loss({ combined: tf.scalar(combined), poses: tf.tensor1d(poses), compound }).dataSync()[0]!);

describe('losses', () => {
  const base: Compound = { id: 'c', poses: [], target: 6, poseLabels: { score: Float32Array.from([1.5, 2]) } };

  it('squared error, per-pose label error and their sum (closed forms)', () => {
    expect(value(squaredError(), 7.5, base)).toBeCloseTo(2.25, 6);
    expect(value(poseLabelSquaredError('score', 2), 0, base)).toBeCloseTo((2 * (0.25 + 0)) / 2, 6);
    expect(value(sumOfLosses(squaredError(), poseLabelSquaredError('score')), 7.5, base)).toBeCloseTo(2.25 + 0.125, 6);
  });

  it('censored targets cost nothing on the right side of the bound', () => {
    const below: Compound = { ...base, targetQualifier: '<' };
    const above: Compound = { ...base, targetQualifier: '>' };
    expect(value(censoredSquaredError(), 5, below)).toBe(0);
    expect(value(censoredSquaredError(), 7, below)).toBeCloseTo(1, 6);
    expect(value(censoredSquaredError(), 7, above)).toBe(0);
    expect(value(censoredSquaredError(), 4, above)).toBeCloseTo(4, 6);
    expect(value(censoredSquaredError(), 4, base)).toBeCloseTo(4, 6);
  });

  it('names the compound whose target or labels are missing', () => {
    expect(() => value(squaredError(), 1, { id: 'x', poses: [] })).toThrow("Compound 'x' has no finite target");
    expect(() => value(poseLabelSquaredError('vina'), 1, base)).toThrow("Compound 'c' needs pose label 'vina' with one value per pose (2); got none.");
  });

  // float32: values to 1e-6 relative (toBeCloseTo(…, 5) on values of order 1), gradients likewise.
  const nllAndGrad = (loss: ReturnType<typeof squaredError>, combined: number, compound: Compound): [number, number] =>
    tf.tidy(() => {
      const { value: v, grad } = tf.valueAndGrad((c: tf.Tensor) => loss({ combined: c as tf.Scalar, poses: tf.tensor1d([1, 2]), compound }))(tf.scalar(combined));
      return [v.dataSync()[0]!, grad.dataSync()[0]!];
    });

  it('gaussian NLL: value and gradient against the closed form, censoring, default sigma', () => {
    const sigma = 0.7;
    const measured: Compound = { ...base, targetError: sigma };
    const closed = (yhat: number, s: number, keep = true): [number, number] => {
      const z = keep ? (yhat - 6) / s : 0;
      return [0.5 * z * z + Math.log(s) + 0.5 * Math.log(2 * Math.PI), z / s];
    };
    for (const yhat of [4.2, 6, 7.9]) {
      const [v, g] = nllAndGrad(gaussianNll(), yhat, measured);
      const [cv, cg] = closed(yhat, sigma);
      expect(v).toBeCloseTo(cv, 5);
      expect(g).toBeCloseTo(cg, 5);
    }
    const below: Compound = { ...measured, targetQualifier: '<' };
    expect(nllAndGrad(gaussianNll(), 5, below)).toEqual(closed(5, sigma, false).map((x) => expect.closeTo(x, 5)));
    expect(nllAndGrad(gaussianNll(), 7, below)).toEqual(closed(7, sigma).map((x) => expect.closeTo(x, 5)));
    const above: Compound = { ...measured, targetQualifier: '>' };
    expect(nllAndGrad(gaussianNll(), 7, above)).toEqual(closed(7, sigma, false).map((x) => expect.closeTo(x, 5)));
    expect(nllAndGrad(gaussianNll(), 5, above)).toEqual(closed(5, sigma).map((x) => expect.closeTo(x, 5)));
    expect(nllAndGrad(gaussianNll({ defaultSigma: 2 }), 7, base)).toEqual(closed(7, 2).map((x) => expect.closeTo(x, 5)));
    expect(nllAndGrad(gaussianNll({ defaultSigma: 2 }), 7, measured)).toEqual(closed(7, sigma).map((x) => expect.closeTo(x, 5)));
  });

  it('gaussian NLL names the compound without a measurement error and rejects a bad default', () => {
    expect(() => value(gaussianNll(), 1, base)).toThrow("Compound 'c' has no finite positive targetError (got undefined)");
    expect(() => value(gaussianNll(), 1, { ...base, targetError: 0 })).toThrow('pass defaultSigma');
    expect(() => gaussianNll({ defaultSigma: -1 })).toThrow('defaultSigma must be a finite positive number');
  });

  it('decoupled gradients equal naive ones with the gaussian NLL', () => {
    const results = checkDecoupledGradients(() => new PoseMean(), {
      losses: { 'gaussian NLL': sumOfLosses(gaussianNll({ defaultSigma: 0.8 }), poseLabelSquaredError('pose_target', 0.5)) },
    });
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((r) => r.passed)).toBe(true);
  });

  it('pose range penalty: value and per-pose gradient against the closed form', () => {
    const poses = [-3, -1.5, 0.5, 2.25];
    const [lo, hi, weight] = [-2, 1, 0.3];
    const { v, g } = tf.tidy(() => {
      const { value: lv, grad } = tf.valueAndGrad((p: tf.Tensor) => poseRangePenalty(lo, hi, weight)({ combined: tf.scalar(0), poses: p as tf.Tensor1D, compound: base }))(tf.tensor1d(poses));
      return { v: lv.dataSync()[0]!, g: Array.from(grad.dataSync()) };
    });
    const below = (y: number): number => Math.max(lo - y, 0);
    const above = (y: number): number => Math.max(y - hi, 0);
    expect(v).toBeCloseTo(weight * poses.reduce((sum, y) => sum + below(y) ** 2 + above(y) ** 2, 0), 5);
    expect(g).toEqual(poses.map((y) => expect.closeTo(2 * weight * (above(y) - below(y)), 5)));
    expect(() => poseRangePenalty(1, 0)).toThrow('lo <= hi');
  });

  it('decoupled gradients equal naive ones with the pose range penalty', () => {
    const results = checkDecoupledGradients(() => new PoseMean(), {
      losses: { 'pose range': sumOfLosses(squaredError(), poseRangePenalty(1, 1, 0.5)) }, // lo = hi: every pose is penalised
    });
    expect(results.every((r) => r.passed)).toBe(true);
  });

  it('pose cross-entropy: value and per-pose gradient against the closed form', () => {
    const poses = [0.3, -1.2, 2, 0.5];
    const compound: Compound = { ...base, poseLabels: { rmsd: Float32Array.from([1, 3, 0.5, 2.5]) } };
    const run = (options: Parameters<typeof poseCrossEntropy>[0], c: Compound): { v: number; g: number[] } =>
      tf.tidy(() => {
        const { value: lv, grad } = tf.valueAndGrad((p: tf.Tensor) => poseCrossEntropy(options)({ combined: tf.scalar(0), poses: p as tf.Tensor1D, compound: c }))(tf.tensor1d(poses));
        return { v: lv.dataSync()[0]!, g: Array.from(grad.dataSync()) };
      });
    const closed = (correct: boolean[], weight: number, t: number): { v: number; g: number[] } => {
      const e = poses.map((y) => Math.exp(-y / t));
      const z = e.reduce((a, b) => a + b, 0);
      const p = e.map((x) => x / z);
      const q = correct.map((c) => (c ? 1 / correct.filter(Boolean).length : 0));
      // d/dy_i of -sum_j q_j log p_j = (q_i - p_i) / T
      return { v: -weight * q.reduce((sum, qi, i) => sum + (qi > 0 ? qi * Math.log(p[i]!) : 0), 0), g: q.map((qi, i) => (weight * (qi - p[i]!)) / t) };
    };
    const check = (got: { v: number; g: number[] }, want: { v: number; g: number[] }): void => {
      expect(got.v).toBeCloseTo(want.v, 5);
      expect(got.g).toEqual(want.g.map((x) => expect.closeTo(x, 5)));
    };
    check(run({ label: 'rmsd', threshold: 2, weight: 0.4 }, compound), closed([true, false, true, false], 0.4, 1));
    check(run({ label: 'rmsd', threshold: 2, temperature: 2 }, compound), closed([true, false, true, false], 1, 2));
    check(run({ label: 'rmsd', threshold: 10 }, compound), closed([true, true, true, true], 1, 1));
    check(run({ label: 'rmsd', threshold: 0.1 }, compound), { v: 0, g: [0, 0, 0, 0] });
    expect(() => run({ label: 'vina', threshold: 2 }, compound)).toThrow("needs pose label 'vina'");
  });

  it('decoupled gradients equal naive ones with the pose cross-entropy', () => {
    const results = checkDecoupledGradients(() => new PoseMean(), {
      losses: { 'pose cross-entropy': sumOfLosses(squaredError(), poseCrossEntropy({ label: 'pose_target', threshold: 7, weight: 0.5 })) },
    });
    expect(results.every((r) => r.passed)).toBe(true);
  });
});
