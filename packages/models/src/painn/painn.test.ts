import * as tf from '@tensorflow/tfjs';
import { checkModelGradients, expectNoLeaks, PoseMean, randomCompound, randomPose, seededRandom } from '@posepool/core/testing';
import { describe, expect, it } from 'vitest';

import { ComplexOnlyStrategy, DeltaStrategy, MultiPoseModel, poseRadiusGraph, type Pose } from '@posepool/core';
import { PaiNN, type PaiNNOptions } from './painn.js';

type Matrix = number[][];
const small: PaiNNOptions = { hiddenChannels: 4, numInteractions: 2, numRadial: 5, cutoff: 4, maxNumNeighbors: 8, seed: 3 };
const lin = (p: Record<string, unknown>, name: string, x: number[]): number[] => {
  const w = p[`${name}.weight`] as Matrix;
  const b = p[`${name}.bias`] as number[] | undefined;
  return w.map((row, o) => row.reduce((s, v, k) => s + v * x[k]!, 0) + (b?.[o] ?? 0));
};
const silu = (x: number): number => x / (1 + Math.exp(-x));

/** PaiNN in JS doubles from the module's own weights: an independent reference. */
function referencePaiNN(model: PaiNN, pose: Pose): { rep: number[]; s: Matrix; v: Matrix[] } {
  const p = Object.fromEntries(model.namedParameters().map(([path, q]) => [path, q.variable.arraySync()]));
  const { hiddenChannels: f, numRadial, cutoff, maxNumNeighbors } = model.options;
  const n = pose.z.length;
  let s: Matrix = Array.from(pose.z, (z) => [...(p['embedding.weight'] as Matrix)[z]!]);
  let v: Matrix[] = Array.from({ length: n }, () => [0, 1, 2].map(() => new Array<number>(f).fill(0)));
  const graph = poseRadiusGraph(pose, { cutoff, maxNeighbors: maxNumNeighbors });
  for (let b = 0; b < model.options.numInteractions; b++) {
    const m = `interactions.${b}.message`;
    const ds: Matrix = s.map(() => new Array<number>(f).fill(0));
    const dv: Matrix[] = v.map(() => [0, 1, 2].map(() => new Array<number>(f).fill(0)));
    graph.source.forEach((j, e) => {
      const i = graph.target[e]!;
      const d = [0, 1, 2].map((k) => pose.pos[3 * j + k]! - pose.pos[3 * i + k]!);
      const r = Math.hypot(...d);
      const rbf = Array.from({ length: numRadial }, (_, k) => Math.sin(((k + 1) * Math.PI * r) / cutoff) / r);
      const env = 0.5 * (Math.cos((Math.PI * r) / cutoff) + 1);
      const phi = lin(p, `${m}.phi.2`, lin(p, `${m}.phi.0`, s[j]!).map(silu));
      const w = lin(p, `${m}.filter`, rbf).map((x) => x * env);
      const x = phi.map((val, c) => val * w[c]!);
      for (let c = 0; c < f; c++) {
        ds[i]![c]! += x[c]!;
        for (let k = 0; k < 3; k++) dv[i]![k]![c]! += v[j]![k]![c]! * x[f + c]! + (d[k]! / r) * x[2 * f + c]!;
      }
    });
    s = s.map((row, i) => row.map((val, c) => val + ds[i]![c]!));
    v = v.map((vec, i) => vec.map((row, k) => row.map((val, c) => val + dv[i]![k]![c]!)));
    const u = `interactions.${b}.update`;
    const next = s.map((row, i) => {
      const uv = v[i]!.map((row3) => lin(p, `${u}.U`, row3));
      const vv = v[i]!.map((row3) => lin(p, `${u}.V`, row3));
      const norm = Array.from({ length: f }, (_, c) => Math.sqrt(vv[0]![c]! ** 2 + vv[1]![c]! ** 2 + vv[2]![c]! ** 2 + 1e-8));
      const a = lin(p, `${u}.mlp.2`, lin(p, `${u}.mlp.0`, [...row, ...norm]).map(silu));
      const dot = Array.from({ length: f }, (_, c) => uv[0]![c]! * vv[0]![c]! + uv[1]![c]! * vv[1]![c]! + uv[2]![c]! * vv[2]![c]!);
      return {
        s: row.map((val, c) => val + a[f + c]! * dot[c]! + a[2 * f + c]!),
        v: v[i]!.map((row3, k) => row3.map((val, c) => val + a[c]! * uv[k]![c]!)),
      };
    });
    s = next.map((x) => x.s);
    v = next.map((x) => x.v);
  }
  const rep = new Array<number>(f).fill(0);
  for (const row of s) lin(p, 'output', row).forEach((val, c) => (rep[c]! += silu(val)));
  return { rep, s, v };
}

function rotation(seed: number): Matrix {
  const random = seededRandom(seed);
  const [a, b, c] = [random() * 2 * Math.PI, random() * 2 * Math.PI, random() * 2 * Math.PI];
  const rz = (t: number): Matrix => [[Math.cos(t), -Math.sin(t), 0], [Math.sin(t), Math.cos(t), 0], [0, 0, 1]];
  const ry = (t: number): Matrix => [[Math.cos(t), 0, Math.sin(t)], [0, 1, 0], [-Math.sin(t), 0, Math.cos(t)]];
  const mul = (x: Matrix, y: Matrix): Matrix => x.map((row) => y[0]!.map((_, j) => row.reduce((s, v, k) => s + v * y[k]![j]!, 0)));
  return mul(rz(a), mul(ry(b), rz(c)));
}

function transform(pose: Pose, r: Matrix, shift: number[]): Pose {
  const pos = new Float32Array(pose.pos.length);
  for (let i = 0; i < pose.z.length; i++) for (let k = 0; k < 3; k++) pos[3 * i + k] = r[k]!.reduce((s, v, m) => s + v * pose.pos[3 * i + m]!, 0) + shift[k]!;
  return { ...pose, pos };
}

describe('PaiNN', () => {
  it('matches a JS-doubles reference (float32: 1e-5 relative)', () => {
    const model = new PaiNN(small);
    const pose = randomPose({ atoms: 12, seed: 4 });
    const reference = referencePaiNN(model, pose);
    const [rep, v] = tf.tidy(() => {
      const features = model.features(pose);
      return [Array.from(model.represent(pose).dataSync()), features.vector.arraySync() as Matrix[]];
    });
    const scale = Math.max(...reference.rep.map(Math.abs));
    expect(Math.max(...rep!.map((x, c) => Math.abs(x - reference.rep[c]!))) / scale).toBeLessThan(1e-5);
    const vScale = Math.max(...reference.v.flat(2).map(Math.abs));
    expect(Math.max(...(v as Matrix[]).flat(2).map((x, k) => Math.abs(x - reference.v.flat(2)[k]!))) / vScale).toBeLessThan(1e-5);
    model.dispose();
  });

  it('is invariant (scalars, representation) and equivariant (vectors) under rotations and translations', () => {
    const model = new PaiNN({ ...small, hiddenChannels: 8, numInteractions: 3 });
    const pose = randomPose({ atoms: 30, seed: 5 });
    for (const seed of [1, 2, 3]) {
      const r = rotation(seed);
      const moved = transform(pose, r, [3.5, -7, 12]);
      const [a, b] = [pose, moved].map((q) => tf.tidy(() => ({ rep: Array.from(model.represent(q).dataSync()), v: model.features(q).vector.arraySync() as Matrix[] })));
      const repScale = Math.max(...a!.rep.map(Math.abs));
      expect(Math.max(...a!.rep.map((x, c) => Math.abs(x - b!.rep[c]!))) / repScale).toBeLessThan(2e-5);
      // v(R x + t) = R v(x), channel by channel
      const rotated = a!.v.map((vec) => vec[0]!.map((_, c) => r.map((row) => row.reduce((s, m, k) => s + m * vec[k]![c]!, 0))));
      const vScale = Math.max(...a!.v.flat(2).map(Math.abs));
      let worst = 0;
      b!.v.forEach((vec, i) => vec.forEach((row, k) => row.forEach((x, c) => (worst = Math.max(worst, Math.abs(x - rotated[i]![c]![k]!))))));
      expect(worst / vScale).toBeLessThan(2e-5);
    }
    model.dispose();
  });

  it('stays finite for coincident atoms, and SchNet-style inputs reject atomic numbers ≥ 100', () => {
    const model = new PaiNN(small);
    const pose: Pose = { z: Int32Array.from([6, 8, 7]), pos: Float32Array.from([0, 0, 0, 0, 0, 0, 1.2, 0, 0]), ligandMask: Uint8Array.from([0, 0, 1]) };
    expect(tf.tidy(() => Array.from(model.represent(pose).dataSync())).every(Number.isFinite)).toBe(true);
    expect(() => model.represent({ ...pose, z: Int32Array.from([6, 104, 7]) })).toThrow("Atom 1 has category 104, outside this embedding's range [0, 100)");
    model.dispose();
  });

  it('gives naive gradients in every mode and leaks nothing', () => {
    const painn = new PaiNN(small);
    const model = new MultiPoseModel({ representation: painn, strategy: new DeltaStrategy({ complex: 4, protein: 4, ligand: 4 }, { seed: 1 }), combination: new PoseMean() });
    const compound = randomCompound({ poses: 3, atoms: 14 });
    checkModelGradients(model, [compound]);
    model.dispose();
  });
});

describe('PaiNN shared receptor stage', () => {
  const sharing = { ...small, hiddenChannels: 4, numInteractions: 2, cutoff: 4, maxNumNeighbors: 6 };
  const compound = randomCompound({ poses: 4, atoms: 48, ligandAtoms: 8, density: 0.12, sharedReceptor: true, seed: 5 });

  it('computes receptor–receptor filters once per compound and atom pair; each pose gets its own result', () => {
    const painn = new PaiNN(sharing);
    const receptorEdges = new Set(
      compound.poses.flatMap((pose) => {
        const graph = poseRadiusGraph(pose, { cutoff: sharing.cutoff, maxNeighbors: sharing.maxNumNeighbors });
        return Array.from(graph.source, (j, e) => [j, graph.target[e]!]).filter(([j, i]) => !pose.ligandMask[j!] && !pose.ligandMask[i!]).map(([j, i]) => `${j},${i}`);
      }),
    );
    const receptorPairs = new Set([...receptorEdges].map((edge) => edge.split(',').map(Number).sort((a, b) => a - b).join(',')));
    expect(receptorPairs.size).toBeLessThan(receptorEdges.size);
    const stage = expectNoLeaks(() => {
      const s = painn.shareAcross(compound.poses)!;
      tf.dispose([...s.tensors]);
      return s;
    });
    // Per block: scalar and vector filters, one row per receptor pair; direction filters, x, y, z per receptor edge (directions are antisymmetric).
    const block = [[receptorPairs.size, sharing.hiddenChannels], [receptorPairs.size, sharing.hiddenChannels], [3 * receptorEdges.size, sharing.hiddenChannels]];
    expect(stage.tensors.map((t) => t.shape)).toEqual([...block, ...block]);
    const shared = painn.shareAcross(compound.poses)!;
    for (const pose of compound.poses) {
      const [alone, withStage] = [undefined, shared].map((s) => tf.tidy(() => ({ rep: Array.from(painn.represent(pose, s).dataSync()), v: Array.from(painn.features(pose, s).vector.dataSync()) })));
      const reference = referencePaiNN(painn, pose);
      const scale = Math.max(...reference.rep.map(Math.abs));
      // Float32, edges summed in another order: 1e-5 relative, as against the reference alone.
      for (const rep of [alone!.rep, withStage!.rep]) expect(Math.max(...rep.map((x, c) => Math.abs(x - reference.rep[c]!))) / scale).toBeLessThan(1e-5);
      const vScale = Math.max(...alone!.v.map(Math.abs));
      expect(Math.max(...withStage!.v.map((x, k) => Math.abs(x - alone!.v[k]!))) / vScale).toBeLessThan(1e-5);
    }
    tf.dispose([...shared.tensors]);
    painn.dispose();
  });

  it('gives naive gradients in every mode with the stage (recompute and auto use it, stored does not); prediction frees it', () => {
    const painn = new PaiNN(sharing);
    const model = new MultiPoseModel({ representation: painn, strategy: new ComplexOnlyStrategy({ complex: painn.outputSize }, { seed: 1 }), combination: new PoseMean() });
    const three = randomCompound({ poses: 3, atoms: 40, ligandAtoms: 8, density: 0.12, sharedReceptor: true, seed: 9 });
    checkModelGradients(model, [three]);
    // With delta, the complex's stage sits beside the protein's whole shared representation.
    const delta = new MultiPoseModel({ representation: new PaiNN(sharing), strategy: new DeltaStrategy({ complex: 4, protein: 4, ligand: 4 }, { seed: 1 }), combination: new PoseMean() });
    expect(delta.shareAcross(three.poses)?.tensors.length).toBe(1 + 3 * sharing.numInteractions);
    tf.dispose([...delta.shareAcross(three.poses)!.tensors]);
    checkModelGradients(delta, [three]);
    delta.dispose();
    const predicted = expectNoLeaks(() => model.predict(three));
    three.poses.forEach((pose, i) => expect(predicted.poses[i]).toBeCloseTo(tf.tidy(() => model.forwardPose(pose).dataSync()[0]!), 4));
    model.dispose();
  });

  it('shares nothing across poses whose receptors differ, or ligand-only poses', () => {
    const painn = new PaiNN(sharing);
    expect(painn.shareAcross(randomCompound({ poses: 3, atoms: 20, seed: 2 }).poses)).toBeUndefined();
    expect(painn.shareAcross(randomCompound({ poses: 2, atoms: 6, ligandAtoms: 6, seed: 2 }).poses)).toBeUndefined();
    painn.dispose();
  });
});

