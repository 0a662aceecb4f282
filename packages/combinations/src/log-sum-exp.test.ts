import * as tf from '@tensorflow/tfjs';
import { createRegistry } from '@posepool/core';
import { checkCombination, checkDecoupledGradients } from '@posepool/core/testing';
import { describe, expect, it } from 'vitest';

import { combinationsPlugin } from './index.js';
import { LogSumExpCombination, logSumExpOptions } from './log-sum-exp.js';

const registry = createRegistry().use(combinationsPlugin);

describe('smooth-min / smooth-max (LogSumExp)', () => {
  it("defaults to mtenn's smooth min with scale 1000", () => {
    expect(registry.validateOptions('combination', 'smooth-min', {})).toEqual({ scale: 1000 });
    expect(logSumExpOptions.parse({})).toEqual({ smooth: 'min', scale: 1000 });
    // Sharp enough that most poses get a weight of exactly 0 (auto then recomputes).
    expect(new LogSumExpCombination().sparseWeights).toBe(true);
    expect(new LogSumExpCombination({ scale: 2 }).sparseWeights).toBe(false);
  });

  it('names the direction: smooth-min goes to the lowest prediction, smooth-max to the highest', () => {
    const y = tf.tensor1d([-9.1, -7.4, -8.8]);
    const [min, max] = ['smooth-min', 'smooth-max'].map((name) => registry.create('combination', { name }));
    expect(tf.tidy(() => min!.combine(y).dataSync()[0])).toBeCloseTo(-9.1, 3);
    expect(tf.tidy(() => max!.combine(y).dataSync()[0])).toBeCloseTo(-7.4, 3);
    y.dispose();
  });

  it('approaches the hard min / max and matches the closed form', () => {
    const values = [-9.1, -7.4, -8.8];
    const y = tf.tensor1d(values);
    const min = new LogSumExpCombination();
    const max = new LogSumExpCombination({ smooth: 'max', scale: 2 });
    expect(tf.tidy(() => min.combine(y).dataSync()[0])).toBeCloseTo(-9.1, 3);
    const lse = Math.log(values.reduce((s, v) => s + Math.exp(2 * v), 0)) / 2;
    expect(tf.tidy(() => max.combine(y).dataSync()[0])).toBeCloseTo(lse, 5);
    const softmax = values.map((v) => Math.exp(2 * v - 2 * lse));
    tf.tidy(() => Array.from(max.poseWeights(y).dataSync())).forEach((w, i) => expect(w).toBeCloseTo(softmax[i]!, 6));
    y.dispose();
  });

  for (const [label, options, spread] of [
    ['smooth min, scale 1000', { smooth: 'min', scale: 1000 }, 3e-3],
    ['smooth max, scale 2', { smooth: 'max', scale: 2 }, 2],
  ] as const) {
    it(`passes the combination harness (${label}), finite at ±1e3`, () => {
      checkCombination(new LogSumExpCombination(options), { spread });
    });
    it(`gives naive gradients in every mode (${label})`, () => {
      checkDecoupledGradients(() => new LogSumExpCombination(options));
    });
  }

  it('offers the free energy −T ln Σ exp(−ΔG_i/T) as a preset', () => {
    const fe = registry.create('combination', 'free-energy', { temperature: 0.6 });
    const values = [-9.1, -7.4, -8.8];
    const expected = -0.6 * Math.log(values.reduce((s, v) => s + Math.exp(-v / 0.6), 0));
    const y = tf.tensor1d(values);
    expect(tf.tidy(() => fe.combine(y).dataSync()[0])).toBeCloseTo(expected, 4);
    y.dispose();
    checkCombination(fe);
  });
});
