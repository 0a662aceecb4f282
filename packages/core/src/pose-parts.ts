import { PosePoolError } from './errors.js';
import { radiusGraphOptions, subsetRadiusGraph } from './neighbors/radius-graph.js';
import type { Pose, PosePart } from './pose.js';

const partCache = new WeakMap<Pose, Map<PosePart, Pose>>();

/** The bonds whose two atoms are kept, renumbered by `index` (−1: dropped atom). */
function keptBonds(bonds: Int32Array, index: Int32Array): Int32Array {
  const kept: number[] = [];
  for (let b = 0; b < bonds.length; b += 2) {
    const [i, j] = [index[bonds[b]!]!, index[bonds[b + 1]!]!];
    if (i >= 0 && j >= 0) kept.push(i, j);
  }
  return Int32Array.from(kept);
}

/**
 * The sub-pose of one part: the whole complex, its protein atoms or its ligand atoms, with their
 * features, bonds and precomputed interaction graphs (derived exactly from the complex's, see
 * {@link subsetRadiusGraph}). Results are cached per pose object, so caches keyed on the part
 * (neighbour lists) are reused.
 *
 * @param pose - the complex
 * @param part - which atoms to keep
 * @returns a pose holding only that part's atoms
 * @throws PosePoolError `E_INPUT` when the part has no atoms
 * @example
 * ```ts
 * const ligand = posePart(pose, 'ligand');
 * ```
 */
export function posePart(pose: Pose, part: PosePart): Pose {
  if (part === 'complex') return pose;
  let parts = partCache.get(pose);
  if (parts === undefined) partCache.set(pose, (parts = new Map()));
  const cached = parts.get(part);
  if (cached !== undefined) return cached;
  const keep = part === 'ligand' ? 1 : 0;
  const atoms: number[] = [];
  pose.ligandMask.forEach((m, i) => {
    if ((m ? 1 : 0) === keep) atoms.push(i);
  });
  if (atoms.length === 0) throw new PosePoolError('E_INPUT', `The pose has no ${part} atoms (check its ligandMask), so a strategy that needs the ${part} part cannot run.`);
  const size = pose.featureSize ?? 0;
  const index = new Int32Array(pose.z.length).fill(-1);
  atoms.forEach((atom, k) => (index[atom] = k));
  const sub: Pose = {
    z: Int32Array.from(atoms, (i) => pose.z[i]!),
    pos: Float32Array.from({ length: atoms.length * 3 }, (_, k) => pose.pos[3 * atoms[Math.floor(k / 3)]! + (k % 3)]!),
    ligandMask: new Uint8Array(atoms.length).fill(keep),
    ...(pose.features !== undefined && {
      features: Float32Array.from({ length: atoms.length * size }, (_, k) => pose.features![size * atoms[Math.floor(k / size)]! + (k % size)]!),
      featureSize: size,
    }),
    ...(pose.bonds !== undefined && { bonds: keptBonds(pose.bonds, index) }),
    ...(pose.graphs !== undefined && {
      graphs: Object.fromEntries(Object.entries(pose.graphs).map(([key, graph]) => [key, subsetRadiusGraph(graph, pose.pos, atoms, radiusGraphOptions(key))])),
    }),
  };
  parts.set(part, sub);
  return sub;
}

const equal = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => v === b[i]);

/**
 * Whether two poses hold the same atoms: same elements, positions, ligand mask, features and
 * bonds, in the same order (e.g. the protein parts of two poses of one compound, cropped alike).
 *
 * @param a - one pose
 * @param b - the other
 * @returns true when every array is equal element for element
 * @example
 * ```ts
 * sameAtoms(posePart(poses[0], 'protein'), posePart(poses[1], 'protein')); // true for one pocket
 * ```
 */
export function sameAtoms(a: Pose, b: Pose): boolean {
  if (a === b) return true;
  const optional = (x: ArrayLike<number> | undefined, y: ArrayLike<number> | undefined): boolean => (x === undefined ? y === undefined : y !== undefined && equal(x, y));
  return equal(a.z, b.z) && equal(a.pos, b.pos) && equal(a.ligandMask, b.ligandMask) && a.featureSize === b.featureSize && optional(a.features, b.features) && optional(a.bonds, b.bonds);
}
