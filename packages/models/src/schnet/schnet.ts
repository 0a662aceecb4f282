import * as tf from '@tensorflow/tfjs';
import { Embedding, Linear, Module, ModuleGroup, parseOptions, posePart, poseRadiusGraph, sameAtoms, type Pose, type RadiusGraph, type Representation, type SharedStage } from '@posepool/core';
import { z } from 'zod';


/**
 * Options of {@link SchNet}; defaults are mtenn's.
 *
 * @example
 * ```ts
 * schNetOptions.parse({}); // mtenn's defaults: hidden 128, 6 interactions, cutoff 10
 * ```
 */
export const schNetOptions = z
  .object({
    /** Atom feature size. @defaultValue 128 */
    hiddenChannels: z.number().int().min(2).default(128),
    /** Filter size of the continuous-filter convolutions. @defaultValue 128 */
    numFilters: z.number().int().positive().default(128),
    /** Interaction blocks. @defaultValue 6 */
    numInteractions: z.number().int().nonnegative().default(6),
    /** Gaussians expanding each distance, centred on [0, cutoff]. @defaultValue 50 */
    numGaussians: z.number().int().min(2).default(50),
    /** Interaction cutoff in Å. @defaultValue 10 */
    cutoff: z.number().positive().finite().default(10),
    /** At most this many nearest neighbours per atom. @defaultValue 32 */
    maxNumNeighbors: z.number().int().positive().default(32),
    /** Initialisation seed (random when absent). */
    seed: z.number().int().optional(),
  })
  .strict();

/** Options of {@link SchNet}, as a user writes them. */
export type SchNetOptions = z.input<typeof schNetOptions>;

/** Atomic numbers the embedding covers: [0, 100), as in PyG. */
const MAX_Z = 100;

/** ssp(x) = softplus(x) − ln 2. */
function shiftedSoftplus(x: tf.Tensor): tf.Tensor {
  return tf.softplus(x).sub(Math.LN2);
}

/** The filter network and filter-weighted sum over neighbours (PyG's `CFConv`). */
class CFConv extends Module {
  readonly lin1: Linear;
  readonly lin2: Linear;

  constructor(hidden: number, filters: number, seed: (k: number) => number | undefined) {
    super();
    this.lin1 = this.addModule('lin1', new Linear(hidden, filters, { scheme: 'xavier', bias: false, seed: seed(0) }));
    this.lin2 = this.addModule('lin2', new Linear(filters, hidden, { scheme: 'xavier', seed: seed(1) }));
  }
}

/** One interaction block: h ← h + lin(ssp(conv(h))), with its filter network `mlp`. */
class InteractionBlock extends Module {
  readonly filterIn: Linear;
  readonly filterOut: Linear;
  readonly conv: CFConv;
  readonly lin: Linear;

  constructor(hidden: number, filters: number, gaussians: number, seed: (k: number) => number | undefined) {
    super();
    const mlp = this.addModule('mlp', new ModuleGroup());
    // PyG names the filter network's layers by their index in a Sequential (0: Linear, 1: ssp, 2: Linear).
    this.filterIn = mlp.add('0', new Linear(gaussians, filters, { scheme: 'xavier', seed: seed(0) }));
    this.filterOut = mlp.add('2', new Linear(filters, filters, { scheme: 'xavier', seed: seed(1) }));
    this.conv = this.addModule('conv', new CFConv(hidden, filters, (k) => seed(2 + k)));
    this.lin = this.addModule('lin', new Linear(hidden, hidden, { scheme: 'xavier', seed: seed(4) }));
  }

  /** The filter network W(d) = (Linear → ssp → Linear)(expansion) × cosine cutoff, one row per edge. */
  filter(distances: DistanceTensors): tf.Tensor2D {
    return tf.tidy(() => this.filterOut.apply(shiftedSoftplus(this.filterIn.apply(distances.expansion)) as tf.Tensor2D).mul(distances.envelope));
  }

  /**
   * The update of h for one block: messages x_j ⊙ W_ji summed at i over every edge group (a pose's
   * edges; or the shared receptor edges and the pose's own), each with its filter rows; without
   * edges (isolated atoms) the convolution sums nothing.
   */
  apply(h: tf.Tensor2D, groups: ReadonlyArray<{ edges: EdgeTensors; filter: tf.Tensor2D }>): tf.Tensor2D {
    return tf.tidy(() => {
      const atoms = h.shape[0];
      const x = this.conv.lin1.apply(h);
      const sums = groups.map(({ edges, filter }) => tf.unsortedSegmentSum(tf.gather(x, edges.source).mul(filter), edges.target, atoms));
      const aggregated = sums.length === 0 ? tf.zeros([atoms, this.conv.lin1.outputs]) : tf.addN(sums);
      return this.lin.apply(shiftedSoftplus(this.conv.lin2.apply(aggregated as tf.Tensor2D)) as tf.Tensor2D);
    });
  }
}

interface DistanceTensors {
  /** Gaussian expansion of the distances, E × G. */
  expansion: tf.Tensor2D;
  /** Cosine cutoff 0.5 (cos(π d / cutoff) + 1), E × 1. */
  envelope: tf.Tensor2D;
}

interface EdgeTensors {
  source: tf.Tensor1D;
  target: tf.Tensor1D;
}

/**
 * The receptor–receptor edges a compound's poses share: the union over its poses of the edges
 * between receptor atoms (the 32-neighbour cap can make them differ from pose to pose), and for
 * each pose which union edges are in its graph and which of its edges are its own.
 */
interface ReceptorEdges {
  readonly poses: readonly Pose[];
  /** The union edges. */
  readonly source: Int32Array;
  readonly target: Int32Array;
  readonly distance: Float32Array;
  /** `source × atoms + target` → row of the union. */
  readonly row: Map<number, number>;
  /** Per pose: 1 for the union edges in its graph (0 for the others), and its edges that are not receptor–receptor. */
  readonly layout: WeakMap<Pose, { mask: Float32Array; own: Int32Array }>;
}


/**
 * SchNet (Schütt et al. 2017) with PyTorch Geometric's semantics and parameter names, as mtenn
 * uses it: atom embeddings; distances expanded on `numGaussians` Gaussians centred on
 * [0, cutoff]; `numInteractions` blocks of continuous-filter convolution (filter network
 * Linear → shifted softplus → Linear, times a cosine cutoff; messages x_j ⊙ W_ji summed at i);
 * then Σ_atoms ssp(lin1(h)). That sum, of size `hiddenChannels / 2`, is the representation;
 * PyG's last layer `lin2` is the strategy's energy head (see {@link loadPyGSchNetStateDict}).
 *
 * The interaction graph is `radiusGraph`'s (nearest `maxNumNeighbors` within `cutoff`),
 * cached per pose. Parameters are named like PyG's state dict: `embedding.weight`,
 * `interactions.0.mlp.0.weight`, `interactions.0.conv.lin1.weight`, `lin1.bias`, …
 *
 * @example
 * ```ts
 * const schnet = new SchNet({ hiddenChannels: 128, numInteractions: 6 });
 * schnet.represent(pose); // Tensor1D [64]
 * ```
 */
export class SchNet extends Module implements Representation {
  readonly outputSize: number;
  /** The validated options. */
  readonly options: z.output<typeof schNetOptions>;
  readonly #embedding: Embedding;
  readonly #interactions: InteractionBlock[] = [];
  readonly #lin1: Linear;
  readonly #offsets: Float64Array;
  /** The last compound's receptor edges, keyed by its first pose. */
  readonly #receptorCache = new WeakMap<Pose, ReceptorEdges>();

  /** @param options - sizes, cutoff, neighbour cap, seed; mtenn's defaults */
  constructor(options: SchNetOptions = {}) {
    super();
    const o = (this.options = parseOptions(schNetOptions, options, "representation 'schnet'"));
    const seed = (k: number): number | undefined => (o.seed === undefined ? undefined : o.seed + k);
    this.outputSize = Math.floor(o.hiddenChannels / 2);
    this.#embedding = this.addModule('embedding', new Embedding(MAX_Z, o.hiddenChannels, { seed: seed(0), paddingIndex: 0 }));
    const interactions = this.addModule('interactions', new ModuleGroup());
    for (let i = 0; i < o.numInteractions; i++) {
      this.#interactions.push(interactions.add(String(i), new InteractionBlock(o.hiddenChannels, o.numFilters, o.numGaussians, (k) => seed(10 * (i + 1) + k))));
    }
    this.#lin1 = this.addModule('lin1', new Linear(o.hiddenChannels, this.outputSize, { scheme: 'xavier', seed: seed(1) }));
    this.#offsets = Float64Array.from({ length: o.numGaussians }, (_, g) => (o.cutoff * g) / (o.numGaussians - 1));
  }

  /** Centres of the Gaussians, linspace(0, cutoff, numGaussians) (PyG's `distance_expansion.offset`). */
  get offsets(): Float64Array {
    return this.#offsets;
  }

  represent(pose: Pose, shared?: SharedStage): tf.Tensor1D {
    return tf.tidy(() => shiftedSoftplus(this.#lin1.apply(this.atomFeatures(pose, shared).at(-1)!)).sum(0) as tf.Tensor1D);
  }

  /**
   * About how many bytes of tensors one pose needs at the peak: measured on wasm at 58–60 bytes per
   * edge × block × filter for a training step (the activations kept for the backward pass) and
   * 7–11 for a forward pass; estimated here at 72 (with room for a shared stage and its gradient)
   * and 48 per edge × filter.
   *
   * @param pose - the pose
   * @param training - whether the backward pass is included
   * @returns bytes
   */
  estimateBytes(pose: Pose, training: boolean): number {
    const edges = this.#graph(pose).source.length;
    const { numFilters, numInteractions, hiddenChannels } = this.options;
    const atoms = pose.z.length * hiddenChannels * 4 * (numInteractions + 2);
    return atoms + (training ? 72 * edges * numInteractions * numFilters : 48 * edges * numFilters);
  }

  /**
   * The filters of every interaction block on the receptor–receptor edges of a compound's poses,
   * computed once for all of them when the poses share their receptor atoms (same elements and
   * positions at the same indices, as in a pocket cropped once per compound). Edges are the union
   * over the poses, so each pose finds exactly its own graph's filters.
   *
   * @param poses - the compound's poses
   * @returns one filter tensor per block (union edges × filters), or `undefined` when the receptors differ
   */
  shareAcross(poses: readonly Pose[]): SharedStage | undefined {
    const receptor = this.#receptorEdges(poses);
    if (receptor === undefined || receptor.distance.length === 0) return undefined;
    const tensors = tf.tidy(() => {
      const distances = this.#distanceTensors(receptor.distance);
      return this.#interactions.map((block) => block.filter(distances));
    });
    return { tensors, context: receptor };
  }

  /**
   * Per-atom features after the embedding and after each interaction block (the inside of
   * {@link SchNet.represent}, exposed for checks against other implementations).
   *
   * @param pose - the pose
   * @param shared - the compound's shared filters from {@link SchNet.shareAcross}, if any
   * @returns `[embedding, after block 0, after block 1, …]`, each atoms × hiddenChannels
   */
  atomFeatures(pose: Pose, shared?: SharedStage): tf.Tensor2D[] {
    const graph = this.#graph(pose);
    const receptor = shared?.context as ReceptorEdges | undefined;
    const layout = receptor === undefined ? undefined : this.#layout(receptor, pose, graph);
    const own = layout?.own;
    return tf.tidy(() => {
      const states = [this.#embedding.apply(pose.z)];
      // The pose's own edges (all of them without a shared stage) get their filters here.
      const pick = (values: Int32Array): Int32Array => (own === undefined ? values : Int32Array.from(own, (e) => values[e]!));
      const ownEdges = { source: tf.tensor1d(pick(graph.source), 'int32'), target: tf.tensor1d(pick(graph.target), 'int32') };
      const ownDistances = own === undefined ? graph.distance : Float32Array.from(own, (e) => graph.distance[e]!);
      const distances = ownDistances.length > 0 ? this.#distanceTensors(ownDistances) : undefined;
      // The shared receptor edges: all union edges, the ones outside this pose's graph weighted 0.
      const union = layout === undefined ? undefined : { source: tf.tensor1d(receptor!.source, 'int32'), target: tf.tensor1d(receptor!.target, 'int32') };
      const mask = layout === undefined ? undefined : tf.tensor2d(layout.mask, [layout.mask.length, 1]);
      this.#interactions.forEach((block, b) => {
        const groups: Array<{ edges: EdgeTensors; filter: tf.Tensor2D }> = [];
        if (union !== undefined) groups.push({ edges: union, filter: shared!.tensors[b]!.mul(mask!) as tf.Tensor2D });
        if (distances !== undefined) groups.push({ edges: ownEdges, filter: block.filter(distances) });
        states.push(states.at(-1)!.add(block.apply(states.at(-1)!, groups)));
      });
      return states;
    });
  }

  #graph(pose: Pose): RadiusGraph {
    return poseRadiusGraph(pose, { cutoff: this.options.cutoff, maxNeighbors: this.options.maxNumNeighbors });
  }

  /** The union of the poses' receptor–receptor edges, when the poses share their receptor atoms (cached for the same poses). */
  #receptorEdges(poses: readonly Pose[]): ReceptorEdges | undefined {
    const cached = this.#receptorCache.get(poses[0]!);
    if (cached !== undefined && cached.poses.length === poses.length && cached.poses.every((p, i) => p === poses[i])) return cached;
    const first = poses[0]!;
    if (!first.ligandMask.includes(0)) return undefined; // a ligand alone: no receptor to share
    const receptor = posePart(first, 'protein');
    if (!poses.every((p) => p.z.length === first.z.length && p.ligandMask.every((m, i) => m === first.ligandMask[i]) && sameAtoms(posePart(p, 'protein'), receptor))) return undefined;
    const atoms = first.z.length;
    const row = new Map<number, number>();
    const source: number[] = [];
    const target: number[] = [];
    const distance: number[] = [];
    for (const pose of poses) {
      const graph = this.#graph(pose);
      graph.source.forEach((j, e) => {
        const i = graph.target[e]!;
        const key = j * atoms + i;
        if (pose.ligandMask[i] || pose.ligandMask[j] || row.has(key)) return;
        row.set(key, distance.length);
        source.push(j);
        target.push(i);
        distance.push(graph.distance[e]!);
      });
    }
    const edges: ReceptorEdges = {
      poses: [...poses],
      source: Int32Array.from(source),
      target: Int32Array.from(target),
      distance: Float32Array.from(distance),
      row,
      layout: new WeakMap(),
    };
    this.#receptorCache.set(first, edges);
    return edges;
  }

  /** Which union edges are in `pose`'s graph, and which of its edges are its own (not receptor–receptor). */
  #layout(receptor: ReceptorEdges, pose: Pose, graph: RadiusGraph): { mask: Float32Array; own: Int32Array } {
    let layout = receptor.layout.get(pose);
    if (layout !== undefined) return layout;
    const mask = new Float32Array(receptor.distance.length);
    const own: number[] = [];
    graph.source.forEach((j, e) => {
      const row = receptor.row.get(j * pose.z.length + graph.target[e]!);
      if (row === undefined) own.push(e);
      else mask[row] = 1;
    });
    layout = { mask, own: Int32Array.from(own) };
    receptor.layout.set(pose, layout);
    return layout;
  }

  /** Gaussian expansion and cosine cutoff of distances, computed in JS doubles (positions carry no gradient). */
  #distanceTensors(distance: Float32Array): DistanceTensors {
    const { cutoff, numGaussians } = this.options;
    const edges = distance.length;
    const spacing = this.#offsets[1]! - this.#offsets[0]!;
    // PyG computes the offsets in float32 and coeff = −0.5 / spacing²; follow it to the bit where it matters.
    const coeff = -0.5 / Math.fround(spacing) ** 2;
    const offsets = Float32Array.from(this.#offsets);
    const expansion = new Float32Array(edges * numGaussians);
    const envelope = new Float32Array(edges);
    for (let e = 0; e < edges; e++) {
      const d = distance[e]!;
      for (let g = 0; g < numGaussians; g++) expansion[e * numGaussians + g] = Math.exp(coeff * (d - offsets[g]!) ** 2);
      envelope[e] = 0.5 * (Math.cos((d * Math.PI) / cutoff) + 1);
    }
    return {
      expansion: tf.tensor2d(expansion, [edges, numGaussians]),
      envelope: tf.tensor2d(envelope, [edges, 1]),
    };
  }
}
