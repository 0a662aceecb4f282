import { PosePoolError } from './errors.js';

/**
 * A directed interaction graph: edge e carries messages from `source[e]` (j) to `target[e]` (i),
 * PyTorch Geometric's `source_to_target` flow (`edge_index = [source; target]`).
 */
export interface RadiusGraph {
  /** j of each edge. */
  readonly source: Int32Array;
  /** i of each edge; edges are sorted by i, then by distance, then by j. */
  readonly target: Int32Array;
  /** |pos_j − pos_i| in Å. */
  readonly distance: Float32Array;
}

/**
 * One 3D pose of a ligand in its protein: protein (or pocket) atoms first, then ligand atoms.
 *
 * @example
 * ```ts
 * const pose: Pose = {
 *   z: Int32Array.from([6, 8, 6]),
 *   pos: Float32Array.from([0, 0, 0, 1.2, 0, 0, 2.4, 0.3, 0]),
 *   ligandMask: Uint8Array.from([0, 0, 1]),
 * };
 * ```
 */
export interface Pose {
  /** Atomic numbers, one per atom. */
  readonly z: Int32Array;
  /** Positions in Å, `n × 3`, row-major. */
  readonly pos: Float32Array;
  /** 1 for ligand atoms, 0 for protein atoms. */
  readonly ligandMask: Uint8Array;
  /** Optional per-atom features, `n × featureSize`, row-major. */
  readonly features?: Float32Array;
  /** Number of features per atom in {@link Pose.features}. */
  readonly featureSize?: number;
  /** Optional covalent bonds as atom-index pairs, `[a0, b0, a1, b1, …]` (for 2D-graph models such as GAT). */
  readonly bonds?: Int32Array;
  /** Precomputed interaction graphs by `cutoff/maxNeighbors` (see `poseRadiusGraph`), e.g. from a featurizer's cache. */
  readonly graphs?: Readonly<Record<string, RadiusGraph>>;
}

/**
 * A compound: its poses and what is known of it.
 *
 * @example
 * ```ts
 * const compound: Compound = { id: 'lig_ejm_31', poses: [pose0, pose1], target: 7.2 };
 * ```
 */
export interface Compound {
  /** Identifier (ligand id). */
  readonly id: string;
  /** The poses, at least one. */
  readonly poses: readonly Pose[];
  /** Experimental target (pIC50, pK or ΔG, as the loss expects). */
  readonly target?: number;
  /** `<` or `>` when the measurement is censored (e.g. "IC50 > 10 µM"), for step losses. */
  readonly targetQualifier?: '<' | '>';
  /** Standard error of the target, when known. */
  readonly targetError?: number;
  /** Per-pose labels by name (e.g. `vina_score`), one value per pose. */
  readonly poseLabels?: Readonly<Record<string, Float32Array>>;
}

/** The parts of a pose a strategy can ask for. */
export type PosePart = 'complex' | 'protein' | 'ligand';

/**
 * @returns the number of atoms of `pose`
 *
 * @example
 * ```ts
 * atomCount(pose); // pose.z.length
 * ```
 */
export function atomCount(pose: Pose): number {
  return pose.z.length;
}

const validated = new WeakSet<Pose>();

/**
 * Checks that a pose's arrays agree in length and hold finite coordinates. A pose object is
 * checked once: later calls return at once (poses are data, never changed in place), so the
 * per-step check of a training loop costs nothing after the first epoch.
 *
 * @param pose - the pose to check
 * @param where - names the pose in the error (e.g. `compound 'x', pose 3`)
 * @throws PosePoolError `E_INPUT` naming the pose and the problem
 * @example
 * ```ts
 * validatePose(pose, "compound 'lig_1', pose 0");
 * ```
 */
export function validatePose(pose: Pose, where: string): void {
  if (validated.has(pose)) return;
  const n = pose.z.length;
  const fail = (problem: string): never => {
    throw new PosePoolError('E_INPUT', `Invalid pose (${where}): ${problem}.`);
  };
  if (n === 0) fail('it has no atoms');
  if (pose.pos.length !== 3 * n) fail(`pos has ${pose.pos.length} values, expected 3 × ${n} atoms = ${3 * n}`);
  if (pose.ligandMask.length !== n) fail(`ligandMask has ${pose.ligandMask.length} entries, expected ${n}`);
  const bad = pose.pos.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) fail(`atom ${Math.floor(bad / 3)} has a non-finite coordinate (${pose.pos[bad]})`);
  if (pose.features !== undefined) {
    const size = pose.featureSize ?? 0;
    if (size <= 0 || pose.features.length !== size * n) fail(`features has ${pose.features.length} values, expected featureSize (${size}) × ${n} atoms`);
  }
  if (pose.bonds !== undefined) {
    if (pose.bonds.length % 2 !== 0) fail(`bonds has ${pose.bonds.length} indices, expected pairs`);
    const out = pose.bonds.findIndex((a) => a < 0 || a >= n);
    if (out >= 0) fail(`bond ${Math.floor(out / 2)} names atom ${pose.bonds[out]}, outside [0, ${n})`);
  }
  validated.add(pose);
}
