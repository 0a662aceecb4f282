import * as tf from '@tensorflow/tfjs';
import { checkpoint, Embedding, gatherMultiplyScatter, Linear, Module, ModuleGroup, parseOptions, poseRadiusGraph, shiftedSoftplus, type Pose, type RadiusGraph, type Representation, type SharedStage } from '@posepool/core';
import { z } from 'zod';

import { pairEdges, pick, ReceptorEdgeCache, receptorCounts, splitEdges, type PairedEdges, type ReceptorEdges } from '../receptor-edges.js';


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
    /**
     * Poses (and shared receptor stages) with more edges than this are computed in chunks of
     * `edgeChunkSize` edges, and in training each chunk's edge-sized activations are recomputed
     * in the backward pass instead of kept (exact gradients for about one more forward pass of
     * the edges): the peak memory of a pose then grows with its atoms, not with edges × blocks ×
     * filters. Whole blocks are faster and keep every block's activations: at the default a
     * whole-block training step peaks near 1.5 GiB. 0 checkpoints every pose.
     * @defaultValue 32768
     */
    checkpointAboveEdges: z.number().int().nonnegative().default(32768),
    /** Edges per chunk where {@link SchNet} checkpoints (see `checkpointAboveEdges`). @defaultValue 16384 */
    edgeChunkSize: z.number().int().positive().default(16384),
    /**
     * Largest shared receptor stage ({@link SchNet.shareAcross}: receptor edges × blocks × filters
     * × 4 bytes) to keep; a training step holds about five times it. Above, every pose computes
     * its receptor filters itself, in checkpointed chunks: more work per pose, memory bounded by
     * the pose's atoms. @defaultValue 268435456 (256 MiB)
     */
    maxSharedStageBytes: z.number().int().nonnegative().default(256 * 1024 ** 2),
    /** Initialisation seed (random when absent). */
    seed: z.number().int().optional(),
  })
  .strict();

/** Options of {@link SchNet}, as a user writes them. */
export type SchNetOptions = z.input<typeof schNetOptions>;

/** Atomic numbers the embedding covers: [0, 100), as in PyG. */
const MAX_Z = 100;

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
    return tf.tidy(() => this.filterFrom(distances, this.filterActivations(distances).h));
  }

  /** The filter network's first layer z = E W₁ᵀ + b₁ and its activation h = ssp(z). */
  filterActivations(distances: DistanceTensors): FilterActivations {
    return tf.tidy(() => {
      const z = this.filterIn.applyToConstant(distances.expansion);
      return { z, h: shiftedSoftplus(z) as tf.Tensor2D };
    });
  }

  /** The filters from the first layer's activation h: (h W₂ᵀ + b₂) × cosine cutoff. */
  filterFrom(distances: DistanceTensors, h: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.filterOut.apply(h).mul(distances.envelope));
  }

  /**
   * The gradient of Σ ⟨filter(d), g⟩ with respect to {@link InteractionBlock.filterVariables}, by
   * hand: the tape's operations, from the first layer's activations (computed again unless
   * given: the backward pass reads them; the second layer's output it does not).
   */
  filterGradients(distances: DistanceTensors, g: tf.Tensor2D, activations?: FilterActivations): tf.Tensor[] {
    return tf.tidy(() => {
      const { z, h } = activations ?? this.filterActivations(distances);
      const dOut = g.mul(distances.envelope) as tf.Tensor2D;
      const dZ = dOut.matMul(this.filterOut.weight.variable).mul(tf.sigmoid(z)) as tf.Tensor2D;
      // dW = dyᵀ x and db = Σ_rows dy of a layer with input x, as Linear's own gradient computes them.
      const weightAndBias = (layer: Linear, dy: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor[] => [dy.matMul(x, true, false), ...(layer.bias === undefined ? [] : [dy.sum(0)])];
      return [...weightAndBias(this.filterIn, dZ, distances.expansion), ...weightAndBias(this.filterOut, dOut, h)];
    });
  }

  /** The variables {@link InteractionBlock.filter} reads. */
  filterVariables(): tf.Variable[] {
    return [this.filterIn, this.filterOut].flatMap((layer) => [layer.weight.variable, ...(layer.bias === undefined ? [] : [layer.bias.variable])]);
  }

  /**
   * The update of h for block `b`: messages x_j ⊙ W_ji summed at i over every edge group (a pose's
   * edges; or the shared receptor edges and the pose's own), chunk by chunk; when `checkpointed`,
   * one checkpoint per group, whose backward pass recomputes one chunk at a time. Without edges
   * (isolated atoms) the convolution sums nothing.
   */
  apply(h: tf.Tensor2D, groups: readonly EdgeGroup[], b: number, checkpointed: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      const atoms = h.shape[0];
      const x = this.conv.lin1.apply(h);
      const sums = groups.map((group) => {
        const chunks = group.bounds.length - 1;
        const messages = ([xs, ...inputs]: tf.Tensor[], c: number): tf.Tensor2D => {
          const [start, end] = [group.bounds[c]!, group.bounds[c + 1]!];
          const edges = (values: Int32Array): tf.Tensor1D => tf.tensor1d(values.subarray(start, end), 'int32');
          return gatherMultiplyScatter(xs as tf.Tensor2D, group.filters(this, c, inputs), edges(group.source), edges(group.filterRow), edges(group.target), atoms);
        };
        const inputs = [x, ...group.inputs(this, b)];
        if (checkpointed) return checkpoint(messages, inputs, chunks);
        return tf.addN(Array.from({ length: chunks }, (_, c) => tf.tidy(() => messages(inputs, c))));
      });
      const aggregated = sums.length === 0 ? tf.zeros([atoms, this.conv.lin1.outputs]) : tf.addN(sums);
      return this.lin.apply(shiftedSoftplus(this.conv.lin2.apply(aggregated as tf.Tensor2D)) as tf.Tensor2D);
    });
  }
}

/** Edges of one group (a pose's own, or its share of the compound's receptor edges) with their filters. */
interface EdgeGroup extends PairedEdges {
  /** The tensors the filters of block `b` need a gradient for. */
  inputs(block: InteractionBlock, b: number): tf.Tensor[];
  /** The filters of chunk c (one row per pair), from `inputs`. */
  filters(block: InteractionBlock, c: number, inputs: tf.Tensor[]): tf.Tensor2D;
}

/** Gaussian expansion (E × G) and cosine cutoff (E) of edge distances, as JS arrays. */
interface Expansion {
  readonly gaussians: number;
  readonly expansion: Float32Array;
  readonly envelope: Float32Array;
}

/** An expansion as tensors. */
function expansionTensors({ gaussians, expansion, envelope }: Expansion): DistanceTensors {
  return { expansion: tf.tensor2d(expansion, [envelope.length, gaussians]), envelope: tf.tensor2d(envelope, [envelope.length, 1]) };
}

/** The filter network's first layer and its activation, one row per edge. */
interface FilterActivations {
  /** E W₁ᵀ + b₁, edges × filters. */
  z: tf.Tensor2D;
  /** ssp(z). */
  h: tf.Tensor2D;
}

interface DistanceTensors {
  /** Gaussian expansion of the distances, E × G. */
  expansion: tf.Tensor2D;
  /** Cosine cutoff 0.5 (cos(π d / cutoff) + 1), E × 1. */
  envelope: tf.Tensor2D;
}

/** A pose's edges as the shared stage serves them. */
interface PoseLayout {
  /** The compound's receptor edges it was made for. */
  readonly union: ReceptorEdges;
  /** Its receptor–receptor edges, by chunk of the union, with their rows in the stage's filters. */
  readonly receptor: PairedEdges;
  /** Its other edges (indices into its graph). */
  readonly own: Int32Array;
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
  /** Each compound's receptor edges, keyed by its first pose. */
  readonly #receptor = new ReceptorEdgeCache(
    (pose) => this.#graph(pose),
    (edges) => (this.#checkpointed(edges) ? this.options.edgeChunkSize : Infinity),
  );
  /** Each pose's edges as its compound's stage serves them. */
  readonly #layouts = new WeakMap<Pose, PoseLayout>();

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
   * About how many bytes of tensors one pose needs at the peak, fitted from above to tf.profile
   * peaks measured on wasm (bytes per float: 4).
   *
   * - Whole blocks (edges ≤ `checkpointAboveEdges`): a training step keeps every block's edge
   *   activations, 28–33 bytes per edge × block × filter measured (filters once per atom pair,
   *   about 0.6 pairs per edge; messages in one pass), estimated at 40; a forward pass 13–17
   *   bytes per edge × filter, estimated at 18. With a shared receptor stage of S bytes (one
   *   chunk: its filters, and each block's first-layer activations kept for its backward pass),
   *   measured: a prediction peaks while the stage is computed, at 3.9 S (4.5, the union of the
   *   poses' receptor pairs being larger than this pose's), or at S + 6–7 floats per own edge ×
   *   filter (8); a training step at 5–6 S plus 2.2 floats per edge × block × filter and 6.5 per
   *   own (not receptor–receptor) edge × block × filter (6, 2.5 and 7). A pose is estimated at
   *   the larger of the two, since a compound of one pose has no stage.
   * - Checkpointed chunks: a training step keeps at most about 12 floats per atom × block ×
   *   channel (12; linear layers and activations keep only their input for the backward pass),
   *   1.3 per edge × filter (1.5) and one chunk's recomputation and gradients, up to 15.4 per
   *   chunk edge × filter (16); a forward pass 2–3 per atom × channel × (blocks + 1) (3) and at
   *   most 6 per chunk edge × filter (6). A shared receptor stage within `maxSharedStageBytes`
   *   adds 1.2–1.35 times its filters to a forward pass (1, the pose's own edges being fewer)
   *   and 5.1–5.6 times to a training step (5, with the terms above); it is counted for every
   *   pose with a ligand and a receptor, though a compound of one pose has none.
   *
   * @param pose - the pose
   * @param training - whether the backward pass is included
   * @returns bytes
   */
  estimateBytes(pose: Pose, training: boolean): number {
    const graph = this.#graph(pose);
    const edges = graph.source.length;
    const { numFilters, numInteractions, hiddenChannels, edgeChunkSize } = this.options;
    const atomChannels = pose.z.length * hiddenChannels * 4;
    const { edges: receptorEdges, pairs } = pose.ligandMask.includes(1) ? receptorCounts(pose, graph) : { edges: 0, pairs: 0 };
    const shared = pairs > 0 && this.#stageBytes(pairs) <= this.options.maxSharedStageBytes;
    if (!this.#checkpointed(edges)) {
      const alone = atomChannels * (numInteractions + 2) + (training ? 40 * edges * numInteractions * numFilters : 18 * edges * numFilters);
      if (!shared) return alone;
      // In floats of 4 bytes.
      const [stage, edgeFilters, ownFilters] = [this.#stageBytes(pairs), edges * numFilters * 4, (edges - receptorEdges) * numFilters * 4];
      const withStage = training ? 6 * stage + (2.5 * edgeFilters + 7 * ownFilters) * numInteractions : Math.max(4.5 * stage, stage + 8 * ownFilters);
      return Math.max(alone, atomChannels * (numInteractions + 2) + withStage);
    }
    const chunk = Math.min(edges, edgeChunkSize) * numFilters * 4;
    // The compound's stage has a row per receptor pair of the union over its poses, at least this
    // pose's pairs (so none above the limit here means none at all), counted at one per edge.
    const stage = shared ? this.#stageBytes(receptorEdges) : 0;
    if (!training) return 3 * atomChannels * (numInteractions + 1) + 6 * chunk + stage;
    return 12 * atomChannels * numInteractions + 1.5 * edges * numFilters * 4 + 16 * chunk + 5 * stage;
  }

  /**
   * The filters of every interaction block on the receptor–receptor edges of a compound's poses,
   * computed once for all of them when the poses share their receptor atoms (same elements and
   * positions at the same indices, as in a pocket cropped once per compound). Edges are the union
   * over the poses, so each pose finds exactly its own graph's filters.
   *
   * @param poses - the compound's poses
   * @returns one filter tensor per block and chunk (a row per distinct receptor pair), or `undefined` when the receptors differ
   */
  shareAcross(poses: readonly Pose[]): SharedStage | undefined {
    const receptor = this.#receptor.get(poses);
    const pairs = receptor?.union.pairDistances.reduce((n, d) => n + d.length, 0) ?? 0;
    if (receptor === undefined || pairs === 0 || this.#stageBytes(pairs) > this.options.maxSharedStageBytes) return undefined;
    const expansions = receptor.union.pairDistances.map((d) => this.#expand(d));
    if (expansions.length === 1) {
      // One chunk: the expansion once for every block, and each block's first-layer activations
      // kept for the backward pass (three times the stage's filters in all, within one chunk's size).
      let whole: DistanceTensors | undefined;
      let activations: FilterActivations[] = [];
      let kept: tf.Tensor[] = [];
      const tensors = tf.tidy(() => {
        whole = expansionTensors(expansions[0]!);
        activations = this.#interactions.map((block) => block.filterActivations(whole!));
        kept = [whole.expansion, whole.envelope, ...activations.flatMap(({ z, h }) => [z, h])];
        return [...this.#interactions.map((block, b) => block.filterFrom(whole!, activations[b]!.h)), ...kept];
      }).slice(0, this.#interactions.length);
      const backward = (grads: readonly tf.Tensor[]): Array<readonly [tf.Variable, tf.Tensor]> =>
        this.#interactions.flatMap((block, b) => {
          const sums = block.filterGradients(whole!, grads[b] as tf.Tensor2D, activations[b]);
          return block.filterVariables().map((v, k) => [v, sums[k]!] as const);
        });
      return { tensors, context: receptor, kept, backward };
    }
    // Chunks: each chunk's filters checkpointed, its expansion made again per chunk (and in the backward pass).
    const tensors = tf.tidy(() =>
      this.#interactions.flatMap((block) => expansions.map((expansion) => checkpoint(() => tf.tidy(() => block.filter(expansionTensors(expansion))), block.filterVariables()))),
    );
    // Σ_k ⟨S_k, G_k⟩ back-propagated block by block and chunk by chunk, the expansions made again from their JS arrays.
    const backward = (grads: readonly tf.Tensor[]): Array<readonly [tf.Variable, tf.Tensor]> =>
      this.#interactions.flatMap((block, b) => {
        const perChunk = expansions.map((expansion, c) => tf.tidy(() => block.filterGradients(expansionTensors(expansion), grads[b * expansions.length + c] as tf.Tensor2D)));
        const sums = perChunk[0]!.map((_, k) => tf.addN(perChunk.map((g) => g[k]!)));
        tf.dispose(perChunk.flat());
        return block.filterVariables().map((v, k) => [v, sums[k]!] as const);
      });
    return { tensors, context: receptor, backward };
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
    const checkpointed = this.#checkpointed(graph.source.length);
    const groups: EdgeGroup[] = [];
    if (layout !== undefined) {
      const chunks = receptor!.union.bounds.length - 1;
      groups.push({ ...layout.receptor, inputs: (_, b) => shared!.tensors.slice(b * chunks, (b + 1) * chunks), filters: (_, c, stage) => stage[c] as tf.Tensor2D });
    }
    // The pose's own edges (all of them without a shared stage) get their filters here.
    const own = layout?.own;
    const [source, target, distance] =
      own === undefined ? [graph.source, graph.target, graph.distance] : [pick(graph.source, own), pick(graph.target, own), pick(graph.distance, own)];
    const edges = pairEdges(source, target, distance, pose.z.length, checkpointed ? this.options.edgeChunkSize : Infinity);
    const expansions = edges.pairDistances.map((d) => this.#expand(d));
    return tf.tidy(() => {
      if (expansions.length > 0) {
        // One chunk: the expansion once for every block; chunks: made again per chunk (and in the backward pass).
        const whole = checkpointed ? undefined : expansionTensors(expansions[0]!);
        groups.push({ ...edges, inputs: (block) => block.filterVariables(), filters: (block, c) => block.filter(whole ?? expansionTensors(expansions[c]!)) });
      }
      const states = [this.#embedding.apply(pose.z)];
      this.#interactions.forEach((block, b) => states.push(states.at(-1)!.add(block.apply(states.at(-1)!, groups, b, checkpointed))));
      return states;
    });
  }

  /** Bytes of a shared stage over this many receptor pairs. */
  #stageBytes(pairs: number): number {
    return pairs * this.options.numInteractions * this.options.numFilters * 4;
  }

  /** Whether a graph of this many edges is computed in checkpointed chunks. */
  #checkpointed(edges: number): boolean {
    return edges > this.options.checkpointAboveEdges;
  }

  #graph(pose: Pose): RadiusGraph {
    return poseRadiusGraph(pose, { cutoff: this.options.cutoff, maxNeighbors: this.options.maxNumNeighbors });
  }

  /** `pose`'s receptor edges, grouped by chunk of the union with their rows in its filters, and its own edges. */
  #layout(receptor: ReceptorEdges, pose: Pose, graph: RadiusGraph): PoseLayout {
    let layout = this.#layouts.get(pose);
    if (layout !== undefined && layout.union === receptor) return layout;
    const { union } = receptor;
    const { shared, unionEdge, own } = splitEdges(receptor, pose, graph);
    // Stable by chunk of the union: each chunk's edges in graph order.
    const chunkOf = (k: number): number => (union.bounds.length === 2 ? 0 : Math.floor(unionEdge[k]! / this.options.edgeChunkSize));
    const order = Int32Array.from(shared.keys()).sort((a, b) => chunkOf(a) - chunkOf(b) || a - b);
    const bounds = [0];
    for (let c = 0, k = 0; c < union.bounds.length - 1; c++) {
      while (k < order.length && chunkOf(order[k]!) === c) k++;
      bounds.push(k);
    }
    const edges = pick(shared, order);
    layout = {
      union: receptor,
      receptor: { source: pick(graph.source, edges), target: pick(graph.target, edges), bounds, filterRow: pick(union.filterRow, pick(unionEdge, order)) },
      own,
    };
    this.#layouts.set(pose, layout);
    return layout;
  }

  /** Gaussian expansion and cosine cutoff of distances, computed in JS doubles (positions carry no gradient). */
  #expand(distance: Float32Array): Expansion {
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
    return { gaussians: numGaussians, expansion, envelope };
  }
}
