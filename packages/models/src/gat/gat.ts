import * as tf from '@tensorflow/tfjs';
import { checkParameterBudget, Linear, Module, ModuleGroup, parseOptions, PosePoolError, type Parameter, type Pose, type Representation } from '@posepool/core';
import { z } from 'zod';

/**
 * Options of {@link GAT}; defaults are the DGL-LifeSci hyperparameters mtenn exposes.
 *
 * @example
 * ```ts
 * gatOptions.parse({}); // DGL-LifeSci defaults
 * ```
 */
export const gatOptions = z
  .object({
    /** Atom features per node (DGL-LifeSci's canonical atom featurizer: 74). @defaultValue 74 */
    inFeats: z.number().int().positive().default(74),
    /** Features per head in every layer. @defaultValue 32 */
    hiddenFeats: z.number().int().positive().default(32),
    /** Graph attention layers. @defaultValue 2 */
    numLayers: z.number().int().positive().default(2),
    /** Attention heads per layer. @defaultValue 4 */
    numHeads: z.number().int().positive().default(4),
    /** Negative slope of the LeakyReLU on attention logits. @defaultValue 0.2 */
    alpha: z.number().nonnegative().default(0.2),
    /** Residual connection in every layer (a bias-free linear map when sizes differ). @defaultValue true */
    residual: z.boolean().default(true),
    /** How a layer joins its heads: concatenate (`flatten`) or average (`mean`). @defaultValue 'flatten' */
    aggregation: z.enum(['flatten', 'mean']).default('flatten'),
    /** Add a self-loop to every atom (DGL-LifeSci builds its graphs with them). @defaultValue true */
    selfLoops: z.boolean().default(true),
    /** Hidden size of the MLP after the readout (0: none, the readout is the representation). @defaultValue 128 */
    predictorHidden: z.number().int().nonnegative().default(128),
    /** Initialisation seed (random when absent). */
    seed: z.number().int().optional(),
  })
  .strict();

/** Options of {@link GAT}, as a user writes them. */
export type GATOptions = z.input<typeof gatOptions>;

interface Graph {
  source: tf.Tensor1D;
  target: tf.Tensor1D;
  /** Target of each edge, for the per-target softmax shift computed in JS. */
  targets: Int32Array;
}

/** One graph attention layer with DGL's GATConv semantics. */
class GATLayer extends Module {
  readonly fc: Linear;
  readonly attnL: Parameter;
  readonly attnR: Parameter;
  readonly bias: Parameter;
  readonly residual: Linear | 'identity' | undefined;

  constructor(
    readonly inputs: number,
    readonly heads: number,
    readonly perHead: number,
    readonly alpha: number,
    residual: boolean,
    seed: (k: number) => number | undefined,
  ) {
    super();
    this.fc = this.addModule('fc', new Linear(inputs, heads * perHead, { scheme: 'xavier', bias: false, seed: seed(0) }));
    const std = Math.sqrt(2) * Math.sqrt(2 / (heads * perHead + perHead));
    checkParameterBudget(3 * heads * perHead, `GAT attention and bias ${heads} × ${perHead}`);
    this.attnL = this.addParameter('attn_l', tf.randomNormal([heads, perHead], 0, std, 'float32', seed(1)));
    this.attnR = this.addParameter('attn_r', tf.randomNormal([heads, perHead], 0, std, 'float32', seed(2)));
    this.bias = this.addParameter('bias', tf.zeros([heads * perHead]));
    this.residual = !residual ? undefined : inputs === heads * perHead ? 'identity' : this.addModule('res_fc', new Linear(inputs, heads * perHead, { scheme: 'xavier', bias: false, seed: seed(3) }));
  }

  /** x: [atoms, inputs] → [atoms, heads, perHead], ELU applied. */
  apply(x: tf.Tensor2D, graph: Graph): tf.Tensor3D {
    return tf.tidy(() => {
      const atoms = x.shape[0];
      const feat = this.fc.apply(x).reshape([atoms, this.heads, this.perHead]) as tf.Tensor3D;
      const el = feat.mul(this.attnL.variable).sum(2) as tf.Tensor2D; // [atoms, heads]
      const er = feat.mul(this.attnR.variable).sum(2) as tf.Tensor2D;
      const logits = tf.leakyRelu(tf.gather(el, graph.source).add(tf.gather(er, graph.target)), this.alpha) as tf.Tensor2D; // [E, heads]
      const attention = edgeSoftmax(logits, graph, atoms);
      const messages = tf.gather(feat, graph.source).mul(attention.expandDims(2));
      let out = tf.unsortedSegmentSum(messages, graph.target, atoms) as tf.Tensor3D;
      if (this.residual === 'identity') out = out.add(x.reshape([atoms, this.heads, this.perHead]));
      else if (this.residual !== undefined) out = out.add(this.residual.apply(x).reshape([atoms, this.heads, this.perHead]));
      return tf.elu(out.add(this.bias.variable.reshape([this.heads, this.perHead]))) as tf.Tensor3D;
    });
  }
}

/**
 * softmax of edge logits over the edges entering each atom. The per-atom maximum is subtracted
 * for stability; it is computed from the values as a constant, which leaves the softmax and its
 * gradient unchanged.
 */
function edgeSoftmax(logits: tf.Tensor2D, graph: Graph, atoms: number): tf.Tensor2D {
  return tf.tidy(() => {
    const heads = logits.shape[1];
    const values = logits.dataSync();
    const maxima = new Float32Array(atoms * heads).fill(-Infinity);
    graph.targets.forEach((t, e) => {
      for (let k = 0; k < heads; k++) maxima[t * heads + k] = Math.max(maxima[t * heads + k]!, values[e * heads + k]!);
    });
    const shift = tf.gather(tf.tensor2d(maxima.map((m) => (Number.isFinite(m) ? m : 0)), [atoms, heads]), graph.target);
    const exp = tf.exp(logits.sub(shift));
    const denominator = tf.gather(tf.unsortedSegmentSum(exp, graph.target, atoms), graph.target);
    return exp.div(denominator) as tf.Tensor2D;
  });
}

/**
 * Graph attention network over a ligand's 2D graph (Veličković et al. 2018), with DGL's GATConv
 * semantics and the DGL-LifeSci hyperparameters mtenn exposes: per layer, attention logits
 * LeakyReLU(a_lᵀ W h_j + a_rᵀ W h_i) softmaxed over each atom's incoming edges (self-loops
 * included), a residual, a bias and ELU; heads concatenated (`flatten`) or averaged. Then
 * DGL-LifeSci's weighted-sum-and-max readout (Σ σ(w·h_i) h_i ⊕ max_i h_i) and an MLP
 * (Linear → ReLU; dropout and batch norm of the PyTorch predictor are left out).
 *
 * Reads `pose.features` (`inFeats` per atom) and `pose.bonds`. Use it on the ligand part, with
 * the `ligand-only` strategy (`createLigandOnlyModel`).
 *
 * @example
 * ```ts
 * const gat = new GAT({ inFeats: 74 });
 * const model = createLigandOnlyModel({ representation: gat });
 * ```
 */
export class GAT extends Module implements Representation {
  readonly outputSize: number;
  /** The validated options. */
  readonly options: z.output<typeof gatOptions>;
  readonly #layers: GATLayer[] = [];
  readonly #atomWeighting: Linear;
  readonly #predictor: Linear | undefined;

  /** @param options - sizes, heads, residual, aggregation, predictor size, seed */
  constructor(options: GATOptions = {}) {
    super();
    const o = (this.options = parseOptions(gatOptions, options, "representation 'gat'"));
    const seed = (k: number): number | undefined => (o.seed === undefined ? undefined : o.seed + k);
    const layers = this.addModule('layers', new ModuleGroup());
    let inputs = o.inFeats;
    for (let l = 0; l < o.numLayers; l++) {
      this.#layers.push(layers.add(String(l), new GATLayer(inputs, o.numHeads, o.hiddenFeats, o.alpha, o.residual, (k) => seed(10 * (l + 1) + k))));
      inputs = o.aggregation === 'flatten' ? o.numHeads * o.hiddenFeats : o.hiddenFeats;
    }
    const readout = this.addModule('readout', new ModuleGroup());
    this.#atomWeighting = readout.add('atom_weighting', new Linear(inputs, 1, { seed: seed(1) }));
    this.#predictor = o.predictorHidden > 0 ? this.addModule('predictor', new Linear(2 * inputs, o.predictorHidden, { seed: seed(2) })) : undefined;
    this.outputSize = o.predictorHidden > 0 ? o.predictorHidden : 2 * inputs;
  }

  represent(pose: Pose): tf.Tensor1D {
    const { inFeats, aggregation } = this.options;
    const atoms = pose.z.length;
    if (pose.features === undefined || pose.featureSize !== inFeats) {
      throw new PosePoolError('E_INPUT', `GAT needs ${inFeats} features per atom (pose.features with featureSize ${inFeats}); the pose has ${pose.features === undefined ? 'none' : `${pose.featureSize ?? '?'} per atom`}.`);
    }
    const edges = this.#edges(pose);
    return tf.tidy(() => {
      const graph: Graph = { source: tf.tensor1d(edges.source, 'int32'), target: tf.tensor1d(edges.target, 'int32'), targets: edges.target };
      let h = tf.tensor2d(pose.features!, [atoms, inFeats]);
      for (const layer of this.#layers) {
        const out = layer.apply(h, graph);
        h = (aggregation === 'flatten' ? out.reshape([atoms, -1]) : out.mean(1)) as tf.Tensor2D;
      }
      const weights = tf.sigmoid(this.#atomWeighting.apply(h)); // [atoms, 1]
      const pooled = tf.concat([h.mul(weights).sum(0), h.max(0)]) as tf.Tensor1D;
      return (this.#predictor === undefined ? pooled : tf.relu(this.#predictor.apply(pooled))) as tf.Tensor1D;
    });
  }

  /** Both directions of every bond, plus self-loops when enabled. */
  #edges(pose: Pose): { source: Int32Array; target: Int32Array } {
    const bonds = pose.bonds ?? new Int32Array(0);
    const source: number[] = [];
    const target: number[] = [];
    for (let b = 0; b < bonds.length; b += 2) {
      source.push(bonds[b]!, bonds[b + 1]!);
      target.push(bonds[b + 1]!, bonds[b]!);
    }
    if (this.options.selfLoops) {
      for (let i = 0; i < pose.z.length; i++) {
        source.push(i);
        target.push(i);
      }
    }
    return { source: Int32Array.from(source), target: Int32Array.from(target) };
  }
}
