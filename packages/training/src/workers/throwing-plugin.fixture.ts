// A test plugin: the mean of the pose predictions, throwing for a compound with `poses` poses.
import * as tf from '@tensorflow/tfjs';
import { Module, defineComponent, definePlugin, type Combination } from '@posepool/core';
import { z } from 'zod';

const options = z.object({ poses: z.number().int().positive() }).strict();

class ThrowingMean extends Module implements Combination {
  readonly domain = 'real' as const;
  constructor(readonly poses: number) {
    super();
  }
  combine(y: tf.Tensor1D): tf.Scalar {
    if (y.size === this.poses) throw new Error(`no combination for ${this.poses} poses`);
    return tf.mean(y) as tf.Scalar;
  }
  poseWeights(y: tf.Tensor1D): tf.Tensor1D {
    return tf.fill([y.size], 1 / y.size) as tf.Tensor1D;
  }
  combineReference(y: readonly number[]): number {
    return y.reduce((s, v) => s + v, 0) / y.length;
  }
}

export default definePlugin({
  name: 'throwing-mean',
  components: [defineComponent({ kind: 'combination', name: 'throwing-mean', description: 'Throws for one pose count.', options, create: (o) => new ThrowingMean(o.poses) })],
});
