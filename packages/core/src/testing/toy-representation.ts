import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

import { Linear } from '../nn/linear.js';
import type { Representation } from '../components/representation.js';
import { Module, ModuleGroup, type Parameter } from '../nn/module.js';
import { checkParameterBudget } from '../nn/parameter-budget.js';
import { poseRadiusGraph } from '../neighbors/radius-graph.js';
import type { RadiusGraph } from '../pose.js';
import type { Pose } from '../pose.js';
import { parseOptions } from '../registry/options.js';
import { defineComponent } from '../registry/registry.js';

/**
 * Options of {@link ToyMessagePassing}.
 *
 * @example
 * ```ts
 * toyMessagePassingOptions.parse({ hidden: 8 });
 * ```
 */
export const toyMessagePassingOptions = z
  .object({
    /** Atom feature size, also the output size. @defaultValue 16 */
    hidden: z.number().int().positive().default(16),
    /** Message-passing layers. @defaultValue 2 */
    layers: z.number().int().nonnegative().default(2),
    /** Gaussians expanding each distance. @defaultValue 8 */
    gaussians: z.number().int().positive().default(8),
    /** Neighbour cutoff in Å. @defaultValue 5 */
    cutoff: z.number().positive().default(5),
    /** Keep at most this many nearest neighbours per atom. @defaultValue 32 */
    maxNeighbors: z.number().int().positive().default(32),
    /** Initialisation seed. @defaultValue 0 */
    seed: z.number().int().default(0),
  })
  .strict();

/** Options of {@link ToyMessagePassing}, as a user writes them. */
export type ToyMessagePassingOptions = z.input<typeof toyMessagePassingOptions>;

interface Graph {
  /** Message source j of each edge. */
  source: Int32Array;
  /** Target i of each edge. */
  target: Int32Array;
  /** Gaussian expansion of each edge's distance, E × gaussians. */
  expansion: Float32Array;
}

const MAX_Z = 100;
const expansions = new WeakMap<RadiusGraph, Map<number, Float32Array>>();

/**
 * A small SchNet-like message-passing representation for tests and benchmarks of the engine:
 * atom embeddings, Gaussian-expanded distances over a neighbour list, and per layer
 * `h ← h + tanh(W · Σ_j h_j ⊙ filter(d_ij))` (gather + segment-sum, so gradients and memory
 * behave like the real architectures), then the mean over atoms of tanh(out(h)), over the
 * shared radius graph (`poseRadiusGraph`).
 *
 * @example
 * ```ts
 * const representation = new ToyMessagePassing({ hidden: 16, layers: 2 });
 * representation.represent(randomPose()); // Tensor1D [16]
 * ```
 */
export class ToyMessagePassing extends Module implements Representation {
  readonly outputSize: number;
  readonly #options: z.output<typeof toyMessagePassingOptions>;
  readonly #embedding: Parameter;
  readonly #filters: Linear[] = [];
  readonly #updates: Linear[] = [];
  readonly #output: Linear;

  /** @param options - sizes, cutoff and seed */
  constructor(options: ToyMessagePassingOptions = {}) {
    super();
    const o = (this.#options = parseOptions(toyMessagePassingOptions, options, "representation 'toy-message-passing'"));
    this.outputSize = o.hidden;
    checkParameterBudget(MAX_Z * o.hidden, `toy-message-passing embedding ${MAX_Z} × ${o.hidden}`); // before allocating
    this.#embedding = this.addParameter('embedding', tf.randomNormal([MAX_Z, o.hidden], 0, 1, 'float32', o.seed));
    for (let l = 0; l < o.layers; l++) {
      const layer = this.addModule(String(l), new ModuleGroup());
      this.#filters.push(layer.add('filter', new Linear(o.gaussians, o.hidden, { seed: o.seed + 10 * l + 1 })));
      this.#updates.push(layer.add('update', new Linear(o.hidden, o.hidden, { seed: o.seed + 10 * l + 3 })));
    }
    this.#output = this.addModule('output', new Linear(o.hidden, o.hidden, { seed: o.seed + 5 }));
  }

  represent(pose: Pose): tf.Tensor1D {
    const { hidden, gaussians } = this.#options;
    const graph = this.#graph(pose);
    const edges = graph.source.length;
    return tf.tidy(() => {
      let h = tf.gather(this.#embedding.variable, tf.tensor1d(pose.z, 'int32')) as tf.Tensor2D;
      if (edges > 0) {
        const source = tf.tensor1d(graph.source, 'int32');
        const target = tf.tensor1d(graph.target, 'int32');
        const expansion = tf.tensor2d(graph.expansion, [edges, gaussians]);
        this.#filters.forEach((filter, l) => {
          const messages = tf.gather(h, source).mul(filter.apply(expansion));
          const aggregated = tf.unsortedSegmentSum(messages, target, pose.z.length) as tf.Tensor2D;
          h = h.add(tf.tanh(this.#updates[l]!.apply(aggregated)));
        });
      }
      return tf.tanh(this.#output.apply(h)).mean(0).reshape([hidden]) as tf.Tensor1D;
    });
  }

  /** The shared radius graph of the pose, with its Gaussian expansion (cached per graph). */
  #graph(pose: Pose): Graph {
    const { cutoff, maxNeighbors, gaussians } = this.#options;
    const graph = poseRadiusGraph(pose, { cutoff, maxNeighbors });
    let perGraph = expansions.get(graph);
    if (perGraph === undefined) expansions.set(graph, (perGraph = new Map()));
    let expansion = perGraph.get(gaussians);
    if (expansion === undefined) {
      const width = cutoff / Math.max(1, gaussians - 1);
      expansion = new Float32Array(graph.distance.length * gaussians);
      for (let e = 0; e < graph.distance.length; e++) {
        for (let g = 0; g < gaussians; g++) expansion[e * gaussians + g] = Math.exp(-0.5 * ((graph.distance[e]! - g * width) / width) ** 2);
      }
      perGraph.set(gaussians, expansion);
    }
    return { source: graph.source, target: graph.target, expansion };
  }
}

declare module '../registry/registry.js' {
  interface RepresentationOptionsMap {
    'toy-message-passing': ToyMessagePassingOptions;
  }
}

/**
 * Registers {@link ToyMessagePassing} as `toy-message-passing`.
 *
 * @example
 * ```ts
 * createRegistry().register(toyMessagePassing).create('representation', 'toy-message-passing', { hidden: 8 });
 * ```
 */
export const toyMessagePassing = defineComponent({
  kind: 'representation',
  name: 'toy-message-passing',
  description: 'Small SchNet-like message passing for tests and benchmarks of the engine.',
  options: toyMessagePassingOptions,
  create: (options) => new ToyMessagePassing(options),
});
