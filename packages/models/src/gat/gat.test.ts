import * as tf from '@tensorflow/tfjs';
import { MultiPoseModel, LigandOnlyStrategy, createLigandOnlyModel, ligandOnlyCompound, type Compound, type Pose } from '@posepool/core';
import { assertGradientsMatch, CHECK_LOSSES, checkModelGradients, expectNoLeaks, PoseMean, seededRandom } from '@posepool/core/testing';
import { describe, expect, it } from 'vitest';

import { GAT, type GATOptions } from './gat.js';

/** A small ligand: a ring of 5 with a tail, random features; all atoms are ligand atoms. */
function ligandPose(seed: number, features = 6): Pose {
  const random = seededRandom(seed);
  const n = 7;
  return {
    z: new Int32Array(n).fill(6),
    pos: Float32Array.from({ length: 3 * n }, () => random() * 5),
    ligandMask: new Uint8Array(n).fill(1),
    features: Float32Array.from({ length: n * features }, () => random() * 2 - 1),
    featureSize: features,
    bonds: Int32Array.from([0, 1, 1, 2, 2, 3, 3, 4, 4, 0, 4, 5, 5, 6]),
  };
}

type Matrix = number[][];
const matvec = (w: Matrix, x: number[]): number[] => w.map((row) => row.reduce((s, v, k) => s + v * x[k]!, 0));
const elu = (x: number): number => (x > 0 ? x : Math.expm1(x));

/** The same network in JS doubles, from the module's own weights: an independent reference. */
function referenceGAT(gat: GAT, pose: Pose): number[] {
  const p = Object.fromEntries(gat.namedParameters().map(([path, q]) => [path, q.variable.arraySync() as Matrix]));
  const o = gat.options;
  const n = pose.z.length;
  let h: Matrix = Array.from({ length: n }, (_, i) => Array.from(pose.features!.slice(i * o.inFeats, (i + 1) * o.inFeats)));
  const edges: Array<[number, number]> = [];
  for (let b = 0; b < pose.bonds!.length; b += 2) edges.push([pose.bonds![b]!, pose.bonds![b + 1]!], [pose.bonds![b + 1]!, pose.bonds![b]!]);
  for (let i = 0; i < n; i++) edges.push([i, i]);
  for (let l = 0; l < o.numLayers; l++) {
    const fc = p[`layers.${l}.fc.weight`]!;
    const [attnL, attnR, bias] = [p[`layers.${l}.attn_l`]!, p[`layers.${l}.attn_r`]!, p[`layers.${l}.bias`] as unknown as number[]];
    const res = p[`layers.${l}.res_fc.weight`];
    const feat = h.map((x) => matvec(fc, x)); // [n, heads * perHead]
    const head = (i: number, k: number): number[] => feat[i]!.slice(k * o.hiddenFeats, (k + 1) * o.hiddenFeats);
    const out: Matrix = Array.from({ length: n }, () => new Array<number>(o.numHeads * o.hiddenFeats).fill(0));
    for (let k = 0; k < o.numHeads; k++) {
      const el = h.map((_, i) => head(i, k).reduce((s, v, d) => s + v * attnL[k]![d]!, 0));
      const er = h.map((_, i) => head(i, k).reduce((s, v, d) => s + v * attnR[k]![d]!, 0));
      const logit = edges.map(([u, v]) => {
        const x = el[u]! + er[v]!;
        return x > 0 ? x : o.alpha * x;
      });
      for (let v = 0; v < n; v++) {
        const incoming = edges.map((e, idx) => [e, idx] as const).filter(([[, t]]) => t === v);
        const z = incoming.reduce((s, [, idx]) => s + Math.exp(logit[idx]!), 0);
        for (const [[u], idx] of incoming) head(u, k).forEach((f, d) => (out[v]![k * o.hiddenFeats + d]! += (Math.exp(logit[idx]!) / z) * f));
      }
    }
    const residual = (i: number, d: number): number => (!o.residual ? 0 : res ? matvec(res, h[i]!)[d]! : h[i]![d]!);
    h = out.map((row, i) => row.map((v, d) => elu(v + residual(i, d) + bias[d]!)));
  }
  const aw = p['readout.atom_weighting.weight']!;
  const ab = p['readout.atom_weighting.bias'] as unknown as number[];
  const w = h.map((x) => 1 / (1 + Math.exp(-(matvec(aw, x)[0]! + ab[0]!))));
  const size = h[0]!.length;
  const pooled = [...Array.from({ length: size }, (_, d) => h.reduce((s, x, i) => s + w[i]! * x[d]!, 0)), ...Array.from({ length: size }, (_, d) => Math.max(...h.map((x) => x[d]!)))];
  const pw = p['predictor.weight']!;
  const pb = p['predictor.bias'] as unknown as number[];
  return matvec(pw, pooled).map((v, d) => Math.max(0, v + pb[d]!));
}

const small: GATOptions = { inFeats: 6, hiddenFeats: 5, numHeads: 3, numLayers: 2, predictorHidden: 8, seed: 4 };

describe('GAT', () => {
  it('matches a JS-doubles reference of DGL GATConv + weighted-sum-and-max readout + MLP (float32: 1e-5)', () => {
    for (const options of [small, { ...small, residual: false, numLayers: 1 }]) {
      const gat = new GAT(options);
      const pose = ligandPose(1);
      const ours = tf.tidy(() => Array.from(gat.represent(pose).dataSync()));
      const reference = referenceGAT(gat, pose);
      expect(Math.max(...ours.map((v, i) => Math.abs(v - reference[i]!))) / Math.max(...reference.map(Math.abs))).toBeLessThan(1e-5);
      gat.dispose();
    }
  });

  it('does not depend on the order of the atoms', () => {
    const gat = new GAT(small);
    const pose = ligandPose(2);
    const order = [3, 0, 6, 1, 5, 2, 4];
    const inverse = new Int32Array(7);
    order.forEach((old, neu) => (inverse[old] = neu));
    const permuted: Pose = {
      ...pose,
      features: Float32Array.from(order.flatMap((i) => Array.from(pose.features!.slice(i * 6, i * 6 + 6)))),
      bonds: pose.bonds!.map((a) => inverse[a]!),
    };
    const [a, b] = tf.tidy(() => [Array.from(gat.represent(pose).dataSync()), Array.from(gat.represent(permuted).dataSync())]);
    a!.forEach((v, i) => expect(v).toBeCloseTo(b![i]!, 5));
    gat.dispose();
  });

  it('asks for its atom features by size', () => {
    const gat = new GAT(small);
    expect(() => gat.represent({ ...ligandPose(1), features: undefined })).toThrow('GAT needs 6 features per atom (pose.features with featureSize 6); the pose has none.');
    gat.dispose();
  });

  it('in a ligand-only model: predicts once per compound, trains, leaks nothing', () => {
    const model = createLigandOnlyModel({ representation: new GAT(small), seed: 1 });
    const compound: Compound = { id: 'lig', poses: [ligandPose(1), ligandPose(2)], target: 6.5 };
    expect(() => model.predict(compound)).toThrow(/takes one prediction per compound, got 2/);
    expectNoLeaks(() => {
      const step = model.valueAndGrads(ligandOnlyCompound(compound), CHECK_LOSSES.combined!, { mode: 'recompute' });
      const naive = model.valueAndGrads(ligandOnlyCompound(compound), CHECK_LOSSES.combined!, { mode: 'naive' });
      assertGradientsMatch(step.grads, naive.grads);
      tf.dispose([step.grads, naive.grads]);
    });
    model.dispose();
  });

  it('gives naive gradients in every mode over several feature sets (a multi-pose MultiPoseModel)', () => {
    const gat = new GAT(small);
    const model = new MultiPoseModel({ representation: { ligand: gat }, strategy: new LigandOnlyStrategy({ ligand: gat.outputSize }, { seed: 2 }), combination: new PoseMean() });
    const compound: Compound = { id: 'lig', poses: [1, 2, 3].map((s) => ligandPose(s)), target: 6.5, poseLabels: { pose_target: Float32Array.from([6, 7, 6.5]) } };
    checkModelGradients(model, [compound]);
    model.dispose();
  });
});
