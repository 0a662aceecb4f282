// An architecture plugin as a third party would publish it: a contact-count representation
// (protein–ligand element pairs counted in distance shells, as in RF-Score) fed to a small MLP.
import * as tf from '@tensorflow/tfjs';
import { Linear, Module, defineComponent, definePlugin, parseOptions, type Pose, type Representation } from '@posepool/core';
import { z } from 'zod';

export const contactOptions = z
  .object({
    shells: z.array(z.number().positive()).min(1).default([4, 6, 8]),
    hidden: z.number().int().positive().default(32),
    seed: z.number().int().optional(),
  })
  .strict();

const ELEMENTS = [6, 7, 8, 16]; // C, N, O, S; anything else counts as "other"
const kind = (z: number): number => (ELEMENTS.indexOf(z) + ELEMENTS.length + 1) % (ELEMENTS.length + 1);

export class ContactMLP extends Module implements Representation {
  readonly outputSize: number;
  readonly #shells: number[];
  readonly #layer: Linear;

  constructor(options: z.input<typeof contactOptions> = {}) {
    super();
    const { shells, hidden, seed } = parseOptions(contactOptions, options, "representation 'contact-mlp'");
    this.#shells = [...shells].sort((a, b) => a - b);
    this.outputSize = hidden;
    const pairs = (ELEMENTS.length + 1) ** 2;
    this.#layer = this.addModule('layer', new Linear(pairs * shells.length, hidden, seed === undefined ? {} : { seed }));
  }

  represent(pose: Pose): tf.Tensor1D {
    const counts = this.#counts(pose); // plain numbers: positions carry no gradient
    return tf.tidy(() => tf.tanh(this.#layer.apply(tf.tensor1d(counts).log1p() as tf.Tensor1D)) as tf.Tensor1D);
  }

  #counts(pose: Pose): Float32Array {
    const types = ELEMENTS.length + 1;
    const counts = new Float32Array(types * types * this.#shells.length);
    const outer = this.#shells.at(-1)!;
    for (let l = 0; l < pose.z.length; l++) {
      if (!pose.ligandMask[l]) continue;
      for (let p = 0; p < pose.z.length; p++) {
        if (pose.ligandMask[p]) continue;
        const d = Math.hypot(pose.pos[3 * l]! - pose.pos[3 * p]!, pose.pos[3 * l + 1]! - pose.pos[3 * p + 1]!, pose.pos[3 * l + 2]! - pose.pos[3 * p + 2]!);
        if (d >= outer) continue;
        const shell = this.#shells.findIndex((r) => d < r);
        counts[(kind(pose.z[l]!) * types + kind(pose.z[p]!)) * this.#shells.length + shell]! += 1;
      }
    }
    return counts;
  }
}

declare module '@posepool/core' {
  interface RepresentationOptionsMap {
    'contact-mlp': z.input<typeof contactOptions>;
  }
}

export const contactPlugin = definePlugin({
  name: 'posepool-plugin-contact-mlp',
  components: [
    defineComponent({
      kind: 'representation',
      name: 'contact-mlp',
      description: 'Protein–ligand element-pair counts in distance shells, through a dense layer.',
      options: contactOptions,
      create: (options) => new ContactMLP(options),
    }),
  ],
});
