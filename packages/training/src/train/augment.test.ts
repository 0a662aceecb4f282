import { buildModel, disposeSharedStage, type Compound, type MultiPoseModel, type Pose } from '@posepool/core';
import { SchNet } from '@posepool/models';
import { describe, expect, it } from 'vitest';

import { resolveRunConfig } from '../config/load.js';
import type { DatasetEntry } from '../data/dataset.js';
import { runRegistry } from '../plugins.js';
import { Random } from '../random.js';
import { augmentedEntry, jitterCompound } from './augment.js';
import { initialTrainingState } from './checkpoint.js';
import { runEpochs } from './loop.js';
import { runLoss } from './losses.js';
import { RunOptimizer } from './optimizer.js';
import { LearningRateSchedule } from './schedule.js';
import { TINY_RUN } from './tiny-run.fixture.js';

/** A compound of `poses` poses around one receptor of `receptor` atoms (the same in every pose), each with its own ligand of `ligand` atoms. */
function synthetic(id: string, receptor: number, ligand: number, poses: number, seed = 1): Compound {
  const random = new Random(seed);
  const coordinate = (): number => 12 * random.next();
  const receptorPos = Float32Array.from({ length: 3 * receptor }, coordinate);
  const z = Int32Array.from({ length: receptor + ligand }, (_, i) => [6, 7, 8][i % 3]!);
  const ligandMask = Uint8Array.from({ length: receptor + ligand }, (_, i) => (i < receptor ? 0 : 1));
  const make = (): Pose => {
    const pos = new Float32Array(3 * (receptor + ligand));
    pos.set(receptorPos);
    for (let i = 3 * receptor; i < pos.length; i++) pos[i] = 4 + 4 * random.next();
    return { z, pos, ligandMask, graphs: { '5/8': { source: new Int32Array(0), target: new Int32Array(0), distance: new Float32Array(0) } } };
  };
  return { id, poses: Array.from({ length: poses }, make), target: 6 + random.next(), poseLabels: { rmsd: Float32Array.from({ length: poses }, (_, i) => i) } };
}

/** Per pose, the displacement of each coordinate. */
const shifts = (before: Compound, after: Compound): Float64Array[] => before.poses.map((pose, k) => Float64Array.from(pose.pos, (v, i) => after.poses[k]!.pos[i]! - v));

describe('jitterCompound', () => {
  const compound = synthetic('c', 40, 12, 3);
  const options = { jitter: 0.3, seed: 1, epoch: 0, key: 'set/c' };

  it('is a function of (seed, epoch, key): the same draw again, another for another epoch, seed or key', () => {
    const a = jitterCompound(compound, options);
    expect(jitterCompound(compound, options)).toEqual(a);
    for (const other of [{ epoch: 1 }, { seed: 2 }, { key: 'set/d' }]) {
      const b = jitterCompound(compound, { ...options, ...other });
      b.poses.forEach((pose, k) => expect(pose.pos).not.toEqual(a.poses[k]!.pos));
    }
  });

  it('moves each receptor atom by one displacement in every pose, and each pose’s ligand by its own', () => {
    const jittered = jitterCompound(compound, options);
    const [s0, s1, s2] = shifts(compound, jittered);
    const receptor = 3 * 40;
    // The receptor coordinates stay identical across poses, bit for bit (so poses still share their receptor).
    for (const pose of jittered.poses.slice(1)) expect(pose.pos.subarray(0, receptor)).toEqual(jittered.poses[0]!.pos.subarray(0, receptor));
    expect(s0!.subarray(0, receptor)).toEqual(s1!.subarray(0, receptor));
    expect(s0!.subarray(receptor).some((d, i) => d !== s1![receptor + i])).toBe(true);
    expect(s1!.subarray(receptor).some((d, i) => d !== s2![receptor + i])).toBe(true);
    expect(s0!.every((d) => d !== 0)).toBe(true);
  });

  it('leaves the input alone, shares what does not move, drops precomputed graphs', () => {
    const copy = compound.poses.map((p) => Float32Array.from(p.pos));
    const jittered = jitterCompound(compound, options);
    compound.poses.forEach((pose, k) => expect(pose.pos).toEqual(copy[k]));
    expect(jittered).toMatchObject({ id: 'c', target: compound.target, poseLabels: compound.poseLabels });
    jittered.poses.forEach((pose, k) => {
      expect(pose).not.toBe(compound.poses[k]);
      expect(pose.z).toBe(compound.poses[k]!.z);
      expect(pose.ligandMask).toBe(compound.poses[k]!.ligandMask);
      expect(pose.graphs).toBeUndefined();
    });
    expect(jitterCompound(compound, { ...options, jitter: 0 })).toBe(compound);
    const entry = { compound, key: 'set/c' };
    expect(augmentedEntry(entry, resolveRunConfig({}), 3)).toBe(entry);
    expect(augmentedEntry(entry, resolveRunConfig({ augment: { jitter: 0.3 } }), 0).compound).toEqual(jittered);
  });

  it('draws N(0, σ²) per coordinate: mean, σ and independence of receptor and ligand noise', () => {
    const big = synthetic('big', 3000, 400, 4, 2);
    const sigma = 0.25;
    const all = shifts(big, jitterCompound(big, { ...options, jitter: sigma }));
    const receptor = Array.from(all[0]!.subarray(0, 3 * 3000));
    const ligand = all.flatMap((s) => Array.from(s.subarray(3 * 3000)));
    for (const sample of [receptor, ligand]) {
      const mean = sample.reduce((s, v) => s + v, 0) / sample.length;
      const sd = Math.sqrt(sample.reduce((s, v) => s + (v - mean) ** 2, 0) / sample.length);
      expect(Math.abs(mean)).toBeLessThan((4 * sigma) / Math.sqrt(sample.length));
      expect(sd / sigma).toBeGreaterThan(0.95);
      expect(sd / sigma).toBeLessThan(1.05);
      expect(Math.max(...sample.map(Math.abs))).toBeLessThan(6 * sigma);
    }
    // Per-atom displacement length: E|d| = σ·√(8/π) for a 3D Gaussian.
    const lengths = Array.from({ length: 3000 }, (_, i) => Math.hypot(receptor[3 * i]!, receptor[3 * i + 1]!, receptor[3 * i + 2]!));
    expect(lengths.reduce((s, v) => s + v, 0) / lengths.length / (sigma * Math.sqrt(8 / Math.PI))).toBeCloseTo(1, 1);
  });

  it('keeps the poses’ receptor shared for SchNet', () => {
    const schnet = new SchNet({ hiddenChannels: 4, numFilters: 4, numInteractions: 1, numGaussians: 4, cutoff: 5, maxNumNeighbors: 8, seed: 1 });
    const jittered = jitterCompound(compound, options);
    const shared = schnet.shareAcross(jittered.poses);
    expect(shared).toBeDefined();
    disposeSharedStage(shared);
    schnet.dispose();
  });
});

describe('augment config', () => {
  it('names the bad key', () => {
    expect(() => resolveRunConfig({ augment: { jitter: -0.1 } })).toThrow(/^run config: augment\.jitter: Too small/);
    expect(() => resolveRunConfig({ augment: { noise: 1 } } as never)).toThrow(/unknown key 'augment\.noise'\. Remove it or use one of: jitter\./);
    expect(resolveRunConfig({}).augment).toEqual({ jitter: 0 });
  });
});

describe('runEpochs with augment.jitter', () => {
  it('computes jittered training compounds, fresh each epoch, and validation compounds as they are', async () => {
    const config = resolveRunConfig({ ...TINY_RUN, epochs: 2, batchSize: 2, augment: { jitter: 0.2 } });
    const entry = (id: string, seed: number): DatasetEntry => ({ compound: synthetic(id, 20, 6, 2, seed), folder: 'set', key: `set/${id}`, tags: [{}, {}], molblock: '', affinities: '' });
    const train = [entry('a', 1), entry('b', 2), entry('c', 3)];
    const validation = [entry('v', 4)];
    const real = buildModel(config.model, runRegistry());
    const seen: Array<{ kind: string; id: string; pos: Float32Array }> = [];
    const model = new Proxy(real, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (property !== 'predict' && property !== 'valueAndGrads') return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        return (compound: Compound, ...rest: unknown[]) => {
          seen.push({ kind: property, id: compound.id, pos: compound.poses[0]!.pos });
          return (value as (...a: unknown[]) => unknown).call(target, compound, ...rest);
        };
      },
    }) as MultiPoseModel;
    const optimizer = new RunOptimizer(config.optimizer);
    const state = initialTrainingState(config);
    try {
      await runEpochs({ model, config, train, validation, loss: runLoss(config.loss), optimizer, schedule: new LearningRateSchedule(config.schedule, config.optimizer.learningRate, config.epochs, state.schedule), state, checkpoint: async () => {} });
    } finally {
      optimizer.dispose();
      real.dispose();
    }
    const original = new Map([...train, ...validation].map((e) => [e.compound.id, e.compound.poses[0]!.pos]));
    const steps = seen.filter((s) => s.kind === 'valueAndGrads');
    expect(steps).toHaveLength(6);
    expect(new Set(steps.map((s) => s.id))).toEqual(new Set(['a', 'b', 'c']));
    for (const s of steps) expect(s.pos).not.toEqual(original.get(s.id));
    for (const id of ['a', 'b', 'c']) {
      const [first, second] = steps.filter((s) => s.id === id);
      expect(second!.pos).not.toEqual(first!.pos);
      expect(first!.pos).toEqual(jitterCompound(train.find((e) => e.compound.id === id)!.compound, { jitter: 0.2, seed: config.seed, epoch: 0, key: `set/${id}` }).poses[0]!.pos);
    }
    const predictions = seen.filter((s) => s.kind === 'predict');
    expect(predictions.map((s) => s.id)).toEqual(['v', 'v']);
    for (const s of predictions) expect(s.pos).toBe(original.get('v'));
  }, 60_000);
});
