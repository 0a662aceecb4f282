import * as tf from '@tensorflow/tfjs';
import type { Compound } from '@posepool/core';
import { describe, expect, it } from 'vitest';

import { resolveRunConfig } from '../config/load.js';
import type { RunConfigInput } from '../config/schema.js';
import { combinedLoss, measurementError, runLoss } from './losses.js';

// One compound of three poses: target 6 ± 0.5, pose labels rmsd (poses 0 and 2 below 2 Å) and score.
const compound: Compound = {
  id: 'c',
  poses: [],
  target: 6,
  targetError: 0.5,
  poseLabels: { rmsd: Float32Array.from([1, 3, 0.5]), score: Float32Array.from([-7, -6, -8]) },
};
const poses = [-1, 0.5, 2];
const combined = 7;

/** The loss of a run config's `loss` section for `compound`, predictions as above. */
const lossOf = (loss: RunConfigInput['loss'], c: Compound = compound, data: RunConfigInput['data'] = {}): number =>
  tf.tidy(() => runLoss(resolveRunConfig({ loss, data }).loss)({ combined: tf.scalar(combined), poses: tf.tensor1d(poses), compound: c }).dataSync()[0]!);

const squared = (combined - 6) ** 2;
const nll = (sigma: number, difference = combined - 6): number => 0.5 * (difference / sigma) ** 2 + Math.log(sigma) + 0.5 * Math.log(2 * Math.PI);
const range = (lo: number, hi: number): number => poses.reduce((s, y) => s + Math.max(lo - y, 0) ** 2 + Math.max(y - hi, 0) ** 2, 0);
/** −mean over correct poses of log softmax(−ŷ / T). */
const crossEntropy = (correct: number[], temperature = 1): number => {
  const logits = poses.map((y) => -y / temperature);
  const logZ = Math.log(logits.reduce((s, l) => s + Math.exp(l), 0));
  return -correct.reduce((s, i) => s + logits[i]! - logZ, 0) / correct.length;
};

describe('runLoss from a run config', () => {
  it('each term equals its closed form, weighted, and the terms add up', () => {
    expect(lossOf({})).toBeCloseTo(squared, 5);
    expect(lossOf({ weight: 0.25 })).toBeCloseTo(0.25 * squared, 5);
    expect(lossOf({ weight: 0, gaussianNll: { weight: 2 } }, compound, { errorColumn: 'err' })).toBeCloseTo(2 * nll(0.5), 5);
    expect(lossOf({ weight: 0, gaussianNll: { defaultError: 0.8 } }, { ...compound, targetError: undefined })).toBeCloseTo(nll(0.8), 5);
    expect(lossOf({ weight: 0, gaussianNll: { defaultError: 0.8 } })).toBeCloseTo(nll(0.5), 5); // its own σ wins
    expect(lossOf({ weight: 0, gaussianNll: { defaultError: 1 }, poseRange: { min: 0, max: 1, weight: 3 } }) - nll(0.5)).toBeCloseTo(3 * range(0, 1), 4);
    expect(lossOf({ weight: 0, gaussianNll: { defaultError: 1 }, poseCrossEntropy: { label: 'rmsd', threshold: 2, weight: 0.5 } }) - nll(0.5)).toBeCloseTo(0.5 * crossEntropy([0, 2]), 5);
    expect(lossOf({ weight: 0, gaussianNll: { defaultError: 1 }, poseCrossEntropy: { label: 'rmsd', threshold: 2, temperature: 2 } }) - nll(0.5)).toBeCloseTo(crossEntropy([0, 2], 2), 5);
    const all = {
      weight: 2,
      poseLabel: { label: 'score', weight: 0.1 },
      gaussianNll: { weight: 0.5 },
      poseRange: { min: -0.5, max: 1.5, weight: 0.2 },
      poseCrossEntropy: { label: 'rmsd', threshold: 2, weight: 0.3 },
    };
    const label = poses.reduce((s, y, i) => s + (y - compound.poseLabels!.score![i]!) ** 2, 0) / poses.length;
    expect(lossOf(all, compound, { errorColumn: 'err' })).toBeCloseTo(2 * squared + 0.1 * label + 0.5 * nll(0.5) + 0.2 * range(-0.5, 1.5) + 0.3 * crossEntropy([0, 2]), 4);
  });

  it('the pose cross-entropy adds nothing for a compound without its label, or without a correct pose', () => {
    const unlabelled: Compound = { ...compound, poseLabels: { score: compound.poseLabels!.score! } };
    expect(lossOf({ poseCrossEntropy: { label: 'rmsd', threshold: 2 } }, unlabelled)).toBeCloseTo(squared, 5);
    expect(lossOf({ poseCrossEntropy: { label: 'rmsd', threshold: 0.1 } })).toBeCloseTo(squared, 5);
    // …and still gives the pose predictions a (zero) gradient
    const grad = tf.tidy(() => tf.grad((p: tf.Tensor) => runLoss(resolveRunConfig({ loss: { poseCrossEntropy: { label: 'rmsd', threshold: 2 } } }).loss)({ combined: tf.scalar(6), poses: p as tf.Tensor1D, compound: unlabelled }))(tf.tensor1d(poses)).arraySync());
    expect(grad).toEqual([0, 0, 0]);
  });

  it('gaussianNll names a compound without a measurement error when there is no default', () => {
    expect(() => lossOf({ gaussianNll: {} }, { ...compound, targetError: undefined }, { errorColumn: 'err' })).toThrow("Compound 'c' has no finite positive targetError");
    expect(() => measurementError({ ...compound, targetError: undefined }, null)).toThrow(/Compound 'c' has no measurement error .*loss.gaussianNll.defaultError/);
    expect(measurementError({ ...compound, targetError: 0 }, 0.3)).toBe(0.3);
  });
});

describe('combinedLoss (the validation loss)', () => {
  it('is weight × the kind term plus gaussianNll, without the per-pose terms', () => {
    const loss = (input: RunConfigInput['loss'], c: Compound = compound): number => combinedLoss(resolveRunConfig({ loss: input, data: { errorColumn: 'err' } }).loss, combined, c);
    expect(loss({})).toBeCloseTo(squared, 12);
    expect(loss({ weight: 3, gaussianNll: { weight: 0.5 }, poseRange: { min: 0, max: 1 }, poseCrossEntropy: { label: 'rmsd', threshold: 2 } })).toBeCloseTo(3 * squared + 0.5 * nll(0.5), 12);
    expect(loss({ weight: 0, gaussianNll: {} }, { ...compound, targetQualifier: '>' })).toBeCloseTo(nll(0.5, 0), 12);
    expect(loss({ kind: 'squared-error', gaussianNll: {} }, { ...compound, targetQualifier: '>' })).toBeCloseTo(squared + nll(0.5, 0), 12);
    // the JS form agrees with the tensor form
    const tensor = lossOf({ weight: 3, gaussianNll: { weight: 0.5 } }, compound, { errorColumn: 'err' });
    expect(loss({ weight: 3, gaussianNll: { weight: 0.5 } })).toBeCloseTo(tensor, 4);
  });
});

describe('loss config errors', () => {
  const error = (input: RunConfigInput): string => {
    try {
      resolveRunConfig(input);
    } catch (e) {
      return (e as Error).message;
    }
    return 'valid';
  };

  it('name the path of the bad key and what to do', () => {
    expect(error({ loss: { weight: 0 } })).toMatch(/^run config: loss\.weight: the loss needs a term on the combined prediction: a weight above 0 or gaussianNll\./);
    expect(error({ loss: { gaussianNll: {} } })).toMatch(/^run config: loss\.gaussianNll: gaussianNll needs each compound's σ: set data\.errorColumn, or loss\.gaussianNll\.defaultError\./);
    expect(error({ loss: { gaussianNll: { defaultError: 0 } } })).toMatch(/^run config: loss\.gaussianNll\.defaultError: /);
    expect(error({ loss: { gaussianNll: { sigma: 1 } } as never })).toMatch(/unknown key 'loss\.gaussianNll\.sigma'\. Remove it or use one of: weight, defaultError\./);
    expect(error({ loss: { poseRange: { min: 1, max: 0 } } })).toMatch(/^run config: loss\.poseRange\.max: max must be at least min\./);
    expect(error({ loss: { poseRange: { min: 0 } } as never })).toMatch(/^run config: loss\.poseRange\.max: /);
    expect(error({ loss: { poseCrossEntropy: { label: 'rmsd_to_reference' } } as never })).toMatch(/^run config: loss\.poseCrossEntropy\.threshold: /);
    expect(error({ loss: { poseCrossEntropy: { label: 'x', threshold: 2, temperature: 0 } } })).toMatch(/^run config: loss\.poseCrossEntropy\.temperature: /);
    expect(error({ data: { errorColumn: '' } })).toMatch(/^run config: data\.errorColumn: /);
    expect(error({ loss: { weight: 0, gaussianNll: { defaultError: 0.5 } } })).toBe('valid');
  });
});
