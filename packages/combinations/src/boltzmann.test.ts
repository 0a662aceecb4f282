import * as tf from '@tensorflow/tfjs';
import { MultiPoseModel, ComplexOnlyStrategy, squaredError } from '@posepool/core';
import { checkCombination, checkDecoupledGradients, expectNoLeaks, randomCompound, ToyMessagePassing } from '@posepool/core/testing';
import { describe, expect, it } from 'vitest';

import { BoltzmannCombination, LearnedBoltzmannCombination } from './boltzmann.js';
import { LogSumExpCombination } from './log-sum-exp.js';

describe('boltzmann', () => {
  it('is Σ p_i ŷ_i with p = softmax(−ŷ/T) and weights p_i(1 − (ŷ_i − h)/T) (closed forms)', () => {
    const values = [-2, -1.5, 0.3];
    const T = 0.7;
    const z = values.reduce((s, v) => s + Math.exp(-v / T), 0);
    const p = values.map((v) => Math.exp(-v / T) / z);
    const h = p.reduce((s, pi, i) => s + pi * values[i]!, 0);
    const c = new BoltzmannCombination({ temperature: T });
    const y = tf.tensor1d(values);
    expect(tf.tidy(() => c.combine(y).dataSync()[0])).toBeCloseTo(h, 5);
    tf.tidy(() => Array.from(c.poseWeights(y).dataSync())).forEach((w, i) => expect(w).toBeCloseTo(p[i]! * (1 - (values[i]! - h) / T), 5));
    y.dispose();
  });

  it('passes the combination harness at T = 1 and T = 0.2', () => {
    checkCombination(new BoltzmannCombination());
    checkCombination(new BoltzmannCombination({ temperature: 0.2 }), { spread: 0.5 });
  });

  it('gives naive gradients in every mode', () => {
    checkDecoupledGradients(() => new BoltzmannCombination({ temperature: 0.5 }));
  });
});

describe('options', () => {
  it('are validated by the constructors with the registered schemas, as through the registry', () => {
    expect(() => new BoltzmannCombination({ temperature: -1 })).toThrow("Invalid options for combination 'boltzmann': temperature: Too small: expected number to be >0");
    expect(() => new LearnedBoltzmannCombination({ initialTemperature: 0 })).toThrow(/combination 'learned-boltzmann': initialTemperature: Too small/);
    expect(() => new LogSumExpCombination({ scale: Number.NaN })).toThrow(/LogSumExpCombination: scale/);
    // @ts-expect-error an unknown key
    expect(() => new BoltzmannCombination({ temprature: 2 })).toThrow(/Unrecognized key: "temprature"\. Valid options: temperature \(number, default 1\)/);
  });
});

describe('learned-boltzmann', () => {
  it('passes the harness, including dh/d(log T) against central differences', () => {
    const c = new LearnedBoltzmannCombination({ initialTemperature: 0.8 });
    const results = expectNoLeaks(() => checkCombination(c));
    expect(results.some((r) => r.name.startsWith('dh/dlog_temperature'))).toBe(true);
    c.dispose();
  });

  it('gives naive gradients, φ included, in every mode', () => {
    checkDecoupledGradients(() => new LearnedBoltzmannCombination({ initialTemperature: 1.5 }));
  });

  it('trains its temperature', () => {
    const representation = new ToyMessagePassing({ hidden: 6, layers: 1, seed: 2 });
    const combination = new LearnedBoltzmannCombination({ initialTemperature: 1 });
    const model = new MultiPoseModel({ representation, strategy: new ComplexOnlyStrategy({ complex: 6 }, { seed: 2 }), combination });
    const compound = randomCompound({ poses: 4, atoms: 10 });
    const optimizer = tf.train.sgd(0.05);
    const before = combination.logTemperature.variable.dataSync()[0];
    const step = model.valueAndGrads(compound, squaredError(), { mode: 'recompute' });
    expect(Math.abs(step.grads['combination.log_temperature']!.dataSync()[0]!)).toBeGreaterThan(0);
    model.applyGradients(optimizer, step.grads);
    tf.dispose(step.grads);
    expect(combination.logTemperature.variable.dataSync()[0]).not.toBe(before);
    model.dispose();
  });
});
