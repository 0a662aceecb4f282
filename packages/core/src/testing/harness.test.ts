import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import type { Combination } from '../components/combination.js';
import { Module } from '../nn/module.js';
import { checkCombination } from './check-combination.js';
import { checkDecoupledGradients } from './check-gradients.js';
import { expectNoLeaks } from './leaks.js';

/** A sum whose analytic weights are wrong by a factor: both harness checks must catch it. */
class WrongWeights extends Module implements Combination {
  combine(y: tf.Tensor1D): tf.Scalar {
    return tf.sum(y) as tf.Scalar;
  }
  poseWeights(y: tf.Tensor1D): tf.Tensor1D {
    return tf.fill([y.size], 2) as tf.Tensor1D;
  }
}

/** LogSumExp without the max shift: overflows at large inputs. */
class UnstableMax extends Module implements Combination {
  combine(y: tf.Tensor1D): tf.Scalar {
    return tf.tidy(() => tf.log(tf.exp(y).sum()) as tf.Scalar);
  }
  combineReference(y: readonly number[]): number {
    const m = Math.max(...y);
    return m + Math.log(y.reduce((s, v) => s + Math.exp(v - m), 0));
  }
}

/** A mean whose float64 reference is off: the reference comparison must catch it. */
class BadReference extends Module implements Combination {
  combine(y: tf.Tensor1D): tf.Scalar {
    return tf.mean(y) as tf.Scalar;
  }
  combineReference(y: readonly number[]): number {
    return y.reduce((a, b) => a + b, 0) / y.length + 1e-3;
  }
}

describe('the testing harness fails broken combinations', () => {
  it('catches analytic weights that disagree with autodiff', () => {
    expect(() => checkCombination(new WrongWeights())).toThrow(/analytic vs autodiff weights/);
  });

  it('catches wrong gradients through the engine', () => {
    expect(() => checkDecoupledGradients(() => new WrongWeights(), { modes: ['recompute'] })).toThrow(/recompute vs naive, N=5/);
  });

  it('catches overflow at extreme predictions', () => {
    expect(() => checkCombination(new UnstableMax())).toThrow(/finite h and weights, extreme/);
  });

  it('catches a combine that disagrees with its float64 reference', () => {
    expect(() => checkCombination(new BadReference())).toThrow(/combine vs float64 reference/);
  });
});

describe('expectNoLeaks', () => {
  it('passes clean code through and fails a leak, sync or async, naming the counts', async () => {
    expect(expectNoLeaks(() => tf.tidy(() => tf.ones([3]).sum().dataSync()[0]))).toBe(3);
    let kept: tf.Tensor | undefined;
    expect(() => expectNoLeaks(() => (kept = tf.ones([2])), 'predict()')).toThrow(/^predict\(\) leaked: tf\.memory\(\)\.numTensors went (\d+) → \d+/);
    kept!.dispose();
    await expect(expectNoLeaks(async () => (kept = tf.zeros([1])))).rejects.toThrow(/The code leaked/);
    kept!.dispose();
    await expect(expectNoLeaks(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});
