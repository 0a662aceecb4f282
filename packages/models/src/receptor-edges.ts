// The receptor–receptor edges a compound's poses share, for architectures whose edge filters
// depend on distances only (SchNet, PaiNN): found once per compound, paired (j → i and i → j
// share a distance), and split per pose into the edges the shared stage serves and its own.
import { posePart, sameAtoms, type Pose, type RadiusGraph } from '@posepool/core';

/**
 * Edges cut into chunks, each chunk with one filter row per distinct atom pair: j → i and
 * i → j have the same distance, so a filter network runs once for both (half the work where
 * both directions are edges, as in most of a graph).
 */
export interface PairedEdges {
  readonly source: Int32Array;
  readonly target: Int32Array;
  /** Chunk c is edges [bounds[c], bounds[c + 1]). */
  readonly bounds: readonly number[];
  /** Per edge: the row of its pair in its chunk's filters. */
  readonly filterRow: Int32Array;
}

/** One key for the atom pair {j, i}, whichever the direction. */
function pairKey(j: number, i: number, atoms: number): number {
  return j < i ? j * atoms + i : i * atoms + j;
}

/**
 * `values[indices[k]]` for each k.
 *
 * @param values - per-edge values
 * @param indices - the edges to take
 * @returns a new array of the same kind
 * @example
 * ```ts
 * const ownSources = pick(graph.source, own);
 * ```
 */
export function pick<T extends Int32Array | Float32Array>(values: T, indices: Int32Array): T {
  const picked = values instanceof Int32Array ? new Int32Array(indices.length) : new Float32Array(indices.length);
  indices.forEach((e, k) => (picked[k] = values[e]!));
  return picked as T;
}

/** Chunk boundaries [0, size, 2·size, …, edges]. */
function chunkBounds(edges: number, size: number): number[] {
  const bounds = [0];
  while (bounds.at(-1)! < edges) bounds.push(Math.min(edges, bounds.at(-1)! + size));
  return bounds;
}

/**
 * Chunks edges and finds each chunk's distinct pairs (pairs split across two chunks get a row in
 * each: chunks are recomputed on their own).
 *
 * @param source - source atom per edge
 * @param target - target atom per edge
 * @param distance - length per edge
 * @param atoms - atoms of the pose (for pair keys)
 * @param chunkSize - edges per chunk (`Infinity`: one chunk)
 * @returns the edges with their filter rows, and per chunk the distance of each pair
 * @example
 * ```ts
 * const { filterRow, pairDistances } = pairEdges(graph.source, graph.target, graph.distance, pose.z.length, Infinity);
 * ```
 */
export function pairEdges(source: Int32Array, target: Int32Array, distance: Float32Array, atoms: number, chunkSize: number): PairedEdges & { pairDistances: Float32Array[] } {
  const bounds = chunkBounds(source.length, chunkSize);
  const filterRow = new Int32Array(source.length);
  const pairDistances = bounds.slice(1).map((end, c) => {
    const rows = new Map<number, number>();
    const distances: number[] = [];
    for (let e = bounds[c]!; e < end; e++) {
      const key = pairKey(source[e]!, target[e]!, atoms);
      let row = rows.get(key);
      if (row === undefined) rows.set(key, (row = distances.push(distance[e]!) - 1));
      filterRow[e] = row;
    }
    return Float32Array.from(distances);
  });
  return { source, target, bounds, filterRow, pairDistances };
}

/**
 * The receptor–receptor edges of a compound's poses: the union over its poses of the edges
 * between receptor atoms (a neighbour cap can make them differ from pose to pose), paired chunk
 * by chunk.
 */
export interface ReceptorEdges {
  readonly poses: readonly Pose[];
  /** The union edges, paired: a shared stage holds one filter row per pair and chunk. */
  readonly union: PairedEdges & { pairDistances: Float32Array[] };
  /** `source × atoms + target` → the edge's index in the union. */
  readonly index: ReadonlyMap<number, number>;
}

/**
 * The union of `poses`' receptor–receptor edges, when the poses share their receptor atoms (same
 * elements and positions at the same indices, as in a pocket cropped once per compound).
 *
 * @param poses - a compound's poses
 * @param graphOf - the architecture's interaction graph of a pose
 * @param chunkSize - edges per chunk of the union, from its edge count
 * @returns the union, or `undefined` for ligand-only poses and poses whose receptors differ
 * @example
 * ```ts
 * const receptor = receptorEdges(compound.poses, (pose) => poseRadiusGraph(pose, { cutoff: 5, maxNeighbors: 32 }), () => Infinity);
 * ```
 */
export function receptorEdges(poses: readonly Pose[], graphOf: (pose: Pose) => RadiusGraph, chunkSize: (edges: number) => number): ReceptorEdges | undefined {
  const first = poses[0]!;
  if (!first.ligandMask.includes(0)) return undefined; // a ligand alone: no receptor to share
  const receptor = posePart(first, 'protein');
  if (!poses.every((p) => p.z.length === first.z.length && p.ligandMask.every((m, i) => m === first.ligandMask[i]) && sameAtoms(posePart(p, 'protein'), receptor))) return undefined;
  const atoms = first.z.length;
  const index = new Map<number, number>();
  const source: number[] = [];
  const target: number[] = [];
  const distance: number[] = [];
  for (const pose of poses) {
    const graph = graphOf(pose);
    graph.source.forEach((j, e) => {
      const i = graph.target[e]!;
      const key = j * atoms + i;
      if (pose.ligandMask[i] || pose.ligandMask[j] || index.has(key)) return;
      index.set(key, distance.length);
      source.push(j);
      target.push(i);
      distance.push(graph.distance[e]!);
    });
  }
  const union = pairEdges(Int32Array.from(source), Int32Array.from(target), Float32Array.from(distance), atoms, chunkSize(distance.length));
  return { poses: [...poses], union, index };
}

/**
 * A pose's edges split into those of the shared union (with their union index) and its own.
 *
 * @param receptor - the compound's receptor edges
 * @param pose - one of its poses
 * @param graph - the pose's interaction graph
 * @returns `shared` (edge indices into `graph`), `unionEdge` (the same edges' indices in the union) and `own` (the other edges)
 * @example
 * ```ts
 * const { shared, unionEdge, own } = splitEdges(receptor, pose, graph);
 * ```
 */
export function splitEdges(receptor: ReceptorEdges, pose: Pose, graph: RadiusGraph): { shared: Int32Array; unionEdge: Int32Array; own: Int32Array } {
  const shared: number[] = [];
  const unionEdge: number[] = [];
  const own: number[] = [];
  graph.source.forEach((j, e) => {
    const u = receptor.index.get(j * pose.z.length + graph.target[e]!);
    if (u === undefined) own.push(e);
    else {
      shared.push(e);
      unionEdge.push(u);
    }
  });
  return { shared: Int32Array.from(shared), unionEdge: Int32Array.from(unionEdge), own: Int32Array.from(own) };
}

const receptorCountCache = new WeakMap<RadiusGraph, { edges: number; pairs: number }>();

/**
 * The receptor–receptor edges of one pose's graph and their distinct atom pairs (cached per
 * graph: `poseRadiusGraph` keeps one per pose and options). A compound's shared stage has at
 * least this pose's pairs.
 *
 * @param pose - the pose
 * @param graph - its interaction graph
 * @returns edge and pair counts
 * @example
 * ```ts
 * const { edges, pairs } = receptorCounts(pose, poseRadiusGraph(pose, { cutoff: 10, maxNeighbors: 32 }));
 * ```
 */
export function receptorCounts(pose: Pose, graph: RadiusGraph): { edges: number; pairs: number } {
  let counts = receptorCountCache.get(graph);
  if (counts === undefined) {
    const pairs = new Set<number>();
    let edges = 0;
    graph.source.forEach((j, e) => {
      const i = graph.target[e]!;
      if (pose.ligandMask[i] || pose.ligandMask[j]) return;
      edges++;
      pairs.add(pairKey(j, i, pose.z.length));
    });
    receptorCountCache.set(graph, (counts = { edges, pairs: pairs.size }));
  }
  return counts;
}

/**
 * A per-compound cache of {@link receptorEdges} for one architecture (its graph and chunking).
 *
 * @example
 * ```ts
 * const cache = new ReceptorEdgeCache((pose) => this.graph(pose), () => Infinity);
 * const receptor = cache.get(compound.poses);
 * ```
 */
export class ReceptorEdgeCache {
  /** Keyed by a compound's first pose. */
  readonly #cache = new WeakMap<Pose, ReceptorEdges>();
  readonly #graphOf: (pose: Pose) => RadiusGraph;
  readonly #chunkSize: (edges: number) => number;

  /**
   * @param graphOf - the architecture's interaction graph of a pose
   * @param chunkSize - edges per chunk of a union, from its edge count
   */
  constructor(graphOf: (pose: Pose) => RadiusGraph, chunkSize: (edges: number) => number) {
    this.#graphOf = graphOf;
    this.#chunkSize = chunkSize;
  }

  /**
   * @param poses - a compound's poses
   * @returns their receptor edges (computed once for the same poses), or `undefined` when they share no receptor
   */
  get(poses: readonly Pose[]): ReceptorEdges | undefined {
    const cached = this.#cache.get(poses[0]!);
    if (cached !== undefined && cached.poses.length === poses.length && cached.poses.every((p, i) => p === poses[i])) return cached;
    const edges = receptorEdges(poses, this.#graphOf, this.#chunkSize);
    if (edges !== undefined) this.#cache.set(poses[0]!, edges);
    return edges;
  }
}
