import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { radiusGraph } from '@posepool/core';

interface FixturePose {
  pos: number[][];
  edge_index: [number[], number[]];
  edge_weight: number[];
  graph_cutoff: number;
  graph_max_num_neighbors: number;
}
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/pyg-schnet-small.json', import.meta.url), 'utf8')) as { poses: Record<string, FixturePose> };

describe('radiusGraph against PyTorch Geometric', () => {
  for (const [name, p] of Object.entries(fixture.poses)) {
    it(`reproduces the reference interaction graph of ${name} edge for edge`, () => {
      const pos = Float32Array.from(p.pos.flat());
      const graph = radiusGraph(pos, { cutoff: p.graph_cutoff, maxNeighbors: p.graph_max_num_neighbors });
      expect(Array.from(graph.source)).toEqual(p.edge_index[0]);
      expect(Array.from(graph.target)).toEqual(p.edge_index[1]);
      // float64 distances of float32 coordinates vs PyG's float32 norm: within float32 rounding.
      expect(Math.max(...Array.from(graph.distance, (d, e) => Math.abs(d - p.edge_weight[e]!) / p.edge_weight[e]!))).toBeLessThan(3e-7);
    });
  }
});
