import { randomPose, seededRandom } from '../testing/random.js';
import { describe, expect, it } from 'vitest';

import { poseRadiusGraph, radiusGraph, radiusGraphKey } from './radius-graph.js';

/** O(n²) reference of the same rule. */
function bruteForce(pos: Float32Array, cutoff: number, maxNeighbors: number): Array<[number, number]> {
  const n = pos.length / 3;
  const edges: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    const near: Array<[number, number]> = [];
    for (let j = 0; j < n; j++) {
      const d2 = (pos[3 * j]! - pos[3 * i]!) ** 2 + (pos[3 * j + 1]! - pos[3 * i + 1]!) ** 2 + (pos[3 * j + 2]! - pos[3 * i + 2]!) ** 2;
      if (j !== i && d2 < cutoff * cutoff) near.push([d2, j]);
    }
    near.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [, j] of near.slice(0, maxNeighbors)) edges.push([j, i]);
  }
  return edges;
}

describe('radiusGraph', () => {
  it('matches an O(n²) scan for random poses, caps and cutoffs', () => {
    const random = seededRandom(11);
    for (let trial = 0; trial < 20; trial++) {
      const pose = randomPose({ atoms: 20 + Math.floor(random() * 200), seed: trial });
      const cutoff = 2 + random() * 8;
      const maxNeighbors = 1 + Math.floor(random() * 40);
      const graph = radiusGraph(pose.pos, { cutoff, maxNeighbors });
      expect(Array.from(graph.source, (j, e) => [j, graph.target[e]])).toEqual(bruteForce(pose.pos, cutoff, maxNeighbors));
    }
  });

  it('handles isolated atoms and single atoms', () => {
    expect(radiusGraph(Float32Array.from([0, 0, 0, 50, 0, 0]), { cutoff: 5, maxNeighbors: 8 }).source).toHaveLength(0);
    expect(radiusGraph(Float32Array.from([1, 2, 3]), { cutoff: 5, maxNeighbors: 8 }).source).toHaveLength(0);
  });

  it('caches one graph per pose and options', () => {
    const pose = randomPose({ atoms: 30 });
    const options = { cutoff: 4, maxNeighbors: 8 };
    expect(poseRadiusGraph(pose, options)).toBe(poseRadiusGraph(pose, { ...options }));
    expect(poseRadiusGraph(pose, options)).not.toBe(poseRadiusGraph(pose, { cutoff: 5, maxNeighbors: 8 }));
  });
});

describe('poseRadiusGraph', () => {
  it('uses a graph stored on the pose (e.g. from a featurizer cache)', () => {
    const pose = randomPose({ atoms: 10 });
    const stored = radiusGraph(pose.pos, { cutoff: 3, maxNeighbors: 4 });
    const withGraph = { ...pose, graphs: { [radiusGraphKey({ cutoff: 3, maxNeighbors: 4 })]: stored } };
    expect(poseRadiusGraph(withGraph, { cutoff: 3, maxNeighbors: 4 })).toBe(stored);
  });
});
