import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';

import { squaredError } from '../engine/losses.js';
import { type Module } from '../nn/module.js';
import { posePart } from '../pose-parts.js';
import { checkModelGradients, PoseMean, randomCompound, randomPose, ToyMessagePassing } from '../testing/index.js';
import { MultiPoseModel } from '../model/multi-pose-model.js';
import { representationSizes, type Representations } from '../model/single-pose-model.js';
import { PIC50Readout, PKiReadout } from './readouts.js';
import type { Strategy } from '../components/strategy.js';
import { ComplexOnlyStrategy, ConcatStrategy, DeltaStrategy } from './strategies.js';


const toy = (seed: number, hidden = 6): ToyMessagePassing => new ToyMessagePassing({ hidden, layers: 1, gaussians: 4, cutoff: 4, seed });

const live: Module[] = [];
afterEach(() => live.splice(0).forEach((m) => m.dispose()));

function model(representation: Representations, makeStrategy: (sizes: ReturnType<typeof representationSizes>) => Strategy): MultiPoseModel {
  const m = new MultiPoseModel({ representation, strategy: makeStrategy(representationSizes(representation)), combination: new PoseMean() });
  live.push(m);
  return m;
}

const layouts: Array<[string, () => MultiPoseModel]> = [
  ['complex-only', () => model(toy(1), (s) => new ComplexOnlyStrategy(s, { seed: 1 }))],
  ['delta', () => model(toy(1), (s) => new DeltaStrategy(s, { seed: 1 }))],
  ['split-delta with separate representations', () => model({ complex: toy(1, 6), protein: toy(2, 5), ligand: toy(3, 4) }, (s) => new DeltaStrategy(s, { split: true, seed: 1 }))],
  ['concat', () => model(toy(1), (s) => new ConcatStrategy(s, { seed: 1 }))],
  ['split complex-only', () => model({ complex: toy(4) }, (s) => new ComplexOnlyStrategy(s, { seed: 1 }))],
];

describe('strategies in a MultiPoseModel', () => {
  for (const [name, build] of layouts) {
    it(`${name}: decoupled gradients equal naive (relative 1e-5), no leaks`, () => {
      checkModelGradients(build(), [randomCompound({ poses: 3, atoms: 12 })]);
    });
  }

  it('delta is E(complex) − E(protein) − E(ligand) with one shared head', () => {
    const representation = toy(1);
    const strategy = new DeltaStrategy(representationSizes(representation));
    const m = model(representation, () => strategy);
    const pose = randomPose({ atoms: 12 });
    const energy = (part: 'complex' | 'protein' | 'ligand'): number =>
      tf.tidy(() => (m.namedParameters().find(([p]) => p === 'strategy.head.weight')![1].variable.mul(representation.represent(posePart(pose, part))).sum().add(m.namedParameters().find(([p]) => p === 'strategy.head.bias')![1].variable).dataSync()[0]!));
    const expected = energy('complex') - energy('protein') - energy('ligand');
    expect(tf.tidy(() => m.forwardPose(pose).dataSync()[0])).toBeCloseTo(expected, 4);
  });

  it('concat does not depend on the order of the parts', () => {
    const strategy = new ConcatStrategy({ complex: 3, protein: 2, ligand: 2 });
    live.push(strategy);
    const [c, p, l] = [tf.tensor1d([1, 2, 3]), tf.tensor1d([0.5, -1]), tf.tensor1d([2, 0.25])];
    const a = tf.tidy(() => strategy.apply({ complex: c, protein: p, ligand: l }).dataSync()[0]);
    const b = tf.tidy(() => strategy.apply({ complex: c, protein: l, ligand: p }).dataSync()[0]);
    expect(a).toBeCloseTo(b!, 6);
    tf.dispose([c, p, l]);
  });

  it('says which combinations of parts are invalid', () => {
    expect(() => new DeltaStrategy({ complex: 4, protein: 4, ligand: 3 })).toThrow(/must have one size \(got 4, 4, 3\). Use 'split-delta'/);
    expect(() => new ConcatStrategy({ complex: 4, protein: 4 })).toThrow(/needs a representation of the ligand part/);
    const strategy = new DeltaStrategy({ complex: 6, protein: 6, ligand: 6 });
    live.push(strategy);
    expect(() => new MultiPoseModel({ representation: { complex: toy(1) }, strategy, combination: new PoseMean() })).toThrow(/needs representations of protein, ligand/);
  });

  it('refuses a strategy sized for other representations, naming both sizes', () => {
    const representation = toy(1); // outputSize 6
    const strategy = new ComplexOnlyStrategy({ complex: 4 });
    live.push(representation, strategy);
    expect(() => new MultiPoseModel({ representation, strategy, combination: new PoseMean() })).toThrow(
      "Strategy 'ComplexOnlyStrategy' was built for a complex representation of size 4, but the model's complex representation (ToyMessagePassing) gives 6. Size the strategy from representationSizes(representation).",
    );
  });

  it('refuses a representation whose vector does not have its declared size', () => {
    const representation = toy(1);
    const m = model(representation, (s) => new ComplexOnlyStrategy(s));
    Object.defineProperty(representation, 'outputSize', { value: 5 });
    expect(() => m.predict([randomPose({ atoms: 8 })])).toThrow("Representation 'ToyMessagePassing' returned shape [6] for the complex; it declares outputSize 5, so expected [5].");
  });

  it('rejects a pose without ligand atoms when the strategy needs the ligand', () => {
    const m = model(toy(1), (s) => new DeltaStrategy(s));
    const pose = { ...randomPose({ atoms: 8 }), ligandMask: new Uint8Array(8) };
    expect(() => m.valueAndGrads({ id: 'apo', poses: [pose], target: 1 }, squaredError())).toThrow(/no ligand atoms/);
  });
});

describe('options', () => {
  it('are validated by the constructors as by the registry', () => {
    expect(() => new ComplexOnlyStrategy({ complex: 4 }, { seed: 1.5 })).toThrow("Invalid options for strategy 'complex-only': seed: Invalid input: expected int, received number");
    expect(() => new DeltaStrategy({ complex: 4, protein: 4, ligand: 4 }, { split: true, seed: -0.5 })).toThrow(/strategy 'split-delta': seed/);
    expect(() => new PIC50Readout({ km: 0.35 })).toThrow(/readout 'pic50'.*give both substrateConcentration and km/);
  });
});

describe('readouts', () => {
  it('pKi = −ΔG/ln10 and pIC50 adds −log10(1 + [S]/Km) (closed forms)', () => {
    const dG = tf.tensor1d([-16.1, -9.2]);
    const pki = tf.tidy(() => Array.from(new PKiReadout().apply(dG).dataSync()));
    const pic50 = tf.tidy(() => Array.from(new PIC50Readout({ substrateConcentration: 0.375, km: 0.35 }).apply(dG).dataSync()));
    const plain = tf.tidy(() => Array.from(new PIC50Readout().apply(dG).dataSync()));
    [-16.1, -9.2].forEach((g, i) => {
      expect(pki[i]).toBeCloseTo(-g / Math.LN10, 5);
      expect(pic50[i]).toBeCloseTo(-g / Math.LN10 - Math.log10(1 + 0.375 / 0.35), 5);
      expect(plain[i]).toBeCloseTo(-g / Math.LN10, 5);
    });
    dG.dispose();
  });
});
