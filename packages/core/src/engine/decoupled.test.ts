import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';

import { PosePoolError } from '../errors.js';
import { MultiPoseModel } from '../model/multi-pose-model.js';
import { PIC50Readout } from '../standard/readouts.js';
import { ComplexOnlyStrategy } from '../standard/strategies.js';
import { Module, type Parameter } from '../nn/module.js';
import type { Pose } from '../pose.js';
import { checkCombination, checkDecoupledGradients, CHECK_LOSSES, assertGradientsMatch, expectNoLeaks, randomCompound, randomPose, ToyMessagePassing } from '../testing/index.js';
import { GradientAccumulator } from './accumulator.js';
import type { Combination } from '../components/combination.js';
import { resolveMode } from './decoupled.js';
import { squaredError } from './losses.js';

/** Smooth min without closed-form weights: the engine must differentiate `combine`. */
class AutodiffSoftMin extends Module implements Combination {
  combine(y: tf.Tensor1D): tf.Scalar {
    return tf.tidy(() => tf.logSumExp(y.mul(-3)).div(-3) as tf.Scalar);
  }
  combineReference(y: readonly number[]): number {
    const m = Math.max(...y.map((v) => -3 * v));
    return (m + Math.log(y.reduce((s, v) => s + Math.exp(-3 * v - m), 0))) / -3;
  }
}

/** A weighted mean h = Σ softmax(a)_i ŷ_i... over a fixed-length parameter: has φ and closed-form weights. */
class ScaledMean extends Module implements Combination {
  readonly gain: Parameter = this.addParameter('gain', tf.scalar(1.5));
  combine(y: tf.Tensor1D): tf.Scalar {
    return tf.tidy(() => tf.mean(y).mul(this.gain.variable) as tf.Scalar);
  }
  poseWeights(y: tf.Tensor1D): tf.Tensor1D {
    return tf.tidy(() => tf.fill([y.size], 1 / y.size).mul(this.gain.variable) as tf.Tensor1D);
  }
  combineReference(y: readonly number[]): number {
    return (this.gain.variable.dataSync()[0]! * y.reduce((a, b) => a + b, 0)) / y.length;
  }
}

class BrokenWeights extends Module implements Combination {
  constructor(readonly weights: (n: number) => tf.Tensor) {
    super();
  }
  combine(y: tf.Tensor1D): tf.Scalar {
    return tf.mean(y) as tf.Scalar;
  }
  poseWeights(y: tf.Tensor1D): tf.Tensor1D {
    return this.weights(y.size) as tf.Tensor1D;
  }
}

function toyModel(combination: Combination, seed = 1): MultiPoseModel {
  const representation = new ToyMessagePassing({ hidden: 8, layers: 2, gaussians: 6, cutoff: 4, seed });
  return new MultiPoseModel({ representation, strategy: new ComplexOnlyStrategy({ complex: 8 }, { seed }), combination });
}

const live: MultiPoseModel[] = [];
function track(model: MultiPoseModel): MultiPoseModel {
  live.push(model);
  return model;
}
afterEach(() => live.splice(0).forEach((m) => m.dispose()));

describe('decoupled gradients', () => {
  it('equal naive in every mode for a combination without closed-form weights (autodiff path)', () => {
    checkCombination(new AutodiffSoftMin());
    checkDecoupledGradients(() => new AutodiffSoftMin());
  });

  it('equal naive with combination parameters φ, per-pose and combined readouts', () => {
    checkCombination(new ScaledMean());
    checkDecoupledGradients(() => new ScaledMean(), { createPoseReadout: () => new PIC50Readout(), createReadout: () => new PIC50Readout({ substrateConcentration: 1, km: 2 }) });
  });

  it('reports the mode that ran and resolves auto by the memory budget', () => {
    expect(resolveMode('auto', 4, 1000, 16_000)).toBe('stored');
    expect(resolveMode('auto', 5, 1000, 16_000)).toBe('recompute');
    // A shared stage or sparse pose weights: recompute does less work.
    expect(resolveMode('auto', 4, 1000, 16_000, true)).toBe('recompute');
    expect(resolveMode('auto', 4, 1000, 16_000, false, true)).toBe('recompute');
    expect(resolveMode('auto', 1, 1000, 16_000, false, true)).toBe('stored');
    const model = track(toyModel(new AutodiffSoftMin()));
    const compound = randomCompound({ poses: 3, atoms: 8 });
    const step = model.valueAndGrads(compound, squaredError(), { mode: 'auto', memoryBudgetBytes: 1 });
    expect(step.mode).toBe('recompute');
    tf.dispose(step.grads);
  });

  it('gives zero gradients, not a crash, for variables the loss does not reach', () => {
    const model = track(toyModel(new AutodiffSoftMin()));
    const compound = randomCompound({ poses: 2, atoms: 8 });
    const poseOnly = ({ combined }: { combined: tf.Scalar }) => combined.mul(0).add(1) as tf.Scalar;
    for (const mode of ['naive', 'stored', 'recompute'] as const) {
      const step = model.valueAndGrads(compound, poseOnly, { mode });
      expect(Object.keys(step.grads)).toEqual(Object.keys(model.trainableVariables()));
      for (const g of Object.values(step.grads)) expect(g.abs().max().dataSync()[0]).toBe(0);
      tf.dispose(step.grads);
    }
  });

  it('keys gradients by parameter path, also for a second live copy whose TF.js names carry suffixes', () => {
    const first = track(toyModel(new ScaledMean()));
    const second = track(toyModel(new ScaledMean()));
    expect(second.trainableVariables()['strategy.head.bias']!.name).toBe('strategy.head.bias_1');
    const step = second.valueAndGrads(randomCompound({ poses: 2, atoms: 8 }), squaredError());
    expect(Object.keys(step.grads)).toEqual(Object.keys(first.trainableVariables()));
    expect(Object.keys(step.grads)).toContain('representation.0.filter.weight');
    expect(Object.keys(step.grads)).toContain('combination.gain');
    // tf.train.adam's applyGradients takes no NamedTensorMap; the model maps paths to its variables.
    const optimizer = tf.train.adam(0.1);
    const [before1, before2] = [first, second].map((m) => m.trainableVariables()['strategy.head.bias']!.dataSync()[0]!);
    second.applyGradients(optimizer, step.grads);
    expect(first.trainableVariables()['strategy.head.bias']!.dataSync()[0]).toBe(before1);
    expect(second.trainableVariables()['strategy.head.bias']!.dataSync()[0]).not.toBe(before2);
    tf.dispose(step.grads);
    optimizer.dispose();
  });

  it('refuses a gradient map that does not match the variables, naming the path', () => {
    const model = track(toyModel(new ScaledMean()));
    const { grads } = model.valueAndGrads(randomCompound({ poses: 2, atoms: 8 }), squaredError());
    const { ['combination.gain']: gain, ...partial } = grads;
    expect(() => model.applyGradients(tf.train.sgd(0.1), partial)).toThrow("no gradient for 'combination.gain'");
    tf.dispose([gain!, partial]);
  });

  it('accumulates compounds explicitly: the batch gradient is the mean of the parts', () => {
    const model = track(toyModel(new AutodiffSoftMin()));
    const compounds = [1, 2].map((seed) => randomCompound({ poses: 3, atoms: 8, seed }));
    const batch = new GradientAccumulator(model.trainableVariables());
    const parts = compounds.map((c) => model.valueAndGrads(c, squaredError(), { mode: 'naive' }).grads);
    const expected = tf.tidy(() => Object.fromEntries(Object.keys(parts[0]!).map((k) => [k, parts[0]![k]!.add(parts[1]![k]!).div(2)])));
    for (const c of compounds) batch.add(model.valueAndGrads(c, squaredError(), { mode: 'recompute' }).grads);
    expect(batch.count).toBe(2);
    const mean = batch.gradients();
    assertGradientsMatch(mean, expected);
    tf.dispose([mean, expected, parts]);
    batch.reset();
    expect(batch.count).toBe(0);
    batch.dispose();
  });

  it('leaks no tensor over 100 training steps in every mode', () => {
    const model = track(toyModel(new ScaledMean()));
    const compounds = [1, 2].map((seed) => randomCompound({ poses: 3, atoms: 8, seed }));
    const optimizer = tf.train.adam(1e-3);
    const batch = new GradientAccumulator(model.trainableVariables());
    const step = (mode: 'naive' | 'stored' | 'recompute'): void => {
      for (const c of compounds) batch.add(model.valueAndGrads(c, CHECK_LOSSES['combined + per-pose']!, { mode }).grads);
      batch.applyTo(optimizer);
      batch.reset();
    };
    step('stored'); // the optimizer creates its slots on the first step
    expectNoLeaks(() => {
      for (let i = 0; i < 100; i++) step((['naive', 'stored', 'recompute'] as const)[i % 3]!);
    });
    batch.dispose();
    optimizer.dispose();
  });

  it('keeps peak memory of recompute independent of the number of poses', async () => {
    const model = track(toyModel(new AutodiffSoftMin()));
    const pose = randomPose({ atoms: 60, seed: 5 });
    const peak = async (poses: number): Promise<number> => {
      const compound = { id: 'same pose', poses: Array<Pose>(poses).fill(pose), target: 1 };
      model.predict(compound); // build neighbour lists outside the measurement
      const start = tf.memory().numBytes;
      const info = await tf.profile(() => {
        tf.dispose(model.valueAndGrads(compound, squaredError(), { mode: 'recompute' }).grads);
      });
      return info.peakBytes - start;
    };
    const [one, many] = [await peak(1), await peak(12)];
    expect(many / one).toBeLessThan(1.3);
  });

  it('names the combination when its pose weights break the protocol', () => {
    const cases: Array<[string, (n: number) => tf.Tensor]> = [
      ['expected [3]', (n) => tf.ones([n + 1])],
      ['must be finite', (n) => tf.fill([n], Number.NaN)],
      ['dtype is int32', (n) => tf.ones([n], 'int32')],
    ];
    for (const [message, weights] of cases) {
      const model = track(toyModel(new BrokenWeights(weights)));
      const compound = randomCompound({ poses: 3, atoms: 8 });
      expectNoLeaks(() => {
        expect(() => model.valueAndGrads(compound, squaredError(), { mode: 'recompute' })).toThrow(/Combination 'BrokenWeights' returned invalid pose weights/);
        expect(() => model.valueAndGrads(compound, squaredError(), { mode: 'stored' })).toThrow(message);
      });
    }
  });

  it('refuses to run inside another gradient tape', () => {
    const model = track(toyModel(new AutodiffSoftMin()));
    const compound = randomCompound({ poses: 2, atoms: 8 });
    let error: unknown;
    try {
      tf.variableGrads(() => {
        model.valueAndGrads(compound, squaredError());
        return tf.scalar(0);
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PosePoolError);
    expect((error as PosePoolError).code).toBe('E_NESTED_TAPE');
  });

  it('rejects compounds without poses or target with the compound id', () => {
    const model = track(toyModel(new AutodiffSoftMin()));
    expect(() => model.valueAndGrads({ id: 'empty', poses: [] }, squaredError())).toThrow(/'empty' has no poses/);
    const { target: _, ...noTarget } = randomCompound({ poses: 2, atoms: 8, id: 'lig-7' });
    expect(() => model.valueAndGrads(noTarget, squaredError())).toThrow(/'lig-7' has no finite target/);
    expect(() => model.valueAndGrads(randomCompound({ poses: 2, atoms: 8 }), squaredError(), { mode: 'fast' as never })).toThrow("Unknown gradient mode 'fast'. Valid modes: naive, stored, recompute, auto.");
  });

  it('predicts forward only, pose by pose, and leaks nothing', () => {
    const model = track(toyModel(new AutodiffSoftMin()));
    const compound = randomCompound({ poses: 4, atoms: 10 });
    const prediction = expectNoLeaks(() => model.predict(compound));
    const step = model.valueAndGrads(compound, squaredError(), { mode: 'naive' });
    expect(prediction.combined).toBeCloseTo(step.combined, 5);
    expect(Array.from(prediction.poses)).toEqual(Array.from(step.poses));
    // Pose weights by autodiff (this combination has no closed form): softmax(−3ŷ).
    const y = Array.from(prediction.poses, (v) => -3 * v);
    const total = y.reduce((sum, v) => sum + Math.exp(v - Math.max(...y)), 0);
    Array.from(prediction.weights).forEach((w, i) => expect(w).toBeCloseTo(Math.exp(y[i]! - Math.max(...y)) / total, 5));
    tf.dispose(step.grads);
  });

  it('predicts the closed-form pose weights of a combination that has them', () => {
    const model = track(toyModel(new ScaledMean()));
    const { weights } = model.predict(randomCompound({ poses: 4, atoms: 10 }));
    Array.from(weights).forEach((w) => expect(w).toBeCloseTo(1.5 / 4, 6));
  });
});
