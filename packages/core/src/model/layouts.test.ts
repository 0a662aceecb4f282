import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { PosePoolError } from '../errors.js';
import { Module } from '../nn/module.js';
import { checkModelGradients, PoseMean, randomCompound, ToyMessagePassing } from '../testing/index.js';
import { modelConfigOf } from './config.js';
import { MultiPoseModel } from './multi-pose-model.js';
import { representationSizes, type Representations } from './single-pose-model.js';
import type { Readout } from '../components/readout.js';
import type { InputSizes, Strategy } from '../components/strategy.js';
import { ComplexOnlyStrategy, ConcatStrategy, DeltaStrategy, LigandOnlyStrategy } from '../standard/strategies.js';


const toy = (seed: number, hidden = 4): ToyMessagePassing => new ToyMessagePassing({ hidden, layers: 1, gaussians: 4, cutoff: 4, seed });

/** Which parts each model layout represents, and how (mtenn: Model, SplitModel, LigandOnlyModel). */
const layouts: Record<string, () => Representations> = {
  shared: () => toy(1),
  'split, one size': () => ({ complex: toy(1), protein: toy(2), ligand: toy(3) }),
  'split, sizes 6/5/4': () => ({ complex: toy(1, 6), protein: toy(2, 5), ligand: toy(3, 4) }),
  'complex only': () => ({ complex: toy(1) }),
  'ligand only': () => ({ ligand: toy(1) }),
};

const strategies: Record<string, (sizes: InputSizes) => Strategy> = {
  'complex-only': (s) => new ComplexOnlyStrategy(s, { seed: 1 }),
  delta: (s) => new DeltaStrategy(s, { seed: 1 }),
  'split-delta': (s) => new DeltaStrategy(s, { split: true, seed: 1 }),
  concat: (s) => new ConcatStrategy(s, { seed: 1 }),
  'ligand-only': (s) => new LigandOnlyStrategy(s, { seed: 1 }),
};

/** Cells that cannot work, and why the error must say so. */
const invalid: Record<string, RegExp> = {
  'complex-only × ligand only': /needs a representation of the complex part/,
  'delta × split, sizes 6/5/4': /must have one size \(got 6, 5, 4\)/,
  'delta × complex only': /needs a representation of the protein part/,
  'delta × ligand only': /needs a representation of the complex part/,
  'split-delta × complex only': /needs a representation of the protein part/,
  'split-delta × ligand only': /needs a representation of the complex part/,
  'concat × split, sizes 6/5/4': /both representations must have one size \(got 5, 4\)/,
  'concat × complex only': /needs a representation of the protein part/,
  'concat × ligand only': /needs a representation of the complex part/,
  'ligand-only × complex only': /needs a representation of the ligand part/,
};

describe('every strategy with every model layout', () => {
  const compound = randomCompound({ poses: 2, atoms: 10 });
  for (const [strategyName, makeStrategy] of Object.entries(strategies)) {
    for (const [layoutName, makeLayout] of Object.entries(layouts)) {
      const cell = `${strategyName} × ${layoutName}`;
      const expected = invalid[cell];
      it(expected === undefined ? `${cell}: trains with naive-equal gradients` : `${cell}: is refused with a reason`, () => {
        const representation = makeLayout();
        const before = tf.memory().numTensors;
        if (expected !== undefined) {
          let error: unknown;
          try {
            new MultiPoseModel({ representation, strategy: makeStrategy(representationSizes(representation)), combination: new PoseMean() });
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(PosePoolError);
          expect((error as PosePoolError).code).toBe('E_CONFIG');
          expect((error as Error).message).toMatch(expected);
          for (const r of Object.values(representation as object) as Module[]) r.dispose();
          return;
        }
        const model = new MultiPoseModel({ representation, strategy: makeStrategy(representationSizes(representation)), combination: new PoseMean() });
        checkModelGradients(model, [compound], { modes: ['recompute'] });
        model.dispose();
        expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
      });
    }
  }
});

describe('modules shared across places', () => {
  it('refuses one module both per pose and after the combination', () => {
    class Scale extends Module implements Readout {
      readonly w = this.addParameter('w', tf.scalar(2));
      apply<T extends tf.Tensor>(x: T): T {
        return x.mul(this.w.variable) as T;
      }
    }
    const readout = new Scale();
    const representation = toy(1);
    expect(() => new MultiPoseModel({ representation, strategy: new ComplexOnlyStrategy({ complex: 4 }), poseReadout: readout, readout, combination: new PoseMean() })).toThrow(/used both per pose and after the combination/);
    readout.dispose();
    representation.dispose();
  });

  it('refuses to save a split model whose parts share an instance', () => {
    const shared = toy(1);
    const model = new MultiPoseModel({ representation: { complex: shared, ligand: shared, protein: toy(2) }, strategy: new DeltaStrategy({ complex: 4, protein: 4, ligand: 4 }, { seed: 1 }), combination: new PoseMean() });
    expect(() => modelConfigOf(model)).toThrow(/share one representation instance/);
    model.dispose();
  });
});
