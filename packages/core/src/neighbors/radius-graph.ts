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

  const edges = new EdgeList();
  for (let i = 0; i < n; i++) {
    const [cx, cy, cz] = cellOf(i);
    const candidates: Array<[number, number]> = [];
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (let dz = -1; dz <= 1; dz++) {
          for (const j of cells.get(`${cx + dx},${cy + dy},${cz + dz}`) ?? []) {
            const d2 = squaredDistance(pos, i, j);
            if (j !== i && d2 < cutoff2) candidates.push([d2, j]);
          }
        }
      }
    }
    edges.addNearest(i, candidates, maxNeighbors);
  }
  return edges.graph();
}

/** Squared distance in float64 from float32 coordinates: the one formula every graph here uses, so graphs built different ways agree bit for bit. */
function squaredDistance(pos: Float32Array, i: number, j: number): number {
  return (pos[3 * j]! - pos[3 * i]!) ** 2 + (pos[3 * j + 1]! - pos[3 * i + 1]!) ** 2 + (pos[3 * j + 2]! - pos[3 * i + 2]!) ** 2;
}

/** Edges collected target by target. */
class EdgeList {
  readonly #source: number[] = [];
  readonly #target: number[] = [];
  readonly #distance: number[] = [];

  add(j: number, i: number, distance: number): void {
    this.#source.push(j);
    this.#target.push(i);
    this.#distance.push(distance);
  }

  /** Keeps the `maxNeighbors` nearest `[d2, j]` candidates of atom i, ties by the lower j. */
  addNearest(i: number, candidates: Array<[number, number]>, maxNeighbors: number): void {
    candidates.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [d2, j] of candidates.slice(0, maxNeighbors)) this.add(j, i, Math.sqrt(d2));
  }

  graph(): RadiusGraph {
    return { source: Int32Array.from(this.#source), target: Int32Array.from(this.#target), distance: Float32Array.from(this.#distance) };
  }
}

/**
 * The radius graph of a subset of a pose's atoms (a pose part), from the graph of the whole pose:
 * equal to {@link radiusGraph} of the subset's positions, edge for edge. An atom's edges are
 * filtered from the whole graph where that is exact (its list was not full, or holds only kept
 * atoms); an atom whose full list held dropped atoms has its list recomputed over the subset.
 *
 * @param graph - the radius graph of the whole pose, built with `options`
 * @param pos - positions of the whole pose, n × 3
 * @param atoms - the kept atoms, in increasing order; atom `atoms[k]` becomes atom k
 * @param options - the cutoff and neighbour cap `graph` was built with
 * @returns the subset's radius graph, in the subset's numbering
 * @example
 * ```ts
 * const ligandGraph = subsetRadiusGraph(graph, pose.pos, ligandAtoms, { cutoff: 10, maxNeighbors: 32 });
 * ```
 */
export function subsetRadiusGraph(graph: RadiusGraph, pos: Float32Array, atoms: readonly number[], options: RadiusGraphOptions): RadiusGraph {
  const index = new Int32Array(pos.length / 3).fill(-1);
  atoms.forEach((atom, k) => (index[atom] = k));
  const edges = new EdgeList();
  const cutoff2 = options.cutoff * options.cutoff;
  let e = 0;
  for (const i of atoms) {
    while (e < graph.target.length && graph.target[e]! < i) e++;
    const start = e;
    while (e < graph.target.length && graph.target[e] === i) e++;
    const sources = Array.from(graph.source.subarray(start, e));
    if (sources.length < options.maxNeighbors || sources.every((j) => index[j]! >= 0)) {
      for (let k = start; k < e; k++) if (index[graph.source[k]!]! >= 0) edges.add(index[graph.source[k]!]!, index[i]!, graph.distance[k]!);
    } else {
      const candidates = atoms.map((j): [number, number] => [squaredDistance(pos, i, j), index[j]!]).filter(([d2, j]) => j !== index[i] && d2 < cutoff2);
      edges.addNearest(index[i]!, candidates, options.maxNeighbors);
    }
  }
  return edges.graph();
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
 * The options a {@link radiusGraphKey} was made from.
 *
 * @example
 * ```ts
 * radiusGraphOptions('10/32'); // { cutoff: 10, maxNeighbors: 32 }
 * ```
 */
export function radiusGraphOptions(key: string): RadiusGraphOptions {
  const [cutoff, maxNeighbors] = key.split('/').map(Number);
  return { cutoff: cutoff!, maxNeighbors: maxNeighbors! };
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
