import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import type { Combination } from '../components/combination.js';
import type { Readout } from '../components/readout.js';
import { MultiPoseModel } from '../model/multi-pose-model.js';
import { Module, type Parameter } from '../nn/module.js';
import { ComplexOnlyStrategy } from '../standard/strategies.js';
import { randomCompound } from './random.js';
import { ToyMessagePassing } from './toy-representation.js';
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

/**
 * A soft-min with a learned temperature and a learned prior per pose index:
 * h = −T ln Σ exp(−ŷ_i/T + p_i), w = softmax(−ŷ/T + p). `slip` breaks the analytic weights in
 * ways that vanish at T = 1 and p = 0.
 */
class PriorSoftMin extends Module implements Combination {
  readonly logTemperature: Parameter = this.addParameter('log_temperature', tf.scalar(0));
  readonly prior: Parameter = this.addParameter('prior', tf.zeros([16]));
  constructor(readonly slip?: 'no prior' | 'no 1/T' | 'stray T') {
    super();
  }
  #logits(y: tf.Tensor1D, withPrior = true, scaled = true): tf.Tensor1D {
    const t = this.logTemperature.variable.exp();
    const scaledY = scaled ? y.div(t) : y;
    return (withPrior ? scaledY.neg().add(this.prior.variable.slice([0], [y.size])) : scaledY.neg()) as tf.Tensor1D;
  }
  combine(y: tf.Tensor1D): tf.Scalar {
    return tf.tidy(() => tf.logSumExp(this.#logits(y)).mul(this.logTemperature.variable.exp()).neg() as tf.Scalar);
  }
  poseWeights(y: tf.Tensor1D): tf.Tensor1D {
    return tf.tidy(() => {
      const w = tf.softmax(this.#logits(y, this.slip !== 'no prior', this.slip !== 'no 1/T'));
      return (this.slip === 'stray T' ? w.mul(this.logTemperature.variable.exp()) : w) as tf.Tensor1D;
    });
  }
  combineReference(y: readonly number[]): number {
    const t = Math.exp(this.logTemperature.variable.dataSync()[0]!);
    const p = this.prior.variable.dataSync();
    const logits = y.map((v, i) => -v / t + p[i]!);
    const m = Math.max(...logits);
    return -t * (m + Math.log(logits.reduce((s, v) => s + Math.exp(v - m), 0)));
  }
}

describe('learned parameters', () => {
  it('passes a correct learned-parameter combination, at random parameter values, and on 20 seeds of decoupled gradients', () => {
    const combination = new PriorSoftMin();
    const results = checkCombination(combination);
    expect(results.some((r) => r.name.includes('random parameters #2'))).toBe(true);
    expect(Array.from(combination.prior.variable.dataSync()).every((v) => v === 0)).toBe(true); // parameters restored
    combination.dispose();
    for (let seed = 1; seed <= 20; seed++) checkDecoupledGradients(() => new PriorSoftMin(), { seed, poseCounts: [5] });
  });

  for (const slip of ['no prior', 'no 1/T', 'stray T'] as const) {
    it(`catches weights that are right only at T = 1 and a zero prior (${slip}), showing expected and actual values`, () => {
      const combination = new PriorSoftMin(slip);
      expect(checkCombination(combination, { parameterTrials: 0 }).every((r) => r.passed)).toBe(true); // the slip hides at the defaults
      expect(() => checkCombination(combination)).toThrow(/analytic vs autodiff weights, N=\d+ #\d, random parameters #\d: element \d+: expected -?[\d.e-]+, got -?[\d.e-]+/);
      combination.dispose();
    });
  }
});

describe('domains', () => {
  /** Geometric mean: defined for positive predictions only. */
  class GeometricMean extends Module implements Combination {
    readonly domain = 'positive';
    combine(y: tf.Tensor1D): tf.Scalar {
      return tf.tidy(() => tf.log(y).mean().exp() as tf.Scalar);
    }
    poseWeights(y: tf.Tensor1D): tf.Tensor1D {
      return tf.tidy(() => this.combine(y).div(y).div(y.size) as tf.Tensor1D);
    }
    combineReference(y: readonly number[]): number {
      return Math.exp(y.reduce((s, v) => s + Math.log(v), 0) / y.length);
    }
  }

  it('draws positive predictions for a positive domain, in both checks', () => {
    checkCombination(new GeometricMean(), { extreme: 50 });
    checkDecoupledGradients(() => new GeometricMean());
  });

  it('refuses predictions outside the domain at run time, naming the pose', () => {
    const combination = new GeometricMean();
    const model = new MultiPoseModel({
      representation: new ToyMessagePassing({ hidden: 4, layers: 1, seed: 1 }),
      strategy: new ComplexOnlyStrategy({ complex: 4 }, { seed: 1 }),
      combination,
      poseReadout: new Negative(),
    });
    expect(() => model.predict(randomCompound({ poses: 2, atoms: 8 }))).toThrow(/compound 'random-1': pose 0 is predicted as -[\d.]+, but the combination takes positive predictions only/);
    model.dispose();
  });
});

/** −exp(x): always negative. */
class Negative extends Module implements Readout {
  apply<T extends tf.Tensor>(x: T): T {
    return tf.exp(x).neg() as T;
  }
}
