import { describe, expect, it } from 'vitest';

import { radiusGraph, radiusGraphKey } from './neighbors/radius-graph.js';
import { posePart } from './pose-parts.js';
import { validatePose, type Pose, type PosePart } from './pose.js';
import { randomPose, seededRandom } from './testing/random.js';

const pose: Pose = {
  z: Int32Array.from([6, 7, 8]),
  pos: Float32Array.from([0, 0, 0, 1, 0, 0, 2, 0, 0]),
  ligandMask: Uint8Array.from([0, 1, 1]),
  features: Float32Array.from([1, 2, 3, 4, 5, 6]),
  featureSize: 2,
  bonds: Int32Array.from([0, 1, 1, 2]),
};

describe('poses', () => {
  it('names the pose and the problem when arrays disagree or coordinates are not finite', () => {
    expect(() => validatePose({ ...pose, pos: new Float32Array(8) }, "compound 'a', pose 2")).toThrow("Invalid pose (compound 'a', pose 2): pos has 8 values, expected 3 × 3 atoms = 9.");
    expect(() => validatePose({ ...pose, pos: Float32Array.from([0, 0, 0, 1, Number.NaN, 0, 2, 0, 0]) }, 'p')).toThrow('atom 1 has a non-finite coordinate (NaN)');
    expect(() => validatePose({ ...pose, ligandMask: new Uint8Array(2) }, 'p')).toThrow('ligandMask has 2 entries, expected 3');
    expect(() => validatePose({ z: new Int32Array(0), pos: new Float32Array(0), ligandMask: new Uint8Array(0) }, 'p')).toThrow('it has no atoms');
    expect(() => validatePose({ ...pose, featureSize: 3 }, 'p')).toThrow('features has 6 values, expected featureSize (3) × 3 atoms');
    expect(() => validatePose({ ...pose, bonds: Int32Array.from([0, 3]) }, 'p')).toThrow('bond 0 names atom 3, outside [0, 3)');
    expect(() => validatePose({ ...pose, bonds: Int32Array.from([0]) }, 'p')).toThrow('bonds has 1 indices, expected pairs');
  });

  it('checks a pose object once: later calls (every training step) do not read its arrays again', () => {
    let reads = 0;
    const counted = { ...pose, get pos() { reads++; return pose.pos; } };
    validatePose(counted, 'p');
    const first = reads;
    expect(first).toBeGreaterThan(0);
    for (let step = 0; step < 5; step++) validatePose(counted, 'p');
    expect(reads).toBe(first);
  });
});

describe('posePart', () => {
  it('splits a pose into its parts, features included, and caches them', () => {
    const ligand = posePart(pose, 'ligand');
    expect(Array.from(ligand.z)).toEqual([7, 8]);
    expect(Array.from(ligand.pos)).toEqual([1, 0, 0, 2, 0, 0]);
    expect(Array.from(ligand.features!)).toEqual([3, 4, 5, 6]);
    expect(Array.from(ligand.bonds!)).toEqual([0, 1]);
    expect(Array.from(posePart(pose, 'protein').z)).toEqual([6]);
    expect(posePart(pose, 'ligand')).toBe(ligand);
    expect(posePart(pose, 'complex')).toBe(pose);
  });

  it('keeps precomputed interaction graphs, equal edge for edge to graphs built on the part', () => {
    const random = seededRandom(5);
    for (let trial = 0; trial < 12; trial++) {
      // Dense poses and small caps, so that full neighbour lists holding atoms of the other part are common.
      const whole = randomPose({ atoms: 30 + Math.floor(random() * 120), density: 0.2, seed: trial });
      const options = { cutoff: 2 + random() * 4, maxNeighbors: 2 + Math.floor(random() * 12) };
      const key = radiusGraphKey(options);
      const withGraph: Pose = { ...whole, graphs: { [key]: radiusGraph(whole.pos, options) } };
      for (const part of ['protein', 'ligand'] as PosePart[]) {
        const sub = posePart(withGraph, part);
        const expected = radiusGraph(sub.pos, options);
        expect(sub.graphs?.[key]).toEqual(expected);
      }
    }
  });
});
