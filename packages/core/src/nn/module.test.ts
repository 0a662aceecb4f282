import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { expectNoLeaks } from '../testing/leaks.js';
import { Linear } from './linear.js';
import { Module, ModuleGroup } from './module.js';

class Block extends Module {
  readonly first = this.addModule('first', new Linear(3, 2, { seed: 1 }));
  readonly layers = this.addModule('layers', new ModuleGroup());
  readonly scale = this.addParameter('scale', tf.ones([2]));
  constructor() {
    super();
    this.layers.add('0', new Linear(2, 2, { seed: 2 }));
  }
}

describe('Module', () => {
  it('names parameters by dotted path, own parameters first', () => {
    const block = new Block();
    expect(block.namedParameters().map(([path, p]) => [path, p.shape])).toEqual([
      ['scale', [2]],
      ['first.weight', [2, 3]],
      ['first.bias', [2]],
      ['layers.0.weight', [2, 2]],
      ['layers.0.bias', [2]],
    ]);
    expect(block.countParameters()).toBe(2 + 6 + 2 + 4 + 2);
    block.dispose();
  });

  it('renames TF.js variables to their paths, uniquely among live variables, without copying or leaking', () => {
    expectNoLeaks(() => {
      const a = new Block();
      const b = new Block();
      a.nameVariables('model.');
      b.nameVariables('model.');
      expect(a.variables().map((v) => v.name)).toContain('model.first.weight');
      expect(b.variables().map((v) => v.name)).toContain('model.first.weight_1');
      expect(b.namedParameters().map(([p]) => p)).toContain('first.weight');
      a.dispose();
      b.dispose();
    });
  });

  it('rejects member names with dots or defined twice', () => {
    class Bad extends Module {
      constructor(name: string) {
        super();
        this.addParameter('w', tf.zeros([1]));
        this.addParameter(name, tf.zeros([1]));
      }
    }
    expect(() => new Bad('a.b')).toThrow(/without dots/);
    expect(() => new Bad('w')).toThrow(/defined twice/);
  });

  it('initialises PyTorch-style linear layers reproducibly from a seed', () => {
    const [a, b] = [new Linear(4, 3, { seed: 9 }), new Linear(4, 3, { seed: 9 })];
    expect(a.weight.variable.arraySync()).toEqual(b.weight.variable.arraySync());
    expect(Math.max(...(a.weight.variable.dataSync() as Float32Array).map(Math.abs))).toBeLessThanOrEqual(0.5);
    const y = tf.tidy(() => a.apply(tf.tensor2d([[1, 2, 3, 4]])).arraySync() as number[][]);
    const w = a.weight.variable.arraySync() as number[][];
    const bias = a.bias!.variable.arraySync() as number[];
    expect(y[0]![1]).toBeCloseTo(w[1]!.reduce((s, v, i) => s + v * (i + 1), 0) + bias[1]!, 5);
    a.dispose();
    b.dispose();
  });
});

describe('Linear', () => {
  it('supports bias-free layers and Glorot-uniform initialisation with zero bias (PyG)', () => {
    const noBias = new Linear(4, 3, { bias: false, seed: 1 });
    expect(noBias.namedParameters().map(([p]) => p)).toEqual(['weight']);
    const xavier = new Linear(40, 10, { scheme: 'xavier', seed: 2 });
    const bound = Math.sqrt(6 / 50);
    expect(Math.max(...Array.from(xavier.weight.variable.dataSync(), Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...Array.from(xavier.weight.variable.dataSync(), Math.abs))).toBeGreaterThan(bound / 2);
    expect(Array.from(xavier.bias!.variable.dataSync()).every((b) => b === 0)).toBe(true);
    const y = tf.tidy(() => Array.from(noBias.apply(tf.tensor1d([1, 0, 0, 0])).dataSync()));
    expect(y).toEqual((noBias.weight.variable.arraySync() as number[][]).map((row) => row[0]));
    noBias.dispose();
    xavier.dispose();
  });
});

describe('Linear over many rows', () => {
  it('gives the bias the same gradient as the plain broadcast add (its matMul path)', () => {
    const layer = new Linear(3, 2, { seed: 4 });
    const x = tf.randomNormal([1500, 3], 0, 1, 'float32', 5) as tf.Tensor2D;
    const dy = tf.randomNormal([1500, 2], 0, 1, 'float32', 6);
    const grads = tf.variableGrads(() => layer.apply(x).mul(dy).sum() as tf.Scalar, layer.variables());
    const expectedBias = Array.from(dy.sum(0).dataSync());
    const expectedWeight = tf.tidy(() => Array.from(tf.matMul(dy, x, true, false).dataSync()));
    Array.from(grads.grads[layer.bias!.variable.name]!.dataSync()).forEach((g, i) => expect(g).toBeCloseTo(expectedBias[i]!, 3));
    Array.from(grads.grads[layer.weight.variable.name]!.dataSync()).forEach((g, i) => expect(g).toBeCloseTo(expectedWeight[i]!, 3));
    tf.dispose([x, dy, grads.value, grads.grads]);
    layer.dispose();
  });
});
