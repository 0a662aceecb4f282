// A combination plugin as a third party publishes it (this package, `posepool-plugin-power-mean`):
// only @posepool/core's public API as a peer, a zod schema, typed options by module augmentation.
import * as tf from '@tensorflow/tfjs';
import { Module, defineComponent, definePlugin, parseOptions, type Combination } from '@posepool/core';
import { z } from 'zod';

export const powerMeanOptions = z.object({ power: z.number().min(1).default(2) }).strict();

/** Power mean of the pose predictions: h = (mean ŷ_i^p)^(1/p). */
export class PowerMean extends Module implements Combination {
  readonly power: number;
  // An even power takes any real predictions (it averages |ŷ_i|); any other needs positive ones:
  // the engine refuses predictions outside the domain, the harness draws inside it.
  readonly domain: 'real' | 'positive';
  constructor(options: z.input<typeof powerMeanOptions> = {}) {
    super();
    // The same schema checks options here and in the registry: one rule, one message.
    this.power = parseOptions(powerMeanOptions, options, "combination 'power-mean'").power;
    this.domain = this.power % 2 === 0 ? 'real' : 'positive';
  }
  combine(y: tf.Tensor1D): tf.Scalar {
    return this.#powerMean(y);
  }
  poseWeights(y: tf.Tensor1D): tf.Tensor1D {
    // ∂h/∂ŷ_i = h^(1−p) ŷ_i^(p−1) / N
    return tf.tidy(() => {
      const h = this.#powerMean(y);
      return tf.pow(y, this.power - 1).mul(tf.pow(h, 1 - this.power)).div(y.size) as tf.Tensor1D;
    });
  }
  #powerMean(y: tf.Tensor1D): tf.Scalar {
    return tf.tidy(() => tf.mean(tf.pow(y, this.power)).pow(1 / this.power) as tf.Scalar);
  }
  combineReference(y: readonly number[]): number {
    return (y.reduce((s, v) => s + v ** this.power, 0) / y.length) ** (1 / this.power);
  }
}

declare module '@posepool/core' {
  interface CombinationOptionsMap {
    'power-mean': z.input<typeof powerMeanOptions>;
  }
}

export const powerMeanPlugin = definePlugin({
  name: 'posepool-plugin-power-mean',
  components: [
    defineComponent({
      kind: 'combination',
      name: 'power-mean',
      description: 'Power mean (mean ŷ^p)^(1/p) of positive pose predictions.',
      options: powerMeanOptions,
      create: (options) => new PowerMean(options),
    }),
  ],
});
