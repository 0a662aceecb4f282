import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

import { PosePoolError } from '../errors.js';
import { parseOptions } from '../registry/options.js';
import { Module } from '../nn/module.js';
import type { InputSizes, Strategy } from '../components/strategy.js';
import type { PosePart } from '../pose.js';
import { Linear } from '../nn/linear.js';

/**
 * Options every standard strategy takes.
 *
 * @example
 * ```ts
 * strategyOptions.parse({ seed: 1 }); // { seed: 1 }
 * ```
 */
export const strategyOptions = z
  .object({
    /** Seed of the heads' initialisation (random when absent). */
    seed: z.number().int().optional(),
  })
  .strict();

/** Options every standard strategy takes, as a user writes them. */
export type StrategyOptions = z.input<typeof strategyOptions>;

const deltaOptions = strategyOptions.extend({ split: z.boolean().default(false) }).strict();

/** Seeds for the i-th head, or undefined for random initialisation. */
const headInit = (options: StrategyOptions, i: number): { seed?: number } => (options.seed === undefined ? {} : { seed: options.seed + 2 * i });

function sizeOf(sizes: InputSizes | undefined, part: PosePart, strategy: string): number {
  // `sizes` may be missing when a strategy is created by name without its context.
  const size = sizes?.[part];
  if (size === undefined) throw new PosePoolError('E_CONFIG', `Strategy '${strategy}' needs a representation of the ${part} part, but the model has none (registry.create needs { inputSizes } for strategies).`);
  return size;
}

function rep(representations: Partial<Record<PosePart, tf.Tensor1D>>, part: PosePart): tf.Tensor1D {
  const r = representations[part];
  if (r === undefined) throw new PosePoolError('E_INPUT', `Missing the ${part} representation.`);
  return r;
}

const scalar = (x: tf.Tensor): tf.Scalar => x.reshape([]) as tf.Scalar;

/** A linear head on the representation of one part: the shape of complex-only and ligand-only. */
abstract class OnePartStrategy extends Module implements Strategy {
  readonly parts: readonly [PosePart];
  readonly inputSizes: Readonly<InputSizes>;
  /** The prediction head. */
  readonly head: Linear;

  protected constructor(part: PosePart, name: string, sizes: InputSizes, options: StrategyOptions) {
    super();
    this.parts = [part];
    this.inputSizes = { [part]: sizeOf(sizes, part, name) };
    this.head = this.addModule('head', new Linear(sizeOf(sizes, part, name), 1, headInit(parseOptions(strategyOptions, options, `strategy '${name}'`), 0)));
  }

  apply(representations: Partial<Record<PosePart, tf.Tensor1D>>): tf.Scalar {
    return tf.tidy(() => scalar(this.head.apply(rep(representations, this.parts[0]))));
  }
}

/**
 * ComplexOnly: a linear energy head on the complex representation.
 *
 * @example
 * ```ts
 * new ComplexOnlyStrategy({ complex: 64 });
 * ```
 */
export class ComplexOnlyStrategy extends OnePartStrategy {
  /**
   * @param sizes - representation size of the complex
   * @param options - initialisation seed
   */
  constructor(sizes: InputSizes, options: StrategyOptions = {}) {
    super('complex', 'complex-only', sizes, options);
  }
}

/**
 * LigandOnly: a linear head on the ligand representation (2D-graph models such as GAT, which
 * see the ligand and nothing of the protein or the pose).
 *
 * @example
 * ```ts
 * new LigandOnlyStrategy({ ligand: 64 });
 * ```
 */
export class LigandOnlyStrategy extends OnePartStrategy {
  /**
   * @param sizes - representation size of the ligand
   * @param options - initialisation seed
   */
  constructor(sizes: InputSizes, options: StrategyOptions = {}) {
    super('ligand', 'ligand-only', sizes, options);
  }
}

/**
 * Delta: E(complex) − E(protein) − E(ligand), one shared linear energy head, so every part
 * needs a representation of the same size. With `split: true` (mtenn's SplitDelta, for
 * separate representations per part) each part gets its own head and sizes may differ.
 *
 * @example
 * ```ts
 * new DeltaStrategy({ complex: 64, protein: 64, ligand: 64 });
 * ```
 */
export class DeltaStrategy extends Module implements Strategy {
  readonly parts = ['complex', 'protein', 'ligand'] as const;
  readonly inputSizes: Readonly<InputSizes>;
  readonly #heads: Record<PosePart, Linear>;

  /**
   * @param sizes - representation size of each part
   * @param options - `split`: one energy head per part; initialisation seed
   */
  constructor(sizes: InputSizes, options: z.input<typeof deltaOptions> = {}) {
    super();
    const name = options.split === true ? 'split-delta' : 'delta';
    const o = parseOptions(deltaOptions, options, `strategy '${name}'`);
    const [c, p, l] = this.parts.map((part) => sizeOf(sizes, part, name)) as [number, number, number];
    this.inputSizes = { complex: c, protein: p, ligand: l };
    if (o.split) {
      this.#heads = {
        complex: this.addModule('complex_head', new Linear(c, 1, headInit(o, 0))),
        protein: this.addModule('protein_head', new Linear(p, 1, headInit(o, 1))),
        ligand: this.addModule('ligand_head', new Linear(l, 1, headInit(o, 2))),
      };
    } else {
      if (c !== p || c !== l) {
        throw new PosePoolError(
          'E_CONFIG',
          `Strategy 'delta' shares one energy head, so the complex, protein and ligand representations must have one size (got ${c}, ${p}, ${l}). Use 'split-delta' for separate heads.`,
        );
      }
      const head = this.addModule('head', new Linear(c, 1, headInit(o, 0)));
      this.#heads = { complex: head, protein: head, ligand: head };
    }
  }

  apply(representations: Partial<Record<PosePart, tf.Tensor1D>>): tf.Scalar {
    return tf.tidy(() => {
      const [complex, protein, ligand] = this.parts.map((part) => this.#heads[part].apply(rep(representations, part)));
      return scalar(complex!.sub(protein!).sub(ligand!));
    });
  }
}

/**
 * Concat: a linear layer on [complex ⊕ (protein ⊕ ligand + ligand ⊕ protein)], the parts summed
 * over their permutations so their order does not matter (mtenn's ConcatStrategy).
 *
 * @example
 * ```ts
 * new ConcatStrategy({ complex: 64, protein: 64, ligand: 64 });
 * ```
 */
export class ConcatStrategy extends Module implements Strategy {
  readonly parts = ['complex', 'protein', 'ligand'] as const;
  readonly inputSizes: Readonly<InputSizes>;
  /** Linear layer from 3 × size to 1. */
  readonly reduce: Linear;

  /**
   * @param sizes - representation size of each part (protein and ligand must match)
   * @param options - initialisation seed
   */
  constructor(sizes: InputSizes, options: StrategyOptions = {}) {
    super();
    const o = parseOptions(strategyOptions, options, "strategy 'concat'");
    const [c, p, l] = this.parts.map((part) => sizeOf(sizes, part, 'concat')) as [number, number, number];
    this.inputSizes = { complex: c, protein: p, ligand: l };
    if (p !== l) throw new PosePoolError('E_CONFIG', `Strategy 'concat' sums protein ⊕ ligand over permutations, so both representations must have one size (got ${p}, ${l}).`);
    this.reduce = this.addModule('reduce', new Linear(c + p + l, 1, headInit(o, 0)));
  }

  apply(representations: Partial<Record<PosePart, tf.Tensor1D>>): tf.Scalar {
    return tf.tidy(() => {
      const [complex, protein, ligand] = this.parts.map((part) => rep(representations, part));
      const parts = tf.concat([protein!, ligand!]).add(tf.concat([ligand!, protein!]));
      return scalar(this.reduce.apply(tf.concat([complex!, parts]) as tf.Tensor1D));
    });
  }
}
