import * as tf from '@tensorflow/tfjs';
import { Embedding, gatherMultiplyScatter, Linear, Module, ModuleGroup, parseOptions, poseRadiusGraph, type Pose, type RadiusGraph, type Representation, type SharedStage } from '@posepool/core';
import { z } from 'zod';

import { pick, ReceptorEdgeCache, splitEdges, type ReceptorEdges } from '../receptor-edges.js';


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

/** The radial basis of edge lengths, what a block's filter reads. */
interface Basis {
  /** sin(nπr/r_c)/r, E × numRadial. */
  radial: tf.Tensor2D;
  /** Cosine cutoff, E × 1. */
  envelope: tf.Tensor2D;
}

/**
 * A block's filters for a group of edges: scalar and vector message filters (a row per edge, or
 * per atom pair in a shared stage) and the direction message filter times each edge's direction
 * (three rows per edge: x, y, z; directions are antisymmetric, so never per pair).
 */
type Filters = readonly [scalar: tf.Tensor2D, vector: tf.Tensor2D, direction: tf.Tensor2D];

/**
 * A group of a pose's edges (its share of the compound's receptor edges, or its own) as the
 * index vectors of its messages, each one {@link gatherMultiplyScatter}: scalar messages per
 * edge, vector messages per edge and axis k (rows 3·atom + k of the atoms × 3 features).
 */
interface EdgeGroup {
  readonly source: tf.Tensor1D;
  readonly target: tf.Tensor1D;
  /** Per edge: its row in the scalar and vector filters. */
  readonly row: tf.Tensor1D;
  /** Per edge and axis (3e + k): 3·source + k, 3·target + k, the source, the filter row, and the row of the direction filter. */
  readonly source3: tf.Tensor1D;
  readonly target3: tf.Tensor1D;
  readonly sourceRepeated: tf.Tensor1D;
  readonly row3: tf.Tensor1D;
  readonly directionRow: tf.Tensor1D;
  /** The filters of block `b`. */
  filters(b: number): Filters;
}

/** A pose's edges as its compound's shared stage serves them. */
interface PoseLayout {
  /** The compound's receptor edges it was made for. */
  readonly union: ReceptorEdges;
  /** Its receptor–receptor edges (indices into its graph), their union edges and their pair rows. */
  readonly shared: Int32Array;
  readonly unionEdge: Int32Array;
  readonly rows: Int32Array;
  /** Its other edges. */
  readonly own: Int32Array;
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

  /** The block's filters on edges of this basis, under the cosine cutoff: three E × F parts (scalar, vector, direction messages). */
  filters(basis: Basis): tf.Tensor2D[] {
    return tf.tidy(() => linearParts(this.filter, basis.radial, 3).map((part) => part.mul(basis.envelope) as tf.Tensor2D));
  }

  /**
   * The state after this block's messages: s_i += Σ_j φ_s(s_j) W_s(r_ij); v_i += Σ_j v_j φ_v(s_j)
   * W_v(r_ij) + r̂_ij φ_d(s_j) W_d(r_ij), summed over every group of edges. v_j φ_v(s_j) is formed
   * per atom, and r̂ W_d per edge in the filters, so each sum is one gather–multiply–scatter
   * without E × 3 × F intermediates.
   */
  apply({ scalar, vector }: PaiNNFeatures, groups: readonly EdgeGroup[], b: number): PaiNNFeatures {
    return tf.tidy(() => {
      const [atoms, f] = scalar.shape;
      const [ps, pv, pd] = linearParts(this.phiOut, silu(this.phiIn.apply(scalar)) as tf.Tensor2D, 3) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const weighted = vector.mul(pv.expandDims(1)).reshape([3 * atoms, f]) as tf.Tensor2D;
      const ds: tf.Tensor[] = [];
      const dv: tf.Tensor[] = [];
      for (const g of groups) {
        const [fs, fv, fd] = g.filters(b);
        ds.push(gatherMultiplyScatter(ps, fs, g.source, g.row, g.target, atoms));
        dv.push(gatherMultiplyScatter(weighted, fv, g.source3, g.row3, g.target3, 3 * atoms), gatherMultiplyScatter(pd, fd, g.sourceRepeated, g.directionRow, g.target3, 3 * atoms));
      }
      return {
        scalar: scalar.add(tf.addN(ds)) as tf.Tensor2D,
        vector: vector.add(tf.addN(dv).reshape([atoms, 3, f])) as tf.Tensor3D,
      };
    });
  }
}

/** Direction-message filters (E × F) times the edges' unit vectors (E × 3 × 1), as 3E × F rows (edge-major). */
function directionFilters(filter: tf.Tensor2D, direction: tf.Tensor3D): tf.Tensor2D {
  return filter.expandDims(1).mul(direction).reshape([3 * filter.shape[0], filter.shape[1]]);
}

/** The index vectors of a group of edges (see {@link EdgeGroup}); `rows`: per edge, its filter row; `directionEdge`: its edge row in the direction filters. */
function edgeGroup(source: Int32Array, target: Int32Array, rows: Int32Array, directionEdge: Int32Array, filters: (b: number) => Filters): EdgeGroup {
  const perAxis = (values: Int32Array, f: (v: number, k: number) => number): tf.Tensor1D => tf.tensor1d(Int32Array.from({ length: 3 * values.length }, (_, m) => f(values[Math.floor(m / 3)]!, m % 3)), 'int32');
  return {
    source: tf.tensor1d(source, 'int32'),
    target: tf.tensor1d(target, 'int32'),
    row: tf.tensor1d(rows, 'int32'),
    source3: perAxis(source, (j, k) => 3 * j + k),
    target3: perAxis(target, (i, k) => 3 * i + k),
    sourceRepeated: perAxis(source, (j) => j),
    row3: perAxis(rows, (r) => r),
    directionRow: perAxis(directionEdge, (e, k) => 3 * e + k),
    filters,
  };
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
  /** Each compound's receptor edges, keyed by its first pose. */
  readonly #receptor = new ReceptorEdgeCache((pose) => this.#graph(pose), () => Infinity);
  /** Each pose's edges as its compound's stage serves them. */
  readonly #layouts = new WeakMap<Pose, PoseLayout>();

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

  represent(pose: Pose, shared?: SharedStage): tf.Tensor1D {
    return tf.tidy(() => {
      const { scalar } = this.features(pose, shared);
      return silu(this.#output.apply(scalar)).sum(0) as tf.Tensor1D;
    });
  }

  /**
   * The filters of every block on the receptor–receptor edges of a compound's poses, computed once
   * for all of them when the poses share their receptor atoms (same elements and positions at
   * the same indices, as in a pocket cropped once per compound): they depend on distances only.
   * Edges are the union over the poses, so each pose finds exactly its own graph's filters.
   *
   * @param poses - the compound's poses
   * @returns three filter tensors per block (a row per distinct receptor pair), or `undefined` when the receptors differ
   */
  shareAcross(poses: readonly Pose[]): SharedStage | undefined {
    const receptor = this.#receptor.get(poses);
    const distances = receptor?.union.pairDistances[0];
    if (distances === undefined || distances.length === 0) return undefined;
    const { source, target, filterRow } = receptor!.union;
    const tensors = tf.tidy(() => {
      const basis = this.#basis(distances);
      const direction = this.#directions(poses[0]!, source, target);
      const pairRows = tf.tensor1d(filterRow, 'int32');
      return this.#blocks.flatMap(([message]) => {
        const [fs, fv, fd] = message.filters(basis);
        return [fs!, fv!, directionFilters(tf.gather(fd!, pairRows), direction)];
      });
    });
    return { tensors, context: receptor };
  }

  /**
   * The scalar and vector features of every atom after the last block.
   *
   * @param pose - the pose
   * @param shared - the compound's shared filters from {@link PaiNN.shareAcross}, if any
   * @returns s (atoms × F, invariant) and v (atoms × 3 × F, equivariant)
   */
  features(pose: Pose, shared?: SharedStage): PaiNNFeatures {
    const atoms = pose.z.length;
    const f = this.options.hiddenChannels;
    const graph = this.#graph(pose);
    const layout = shared === undefined ? undefined : this.#layout(shared.context as ReceptorEdges, pose, graph);
    const own = layout?.own ?? Int32Array.from(graph.source.keys());
    return tf.tidy(() => {
      const groups: EdgeGroup[] = [];
      if (layout !== undefined && layout.shared.length > 0) {
        const stage = (b: number): Filters => shared!.tensors.slice(3 * b, 3 * b + 3) as unknown as Filters;
        groups.push(edgeGroup(pick(graph.source, layout.shared), pick(graph.target, layout.shared), layout.rows, layout.unionEdge, stage));
      }
      if (own.length > 0) {
        const [source, target] = [pick(graph.source, own), pick(graph.target, own)];
        const basis = this.#basis(pick(graph.distance, own));
        const direction = this.#directions(pose, source, target);
        const ownRows = Int32Array.from(own.keys());
        groups.push(
          edgeGroup(source, target, ownRows, ownRows, (b) => {
            const [fs, fv, fd] = this.#blocks[b]![0].filters(basis);
            return [fs!, fv!, directionFilters(fd!, direction)];
          }),
        );
      }
      let state: PaiNNFeatures = { scalar: this.#embedding.apply(pose.z), vector: tf.zeros([atoms, 3, f]) };
      this.#blocks.forEach(([message, update], b) => {
        if (groups.length > 0) state = message.apply(state, groups, b);
        state = update.apply(state);
      });
      return state;
    });
  }

  #graph(pose: Pose): RadiusGraph {
    return poseRadiusGraph(pose, { cutoff: this.options.cutoff, maxNeighbors: this.options.maxNumNeighbors });
  }

  /** `pose`'s receptor edges (with their union edges and pair rows) and its own. */
  #layout(receptor: ReceptorEdges, pose: Pose, graph: RadiusGraph): PoseLayout {
    let layout = this.#layouts.get(pose);
    if (layout !== undefined && layout.union === receptor) return layout;
    const { shared, unionEdge, own } = splitEdges(receptor, pose, graph);
    layout = { union: receptor, shared, unionEdge, rows: pick(receptor.union.filterRow, unionEdge), own };
    this.#layouts.set(pose, layout);
    return layout;
  }

  /** The radial basis and cosine cutoff of edge lengths, in JS doubles (positions carry no gradient). */
  #basis(distance: Float32Array): Basis {
    const { cutoff, numRadial } = this.options;
    const count = distance.length;
    const radial = new Float32Array(count * numRadial);
    const envelope = new Float32Array(count);
    for (let e = 0; e < count; e++) {
      const r = distance[e]!;
      // Coincident atoms (r = 0): the radial basis takes its limit nπ/r_c.
      for (let n = 0; n < numRadial; n++) radial[e * numRadial + n] = r === 0 ? ((n + 1) * Math.PI) / cutoff : Math.sin(((n + 1) * Math.PI * r) / cutoff) / r;
      envelope[e] = 0.5 * (Math.cos((Math.PI * r) / cutoff) + 1);
    }
    return { radial: tf.tensor2d(radial, [count, numRadial]), envelope: tf.tensor2d(envelope, [count, 1]) };
  }

  /** Unit vectors (pos_j − pos_i)/r of edges j → i in JS doubles, E × 3 × 1; coincident atoms get 0. */
  #directions(pose: Pose, source: Int32Array, target: Int32Array): tf.Tensor3D {
    const direction = new Float32Array(source.length * 3);
    source.forEach((j, e) => {
      const i = target[e]!;
      const d = [0, 1, 2].map((k) => pose.pos[3 * j + k]! - pose.pos[3 * i + k]!);
      const r = Math.hypot(...d);
      if (r > 0) d.forEach((x, k) => (direction[3 * e + k] = x / r));
    });
    return tf.tensor3d(direction, [source.length, 3, 1]);
  }
}
