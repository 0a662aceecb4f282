import { readFileSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs';
import { ComplexOnlyStrategy, DeltaStrategy, disposeSharedStage, MultiPoseModel, SinglePoseModel, radiusGraph, type Pose, type PosePoolError } from '@posepool/core';
import { CHECK_LOSSES, checkModelGradients, expectNoLeaks, gradientError, PoseMean, randomCompound } from '@posepool/core/testing';
import { afterAll, describe, expect, it } from 'vitest';

import { loadPyGSchNetStateDict, schNetOptionsFromStateDict, type StateDict } from './pyg-import.js';
import { SchNet, type SchNetOptions } from './schnet.js';

interface FixturePose {
  z: number[];
  pos: number[][];
  lig: boolean[];
}
interface FixtureOutputs {
  representation: number[];
  representation_f64: number[];
  mtenn_complex_pred: number;
  mtenn_complex_pred_f64: number;
  mtenn_delta_pred: number;
  mtenn_delta_pred_f64: number;
  h_embedding: number[][];
  h_after_interaction: number[][][];
  grad_mtenn_complex_pred: Record<string, unknown>;
  max_abs_diff_f32_vs_f64: Record<string, number>;
}
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/pyg-schnet-small.json', import.meta.url), 'utf8')) as {
  poses: Record<string, FixturePose>;
  models: { small: { state_dict: StateDict; num_parameters: number; outputs: Record<string, FixtureOutputs>; hyperparameters: { max_num_neighbors: number } } };
};
const small = fixture.models.small;
const toPose = (p: FixturePose): Pose => ({ z: Int32Array.from(p.z), pos: Float32Array.from(p.pos.flat()), ligandMask: Uint8Array.from(p.lig, Number) });
const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>): number => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));

function pygModel(strategy: 'complex' | 'delta', options: SchNetOptions = {}): SinglePoseModel {
  const schnet = new SchNet({ ...schNetOptionsFromStateDict(small.state_dict), maxNumNeighbors: small.hyperparameters.max_num_neighbors, seed: 0, ...options });
  const sizes = { complex: schnet.outputSize, protein: schnet.outputSize, ligand: schnet.outputSize };
  const model = new SinglePoseModel({ representation: schnet, strategy: strategy === 'complex' ? new ComplexOnlyStrategy(sizes) : new DeltaStrategy(sizes) });
  loadPyGSchNetStateDict(model, small.state_dict);
  return model;
}

const complexModel = pygModel('complex');
const deltaModel = pygModel('delta');
// Every pose checkpointed, in chunks of 1000 edges (the fixture poses have 2–30 thousand).
const checkpointedModel = pygModel('complex', { checkpointAboveEdges: 0, edgeChunkSize: 1000 });
afterAll(() => [complexModel, deltaModel, checkpointedModel].forEach((m) => m.dispose()));

describe('SchNet against PyTorch Geometric', () => {
  it('has the reference parameter count', () => {
    expect(complexModel.countParameters()).toBe(small.num_parameters);
  });

  for (const [name, outputs] of Object.entries(small.outputs)) {
    const pose = toPose(fixture.poses[name]!);
    // Float32 noise floor: twice PyG's own float32-vs-float64 difference, plus 4 float32 ulps of the value.
    const ulp = (x: number): number => 2 ** (Math.floor(Math.log2(Math.abs(x))) - 23);
    const floor = (key: string, value: number): number => 2 * outputs.max_abs_diff_f32_vs_f64[key]! + 4 * ulp(value);

    it(`${name}: embeddings and every interaction block match, computed whole and in chunks`, () => {
      for (const model of [complexModel, checkpointedModel]) {
        const schnet = model.representationFor('complex') as SchNet;
        const states = tf.tidy(() => schnet.atomFeatures(pose).map((s) => Array.from(s.dataSync())));
        expect(maxAbs(states[0]!, outputs.h_embedding.flat().map(Math.fround))).toBe(0);
        outputs.h_after_interaction.forEach((h, k) => {
          const reference = h.flat();
          expect(maxAbs(states[k + 1]!, reference) / Math.max(...reference.map(Math.abs))).toBeLessThan(1e-5);
        });
      }
    });

    it(`${name}: representation, complex-only and delta predictions match mtenn's`, () => {
      const representation = tf.tidy(() => Array.from(complexModel.representationFor('complex')!.represent(pose).dataSync()));
      expect(maxAbs(representation, outputs.representation_f64)).toBeLessThan(floor('representation', Math.max(...outputs.representation_f64.map(Math.abs))));
      const complex = tf.tidy(() => complexModel.forwardPose(pose).dataSync()[0]!);
      expect(Math.abs(complex - outputs.mtenn_complex_pred_f64)).toBeLessThan(floor('mtenn_complex_pred', outputs.mtenn_complex_pred_f64));
      const delta = tf.tidy(() => deltaModel.forwardPose(pose).dataSync()[0]!);
      expect(Math.abs(delta - outputs.mtenn_delta_pred_f64)).toBeLessThan(floor('mtenn_delta_pred', outputs.mtenn_delta_pred_f64));
    });

    for (const [label, model] of [['', complexModel], [', checkpointed in chunks', checkpointedModel]] as const) {
      it.runIf(outputs.grad_mtenn_complex_pred !== undefined)(`${name}: gradients of the complex prediction match PyTorch's (relative 1e-4)${label}`, () => {
        const variables = model.variables();
        const { value, grads } = tf.variableGrads(() => model.forwardPose(pose), variables);
        value.dispose();
        const paths = new Map(model.namedParameters().map(([path, p]) => [p.variable.name, path]));
        for (const [variableName, g] of Object.entries(grads)) {
          const path = paths.get(variableName)!;
          const key = path.startsWith('representation.') ? path.slice('representation.'.length) : path.replace('strategy.head.', 'lin2.');
          const reference = flat(outputs.grad_mtenn_complex_pred[key]);
          const scale = Math.max(...reference.map(Math.abs), 1e-6);
          expect(maxAbs(g.dataSync(), reference) / scale, key).toBeLessThan(1e-4);
        }
        tf.dispose(grads);
      });
    }
  }
});


describe('SchNet options', () => {
  it('are validated by the constructor as by the registry (E_CONFIG, the valid options listed)', () => {
    expect(() => new SchNet({ hiddenChannels: -8 })).toThrow(/Invalid options for representation 'schnet': hiddenChannels: Too small.*Valid options: hiddenChannels \(integer, default 128\)/);
  });
});

describe('SchNet in a MultiPoseModel', () => {
  it('gives naive gradients in every mode and leaks nothing', () => {
    const schnet = new SchNet({ hiddenChannels: 8, numFilters: 8, numInteractions: 2, numGaussians: 6, cutoff: 5, maxNumNeighbors: 12, seed: 3 });
    const model = new MultiPoseModel({ representation: schnet, strategy: new DeltaStrategy({ complex: 4, protein: 4, ligand: 4 }, { seed: 1 }), combination: new PoseMean() });
    const compound = randomCompound({ poses: 3, atoms: 16 });
    checkModelGradients(model, [compound]);
    model.dispose();
  });

  it('checkpointed in chunks (7 edges, boundaries inside every block), gives the plain model\'s gradients, in every mode, and leaks nothing', () => {
    const options = { hiddenChannels: 8, numFilters: 8, numInteractions: 2, numGaussians: 6, cutoff: 5, maxNumNeighbors: 12, seed: 3 };
    const compound = randomCompound({ poses: 3, atoms: 16 });
    const [plain, checkpointed] = [{}, { checkpointAboveEdges: 0, edgeChunkSize: 7 }].map((extra) => {
      const schnet = new SchNet({ ...options, ...extra });
      return new MultiPoseModel({ representation: schnet, strategy: new DeltaStrategy({ complex: 4, protein: 4, ligand: 4 }, { seed: 1 }), combination: new PoseMean() });
    });
    checkModelGradients(checkpointed!, [compound]);
    for (const mode of ['naive', 'recompute'] as const) {
      const [a, b] = [plain!, checkpointed!].map((m) => m.valueAndGrads(compound, CHECK_LOSSES['combined + per-pose']!, { mode }));
      // Same operations on the same float32 values, summed in another order: 1e-5 relative.
      expect(gradientError(b!.grads, a!.grads).total).toBeLessThan(1e-5);
      tf.dispose([a!.grads, b!.grads]);
    }
    [plain, checkpointed].forEach((m) => m!.dispose());
  });

  it('runs on poses with isolated atoms (no edges): the sum over atoms splits over disconnected groups', () => {
    const schnet = new SchNet({ hiddenChannels: 4, numFilters: 4, numInteractions: 1, numGaussians: 4, cutoff: 2, seed: 1 });
    const pose: Pose = { z: Int32Array.from([6, 8, 30]), pos: Float32Array.from([0, 0, 0, 1, 0, 0, 40, 0, 0]), ligandMask: Uint8Array.from([0, 0, 1]) };
    const pair: Pose = { z: pose.z.slice(0, 2), pos: pose.pos.slice(0, 6), ligandMask: pose.ligandMask.slice(0, 2) };
    const zinc: Pose = { z: pose.z.slice(2), pos: pose.pos.slice(6), ligandMask: pose.ligandMask.slice(2) };
    const [whole, a, b] = [pose, pair, zinc].map((p) => tf.tidy(() => Array.from(schnet.represent(p).dataSync())));
    expect(whole!.every(Number.isFinite)).toBe(true);
    whole!.forEach((v, k) => expect(v).toBeCloseTo(a![k]! + b![k]!, 5));
    schnet.dispose();
  });
});

describe('SchNet shared receptor stage', () => {
  const small = { hiddenChannels: 8, numFilters: 8, numInteractions: 2, numGaussians: 6, cutoff: 4, maxNumNeighbors: 6, seed: 3 };

  it('computes receptor–receptor filters once per compound and atom pair, on the union of the poses’ receptor edges', () => {
    const schnet = new SchNet(small);
    const compound = randomCompound({ poses: 4, atoms: 48, ligandAtoms: 8, density: 0.12, sharedReceptor: true, seed: 5 });
    const receptorPairs = compound.poses.map((pose) => {
      const graph = radiusGraph(pose.pos, { cutoff: small.cutoff, maxNeighbors: small.maxNumNeighbors });
      return new Set(Array.from(graph.source, (j, e) => [j, graph.target[e]!]).filter(([j, i]) => !pose.ligandMask[j!] && !pose.ligandMask[i!]).map(([j, i]) => `${j},${i}`));
    });
    const union = new Set(receptorPairs.flatMap((pairs) => [...pairs]));
    // The neighbour cap binds: ligand atoms push different receptor neighbours out in different poses.
    expect(union.size).toBeGreaterThan(Math.max(...receptorPairs.map((pairs) => pairs.size)));
    // One filter row per atom pair: j → i and i → j share it.
    const pairs = new Set([...union].map((edge) => edge.split(',').map(Number).sort((a, b) => a - b).join(',')));
    expect(pairs.size).toBeLessThan(union.size);
    const stage = expectNoLeaks(() => {
      const s = schnet.shareAcross(compound.poses)!;
      disposeSharedStage(s);
      return s;
    });
    expect(stage.tensors.map((t) => t.shape)).toEqual([
      [pairs.size, small.numFilters],
      [pairs.size, small.numFilters],
    ]);
    const shared = schnet.shareAcross(compound.poses)!;
    for (const pose of compound.poses) {
      const [alone, withStage] = [undefined, shared].map((s) => tf.tidy(() => Array.from(schnet.represent(pose, s).dataSync())));
      withStage!.forEach((v, k) => expect(v).toBeCloseTo(alone![k]!, 5));
    }
    disposeSharedStage(shared);
    schnet.dispose();
  });

  it('gives naive gradients in every mode with the shared stage (recompute and auto use it, stored does not)', () => {
    const schnet = new SchNet(small);
    const model = new MultiPoseModel({ representation: schnet, strategy: new ComplexOnlyStrategy({ complex: schnet.outputSize }, { seed: 1 }), combination: new PoseMean() });
    const compound = randomCompound({ poses: 3, atoms: 40, ligandAtoms: 8, density: 0.12, sharedReceptor: true, seed: 9 });
    checkModelGradients(model, [compound]);
    // Prediction computes the shared stage too, and frees it.
    const predicted = expectNoLeaks(() => model.predict(compound));
    compound.poses.forEach((pose, i) => expect(predicted.poses[i]).toBeCloseTo(tf.tidy(() => model.forwardPose(pose).dataSync()[0]!), 4));
    model.dispose();
  });

  it('back-propagates its stage by hand as the tape does, whole and in chunks, leaking nothing', () => {
    const compound = randomCompound({ poses: 3, atoms: 40, ligandAtoms: 8, density: 0.12, sharedReceptor: true, seed: 9 });
    for (const extra of [{}, { checkpointAboveEdges: 0, edgeChunkSize: 5 }]) {
      const schnet = new SchNet({ ...small, ...extra });
      const model = new MultiPoseModel({ representation: schnet, strategy: new ComplexOnlyStrategy({ complex: schnet.outputSize }, { seed: 1 }), combination: new PoseMean() });
      expectNoLeaks(() => tf.dispose(model.valueAndGrads(compound, CHECK_LOSSES.combined!, { mode: 'recompute' }).grads), 'recompute with the stage backward');
      const byHand = model.valueAndGrads(compound, CHECK_LOSSES.combined!, { mode: 'recompute' }).grads;
      // The same stage without its backward: the engine computes it again under a tape.
      const share = schnet.shareAcross.bind(schnet);
      schnet.shareAcross = (poses) => {
        const stage = share(poses);
        return stage && { tensors: stage.tensors, context: stage.context };
      };
      const byTape = model.valueAndGrads(compound, CHECK_LOSSES.combined!, { mode: 'recompute' }).grads;
      // The same float32 operations in the same order: equal up to the last bits.
      expect(gradientError(byHand, byTape).total).toBeLessThan(1e-6);
      tf.dispose([byHand, byTape]);
      model.dispose();
    }
  });

  it('checkpointed in chunks, the stage (chunked the same way) gives the plain model\'s gradients in every mode', () => {
    const compound = randomCompound({ poses: 3, atoms: 40, ligandAtoms: 8, density: 0.12, sharedReceptor: true, seed: 9 });
    const [plain, checkpointed] = [{}, { checkpointAboveEdges: 0, edgeChunkSize: 5 }].map((extra) => {
      const schnet = new SchNet({ ...small, ...extra });
      return new MultiPoseModel({ representation: schnet, strategy: new ComplexOnlyStrategy({ complex: schnet.outputSize }, { seed: 1 }), combination: new PoseMean() });
    });
    const stage = (checkpointed!.representationFor('complex') as SchNet).shareAcross(compound.poses)!;
    expect(stage.tensors.length).toBeGreaterThan(2 * small.numInteractions); // several chunks per block
    disposeSharedStage(stage);
    checkModelGradients(checkpointed!, [compound]);
    const [a, b] = [plain!, checkpointed!].map((m) => m.valueAndGrads(compound, CHECK_LOSSES.combined!, { mode: 'recompute' }));
    expect(gradientError(b!.grads, a!.grads).total).toBeLessThan(1e-5);
    tf.dispose([a!.grads, b!.grads]);
    expectNoLeaks(() => checkpointed!.predict(compound)).poses.forEach((p, i) => expect(p).toBeCloseTo(plain!.predict(compound).poses[i]!, 4));
    [plain, checkpointed].forEach((m) => m!.dispose());
  });

  it('shares nothing across poses whose receptors differ, or ligand-only poses', () => {
    const schnet = new SchNet(small);
    expect(schnet.shareAcross(randomCompound({ poses: 3, atoms: 20, seed: 2 }).poses)).toBeUndefined();
    const ligands = randomCompound({ poses: 2, atoms: 6, ligandAtoms: 6, seed: 2 }).poses;
    expect(schnet.shareAcross(ligands)).toBeUndefined();
    schnet.dispose();
  });

  it('shares nothing when the stage would exceed maxSharedStageBytes', () => {
    const poses = randomCompound({ poses: 3, atoms: 40, ligandAtoms: 8, density: 0.12, sharedReceptor: true, seed: 9 }).poses;
    const fits = new SchNet(small).shareAcross(poses)!;
    const bytes = fits.tensors.reduce((n, t) => n + 4 * t.size, 0);
    disposeSharedStage(fits);
    const schnet = new SchNet({ ...small, maxSharedStageBytes: bytes - 1 });
    expect(schnet.shareAcross(poses)).toBeUndefined();
    schnet.dispose();
    // The memory estimate leaves the stage out once one pose's receptor pairs exceed the limit.
    const graph = radiusGraph(poses[0]!.pos, { cutoff: small.cutoff, maxNeighbors: small.maxNumNeighbors });
    const isReceptor = (j: number, e: number): boolean => !poses[0]!.ligandMask[j] && !poses[0]!.ligandMask[graph.target[e]!];
    const pairs = new Set(Array.from(graph.source, (j, e) => (isReceptor(j, e) ? [j, graph.target[e]!].sort((a, b) => a - b).join(',') : '')).filter(Boolean)).size;
    expect(pairs).toBeLessThan(Array.from(graph.source).filter(isReceptor).length);
    const [limited, unlimited] = [pairs * small.numInteractions * small.numFilters * 4 - 1, 2 ** 40].map((limit) => {
      const model = new SchNet({ ...small, checkpointAboveEdges: 0, maxSharedStageBytes: limit });
      const estimate = model.estimateBytes(poses[0]!, true);
      model.dispose();
      return estimate;
    });
    expect(limited).toBeLessThan(unlimited!);
  });
});

describe('SchNet memory', () => {
  const cases = [
    // A pose's estimate covers it with and without a shared stage (in a compound of one pose,
    // or of several): whole blocks are measured here both ways, each below 2× the estimate.
    ['whole blocks', { atoms: 200, poses: 1 }, {}, 2],
    ['whole blocks, with a shared receptor stage (its activations kept)', { atoms: 200, poses: 3, ligandAtoms: 20, sharedReceptor: true }, {}, 2],
    ['checkpointed chunks', { atoms: 400, poses: 1, ligandAtoms: 0 }, { checkpointAboveEdges: 0, edgeChunkSize: 512 }, 1.5],
    ['checkpointed chunks, with a shared receptor stage', { atoms: 400, poses: 2, ligandAtoms: 40, sharedReceptor: true }, { checkpointAboveEdges: 0, edgeChunkSize: 512 }, 1.5],
  ] as const;
  for (const [name, shape, options, within] of cases) {
    it(`estimates the peak of a training step and of a prediction from above, within ${within}× of the measured peak: ${name}`, async () => {
      const schnet = new SchNet({ hiddenChannels: 32, numFilters: 32, numInteractions: 3, seed: 1, ...options });
      const model = new MultiPoseModel({ representation: schnet, strategy: new ComplexOnlyStrategy({ complex: schnet.outputSize }), combination: new PoseMean() });
      const compound = randomCompound({ ...shape, seed: 4 });
      model.predict(compound); // neighbour lists outside the measurement
      const before = tf.memory().numBytes;
      const train = (await tf.profile(() => tf.dispose(model.valueAndGrads(compound, CHECK_LOSSES.combined!, { mode: 'recompute' }).grads))).peakBytes - before;
      const predict = (await tf.profile(() => void model.predict(compound))).peakBytes - before;
      const estimate = (training: boolean): number => Math.max(...compound.poses.map((p) => model.estimateBytes(p, training)));
      for (const [measured, estimated] of [[train, estimate(true)], [predict, estimate(false)]] as const) {
        expect(estimated).toBeGreaterThanOrEqual(measured);
        expect(estimated).toBeLessThan(within * measured);
      }
      model.dispose();
    });
  }

  it.each([
    ['whole blocks', {}],
    ['checkpointed chunks', { checkpointAboveEdges: 0, edgeChunkSize: 64 }],
  ])('refuses a step beyond the memory limit before allocating, naming the compound and the fix: %s', (_, options) => {
    const schnet = new SchNet({ hiddenChannels: 16, numFilters: 16, numInteractions: 2, seed: 1, ...options });
    const model = new MultiPoseModel({ representation: schnet, strategy: new ComplexOnlyStrategy({ complex: schnet.outputSize }), combination: new PoseMean() });
    const compound = randomCompound({ poses: 3, atoms: 100, seed: 4, id: 'big-one' });
    const error = expectNoLeaks(() => {
      try {
        model.valueAndGrads(compound, CHECK_LOSSES.combined!, { mode: 'naive', memoryLimitBytes: 2 ** 20 });
      } catch (e) {
        return e as PosePoolError;
      }
      throw new Error('no error');
    });
    expect(error.code).toBe('E_MEMORY');
    expect(error.message).toMatch(/^Compound 'big-one': a naive training step needs about [\d.]+ GiB of tensors .* Crop the pocket .* use the 'recompute' mode/);
    model.dispose();
  });
});

describe('SchNet defaults', () => {
  it("has mtenn's default size: 455 809 parameters with the energy head (PyG SchNet defaults)", () => {
    const schnet = new SchNet({ seed: 0 });
    const model = new SinglePoseModel({ representation: schnet, strategy: new ComplexOnlyStrategy({ complex: schnet.outputSize }) });
    expect(schnet.options).toMatchObject({ hiddenChannels: 128, numFilters: 128, numInteractions: 6, numGaussians: 50, cutoff: 10, maxNumNeighbors: 32 });
    expect(model.countParameters()).toBe(455_809);
    model.dispose();
  });
});
