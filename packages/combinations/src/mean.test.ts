import * as tf from '@tensorflow/tfjs';
import { checkCombination, checkDecoupledGradients } from '@posepool/core/testing';
import { describe, expect, it } from 'vitest';

import { MeanCombination } from './mean.js';

describe('mean', () => {
  it('is (1/N) Σ ŷ_i with weights 1/N (closed form)', () => {
    const c = new MeanCombination();
    const y = tf.tensor1d([1, 2, 6]);
    expect(tf.tidy(() => c.combine(y).dataSync()[0])).toBeCloseTo(3, 6);
    expect(tf.tidy(() => Array.from(c.poseWeights(y).dataSync()))).toEqual([1 / 3, 1 / 3, 1 / 3].map(Math.fround));
    y.dispose();
  });

  it('passes the combination harness', () => {
    checkCombination(new MeanCombination());
  });

  it('gives naive gradients in every mode, combined and per-pose losses', () => {
    checkDecoupledGradients(() => new MeanCombination());
  });
});
