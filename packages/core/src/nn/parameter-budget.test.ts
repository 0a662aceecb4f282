import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { Linear } from './linear.js';
import { ModuleGroup } from './module.js';
import { withParameterBudget } from './parameter-budget.js';

describe('withParameterBudget', () => {
  it('builds what fits', () => {
    const layer = withParameterBudget(12, () => new Linear(3, 3));
    expect(layer.weight.shape).toEqual([3, 3]);
    layer.dispose();
  });

  it('refuses an oversized layer before allocating it, and frees what was built before', () => {
    const before = tf.memory();
    expect(() =>
      withParameterBudget(100, () => {
        const group = new ModuleGroup();
        group.add('small', new Linear(4, 4)); // 20 values: fits
        group.add('huge', new Linear(100_000, 100_000)); // 10^10 values: would be 40 GB
        return group;
      }),
    ).toThrow(/Linear 100000 → 100000 needs 10000100000 parameter values, more than the 80 left of the 100 allowed/);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });
});
