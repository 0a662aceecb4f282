import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import type { Compound } from '../pose.js';
import { censoredSquaredError, poseLabelSquaredError, squaredError, sumOfLosses } from './losses.js';

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
});
