import type { Pose, RadiusGraph } from '../pose.js';

/** Options of {@link radiusGraph}. */
export interface RadiusGraphOptions {
  /** Atoms closer than this (strictly) are neighbours, in Å. */
  cutoff: number;
  /** Keep at most this many nearest neighbours per atom. */
  maxNeighbors: number;
}

/**
 * The radius graph of a set of positions, built with a cell list in O(n) for a fixed density.
 *
 * The rule, stated because PyG's `radius_graph` does not promise one: for every atom i, every
 * other atom j with |pos_i − pos_j| < cutoff (squared distances compared in float64 from the
 * float32 coordinates) is a candidate, and the `maxNeighbors` nearest are kept, ties broken by
 * the lower j. With a cap that binds, this is deterministic where PyG's choice is not.
 *
 * @param pos - positions, n × 3, row-major, in Å
 * @param options - cutoff and neighbour cap
 * @returns edges j → i, sorted by i, distance, j
 * @example
 * ```ts
 * const graph = radiusGraph(pose.pos, { cutoff: 10, maxNeighbors: 32 });
 * graph.source.length; // number of edges
 * ```
 */
export function radiusGraph(pos: Float32Array, options: RadiusGraphOptions): RadiusGraph {
  const { cutoff, maxNeighbors } = options;
  const n = pos.length / 3;
  const cutoff2 = cutoff * cutoff;
  let [minX, minY, minZ] = [Infinity, Infinity, Infinity];
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, pos[3 * i]!);
    minY = Math.min(minY, pos[3 * i + 1]!);
    minZ = Math.min(minZ, pos[3 * i + 2]!);
  }
  // Cells of side `cutoff`: every neighbour of an atom lies in its cell or the 26 around it.
  const cellOf = (i: number): [number, number, number] => [
    Math.floor((pos[3 * i]! - minX) / cutoff),
    Math.floor((pos[3 * i + 1]! - minY) / cutoff),
    Math.floor((pos[3 * i + 2]! - minZ) / cutoff),
  ];
  const cells = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const key = cellOf(i).join(',');
    const members = cells.get(key);
    if (members === undefined) cells.set(key, [i]);
    else members.push(i);
  }

  const source: number[] = [];
  const target: number[] = [];
  const distance: number[] = [];
  const candidates: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    const [cx, cy, cz] = cellOf(i);
    const [xi, yi, zi] = [pos[3 * i]!, pos[3 * i + 1]!, pos[3 * i + 2]!];
    candidates.length = 0;
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (let dz = -1; dz <= 1; dz++) {
          for (const j of cells.get(`${cx + dx},${cy + dy},${cz + dz}`) ?? []) {
            if (j === i) continue;
            const d2 = (pos[3 * j]! - xi) ** 2 + (pos[3 * j + 1]! - yi) ** 2 + (pos[3 * j + 2]! - zi) ** 2;
            if (d2 < cutoff2) candidates.push([d2, j]);
          }
        }
      }
    }
    candidates.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (let k = 0; k < Math.min(maxNeighbors, candidates.length); k++) {
      const [d2, j] = candidates[k]!;
      source.push(j);
      target.push(i);
      distance.push(Math.sqrt(d2));
    }
  }
  return { source: Int32Array.from(source), target: Int32Array.from(target), distance: Float32Array.from(distance) };
}

const cache = new WeakMap<Pose, Map<string, RadiusGraph>>();

/**
 * The key of a graph in {@link Pose.graphs}: `cutoff/maxNeighbors`.
 *
 * @example
 * ```ts
 * radiusGraphKey({ cutoff: 10, maxNeighbors: 32 }); // '10/32'
 * ```
 */
export function radiusGraphKey(options: RadiusGraphOptions): string {
  return `${options.cutoff}/${options.maxNeighbors}`;
}

/**
 * {@link radiusGraph} of a pose: the one stored in `pose.graphs` (precomputed by a featurizer
 * or loaded from its cache) when there is one, else computed once per pose object and options
 * (positions carry no gradient, so the graph is data, not part of the model's graph).
 *
 * @param pose - the pose
 * @param options - cutoff and neighbour cap
 * @returns the cached graph
 * @example
 * ```ts
 * poseRadiusGraph(pose, { cutoff: 10, maxNeighbors: 32 }) === poseRadiusGraph(pose, { cutoff: 10, maxNeighbors: 32 }); // true
 * ```
 */
export function poseRadiusGraph(pose: Pose, options: RadiusGraphOptions): RadiusGraph {
  const key = radiusGraphKey(options);
  const stored = pose.graphs?.[key];
  if (stored !== undefined) return stored;
  let graphs = cache.get(pose);
  if (graphs === undefined) cache.set(pose, (graphs = new Map()));
  let graph = graphs.get(key);
  if (graph === undefined) graphs.set(key, (graph = radiusGraph(pose.pos, options)));
  return graph;
}
