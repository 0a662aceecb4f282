import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { expectNoLeaks } from '../testing/leaks.js';
import { Embedding } from './embedding.js';

describe('Embedding', () => {
  it('with paddingIndex, starts that row at zero and never gives it a gradient (torch padding_idx)', () => {
    const embedding = new Embedding(5, 3, { seed: 1, paddingIndex: 0 });
    const weight = embedding.weight.variable;
    expect(Array.from(weight.dataSync().slice(0, 3))).toEqual([0, 0, 0]);
    expect(Array.from(weight.dataSync().slice(3)).every((v) => v !== 0)).toBe(true);
    weight.assign(tf.ones([5, 3])); // a loaded table whose padding row is not zero is used as it is
    const indices = Int32Array.from([0, 2, 2, 4]);
    const [value, gradient] = expectNoLeaks(() => {
      const { value, grads } = tf.variableGrads(() => embedding.apply(indices).mul(tf.range(1, 13).reshape([4, 3])).sum() as tf.Scalar, [weight]);
      const out = [value.dataSync()[0], Array.from(grads[weight.name]!.dataSync())] as const;
      tf.dispose([value, grads]);
      return out;
    });
    expect(value).toBe(78); // every looked-up row is ones
    // d/dW: row 2 collects rows 2 and 3 of the weights 1…12, row 4 row 4, row 0 nothing.
    expect(gradient).toEqual([0, 0, 0, 0, 0, 0, 11, 13, 15, 0, 0, 0, 10, 11, 12]);
    embedding.dispose();
  });

  it('without paddingIndex, trains every row', () => {
    const embedding = new Embedding(3, 2, { seed: 1 });
    const { value, grads } = tf.variableGrads(() => embedding.apply(Int32Array.from([0])).sum() as tf.Scalar, [embedding.weight.variable]);
    expect(Array.from(grads[embedding.weight.variable.name]!.dataSync())).toEqual([1, 1, 0, 0, 0, 0]);
    tf.dispose([value, grads]);
    embedding.dispose();
  });
});
