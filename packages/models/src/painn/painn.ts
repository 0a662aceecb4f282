import * as tf from '@tensorflow/tfjs';
import { Embedding, Linear, Module, ModuleGroup, parseOptions, poseRadiusGraph, type Pose, type Representation } from '@posepool/core';
import { z } from 'zod';


/**
 * Options of {@link PaiNN}; defaults are the paper's.
 *
 * @example
 * ```ts
 * paiNNOptions.parse({ cutoff: 6 });
 * ```
 */
export const paiNNOptions = z
  .object({
    /** Scalar and vector feature channels F. @defaultValue 128 */
    hiddenChannels: z.number().int().positive().default(128),
    /** Message + update blocks. @defaultValue 3 */
    numInteractions: z.number().int().nonnegative().default(3),
    /** Radial basis functions sin(nπr/r_c)/r, n = 1…numRadial. @defaultValue 20 */
    numRadial: z.number().int().positive().default(20),
    /** Interaction cutoff in Å. @defaultValue 5 */
    cutoff: z.number().positive().finite().default(5),
    /** At most this many nearest neighbours per atom. @defaultValue 32 */
    maxNumNeighbors: z.number().int().positive().default(32),
    /** Initialisation seed (random when absent). */
    seed: z.number().int().optional(),
  })
  .strict();

/** Options of {@link PaiNN}, as a user writes them. */
export type PaiNNOptions = z.input<typeof paiNNOptions>;

/** Keeps ‖x‖ differentiable where vector features vanish (they start at zero). */
const NORM_EPSILON = 1e-8;

const silu = (x: tf.Tensor): tf.Tensor => x.mul(tf.sigmoid(x));

interface Edges {
  source: tf.Tensor1D;
  target: tf.Tensor1D;
  /** sin(nπr/r_c)/r, E × numRadial. */
  radial: tf.Tensor2D;
  /** Cosine cutoff, E × 1. */
  envelope: tf.Tensor2D;
  /** Unit vectors (pos_j − pos_i)/r as E × 3 × 1. */
  direction: tf.Tensor3D;
}

/** Per-atom scalar features s (atoms × F) and vector features v (atoms × 3 × F). */
export type PaiNNFeatures = {
  scalar: tf.Tensor2D;
  vector: tf.Tensor3D;
};

/**
 * A Linear layer's output in `parts` equal column blocks, each from its own slice of the
 * weights: the same numbers as applying the layer and splitting, without the split (tfjs-wasm's
 * SplitV along columns costs ~80 ms on a 5 699 × 384 tensor; slicing 128-row weight blocks is free).
 */
function linearParts(layer: Linear, x: tf.Tensor2D, parts: number): tf.Tensor2D[] {
  const size = layer.outputs / parts;
  return Array.from({ length: parts }, (_, k) => {
    const product = tf.matMul(x, layer.weight.variable.slice([k * size, 0], [size, -1]), false, true);
    return (layer.bias === undefined ? product : product.add(layer.bias.variable.slice([k * size], [size]))) as tf.Tensor2D;
  });
}

/** Applies a Linear layer to the channel axis of atoms × 3 × F vector features. */
function channelLinear(layer: Linear, v: tf.Tensor3D): tf.Tensor3D {
  const [atoms, , channels] = v.shape;
  return layer.apply(v.reshape([atoms * 3, channels]) as tf.Tensor2D).reshape([atoms, 3, layer.outputs]) as tf.Tensor3D;
}

/** Message block: equivariant messages along the edges. */
class Message extends Module {
  readonly phiIn: Linear;
  readonly phiOut: Linear;
  readonly filter: Linear;

  constructor(f: number, radial: number, seed: (k: number) => number | undefined) {
    super();
    const phi = this.addModule('phi', new ModuleGroup());
    this.phiIn = phi.add('0', new Linear(f, f, { scheme: 'xavier', seed: seed(0) }));
    this.phiOut = phi.add('2', new Linear(f, 3 * f, { scheme: 'xavier', seed: seed(1) }));
    this.filter = this.addModule('filter', new Linear(radial, 3 * f, { scheme: 'xavier', seed: seed(2) }));
  }

  apply({ scalar, vector }: PaiNNFeatures, edges: Edges): PaiNNFeatures {
    return tf.tidy(() => {
      const [atoms, f] = scalar.shape;
      const phi = linearParts(this.phiOut, silu(this.phiIn.apply(scalar)) as tf.Tensor2D, 3);
      const filter = linearParts(this.filter, edges.radial, 3);
      const [ds, dvv, dvs] = phi.map((p, k) => tf.gather(p, edges.source).mul(filter[k]!.mul(edges.envelope))) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const dv = tf.gather(vector, edges.source).mul(dvv.expandDims(1)).add(edges.direction.mul(dvs.expandDims(1)));
      return {
        scalar: scalar.add(tf.unsortedSegmentSum(ds, edges.target, atoms)) as tf.Tensor2D,
        vector: vector.add(tf.unsortedSegmentSum(dv, edges.target, atoms).reshape([atoms, 3, f])) as tf.Tensor3D,
      };
    });
  }
}

/** Update block: mixes scalar and vector channels per atom. */
class Update extends Module {
  readonly u: Linear;
  readonly v: Linear;
  readonly mlpIn: Linear;
  readonly mlpOut: Linear;

  constructor(f: number, seed: (k: number) => number | undefined) {
    super();
    this.u = this.addModule('U', new Linear(f, f, { scheme: 'xavier', bias: false, seed: seed(0) }));
    this.v = this.addModule('V', new Linear(f, f, { scheme: 'xavier', bias: false, seed: seed(1) }));
    const mlp = this.addModule('mlp', new ModuleGroup());
    this.mlpIn = mlp.add('0', new Linear(2 * f, f, { scheme: 'xavier', seed: seed(2) }));
    this.mlpOut = mlp.add('2', new Linear(f, 3 * f, { scheme: 'xavier', seed: seed(3) }));
  }

  apply({ scalar, vector }: PaiNNFeatures): PaiNNFeatures {
    return tf.tidy(() => {
      const uv = channelLinear(this.u, vector);
      const vv = channelLinear(this.v, vector);
      const norm = vv.square().sum(1).add(NORM_EPSILON).sqrt();
      const [avv, asv, ass] = linearParts(this.mlpOut, silu(this.mlpIn.apply(tf.concat([scalar, norm], 1) as tf.Tensor2D)) as tf.Tensor2D, 3) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      return {
        scalar: scalar.add(asv.mul(uv.mul(vv).sum(1)).add(ass)) as tf.Tensor2D,
        vector: vector.add(uv.mul(avv.expandDims(1))) as tf.Tensor3D,
      };
    });
  }
}

/**
 * PaiNN (Schütt, Unke & Gastegger 2021), a rotation-equivariant message-passing network: each
 * atom carries F scalar channels and F vector channels; messages along each edge mix the
 * neighbour's scalars, its vectors and the edge direction, filtered by radial basis functions
 * under a cosine cutoff; updates mix each atom's scalars with the norms and inner products of
 * its vectors. Scalars are invariant and vectors rotate with the structure. The representation
 * is Σ_atoms SiLU(Linear(s_i)), invariant to rotations, translations and atom order.
 *
 * Chosen among the equivariant architectures mtenn offers a counterpart to (E3NN, ViSNet) because
 * it needs only vectors (no spherical harmonics or tensor products), so it runs on the same gather
 * and segment-sum kernels as SchNet, at a cost close to SchNet's per edge.
 *
 * @example
 * ```ts
 * const painn = new PaiNN({ hiddenChannels: 64, numInteractions: 3 });
 * painn.represent(pose); // Tensor1D [64]
 * ```
 */
export class PaiNN extends Module implements Representation {
  readonly outputSize: number;
  /** The validated options. */
  readonly options: z.output<typeof paiNNOptions>;
  readonly #embedding: Embedding;
  readonly #blocks: Array<[Message, Update]> = [];
  readonly #output: Linear;

  /** @param options - channels, blocks, radial basis, cutoff, neighbour cap, seed */
  constructor(options: PaiNNOptions = {}) {
    super();
    const o = (this.options = parseOptions(paiNNOptions, options, "representation 'painn'"));
    const seed = (k: number): number | undefined => (o.seed === undefined ? undefined : o.seed + k);
    const f = o.hiddenChannels;
    this.outputSize = f;
    this.#embedding = this.addModule('embedding', new Embedding(100, f, { seed: seed(0) }));
    const interactions = this.addModule('interactions', new ModuleGroup());
    for (let i = 0; i < o.numInteractions; i++) {
      const block = interactions.add(String(i), new ModuleGroup());
      this.#blocks.push([
        block.add('message', new Message(f, o.numRadial, (k) => seed(10 * (i + 1) + k))),
        block.add('update', new Update(f, (k) => seed(10 * (i + 1) + 5 + k))),
      ]);
    }
    this.#output = this.addModule('output', new Linear(f, f, { scheme: 'xavier', seed: seed(1) }));
  }

  represent(pose: Pose): tf.Tensor1D {
    return tf.tidy(() => {
      const { scalar } = this.features(pose);
      return silu(this.#output.apply(scalar)).sum(0) as tf.Tensor1D;
    });
  }

  /**
   * The scalar and vector features of every atom after the last block.
   *
   * @param pose - the pose
   * @returns s (atoms × F, invariant) and v (atoms × 3 × F, equivariant)
   */
  features(pose: Pose): PaiNNFeatures {
    const atoms = pose.z.length;
    const f = this.options.hiddenChannels;
    return tf.tidy(() => {
      let state: PaiNNFeatures = { scalar: this.#embedding.apply(pose.z), vector: tf.zeros([atoms, 3, f]) };
      const edges = this.#edges(pose);
      for (const [message, update] of this.#blocks) {
        if (edges !== undefined) state = message.apply(state, edges);
        state = update.apply(state);
      }
      return state;
    });
  }

  /** Edge geometry in JS doubles (positions carry no gradient); undefined without edges. */
  #edges(pose: Pose): Edges | undefined {
    const { cutoff, numRadial, maxNumNeighbors } = this.options;
    const graph = poseRadiusGraph(pose, { cutoff, maxNeighbors: maxNumNeighbors });
    const count = graph.source.length;
    if (count === 0) return undefined;
    const radial = new Float32Array(count * numRadial);
    const envelope = new Float32Array(count);
    const direction = new Float32Array(count * 3);
    for (let e = 0; e < count; e++) {
      const [i, j] = [graph.target[e]!, graph.source[e]!];
      const r = graph.distance[e]!;
      // Coincident atoms (r = 0): the radial basis takes its limit nπ/r_c and the direction is 0.
      for (let n = 0; n < numRadial; n++) radial[e * numRadial + n] = r === 0 ? ((n + 1) * Math.PI) / cutoff : Math.sin(((n + 1) * Math.PI * r) / cutoff) / r;
      envelope[e] = 0.5 * (Math.cos((Math.PI * r) / cutoff) + 1);
      if (r > 0) for (let k = 0; k < 3; k++) direction[3 * e + k] = (pose.pos[3 * j + k]! - pose.pos[3 * i + k]!) / r;
    }
    return {
      source: tf.tensor1d(graph.source, 'int32'),
      target: tf.tensor1d(graph.target, 'int32'),
      radial: tf.tensor2d(radial, [count, numRadial]),
      envelope: tf.tensor2d(envelope, [count, 1]),
      direction: tf.tensor3d(direction, [count, 3, 1]),
    };
  }
}
