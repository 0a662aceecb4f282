import type { Compound, Pose } from '../pose.js';

/**
 * A small seeded PRNG (mulberry32), so tests and benchmarks are reproducible.
 *
 * @param seed - any integer
 * @returns a function giving uniform numbers in [0, 1)
 * @example
 * ```ts
 * const random = seededRandom(42);
 * random(); // 0.6011037519201636
 * ```
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Options of {@link randomPose}. */
export interface RandomPoseOptions {
  /** Atoms in the pose. @defaultValue 12 */
  atoms?: number;
  /** How many of them (the last ones) are ligand atoms. @defaultValue a third */
  ligandAtoms?: number;
  /** Heavy-atom density in atoms/Å³ (proteins: about 0.05). @defaultValue 0.05 */
  density?: number;
  /** PRNG seed. @defaultValue 1 */
  seed?: number;
}

/**
 * A random pose of C, N, O and S atoms in a cube at protein-like density, protein atoms first.
 *
 * @param options - size, ligand atoms, density, seed
 * @returns the pose
 * @example
 * ```ts
 * const pose = randomPose({ atoms: 300, ligandAtoms: 30, seed: 7 });
 * ```
 */
export function randomPose(options: RandomPoseOptions = {}): Pose {
  const atoms = options.atoms ?? 12;
  const ligandAtoms = options.ligandAtoms ?? Math.max(1, Math.floor(atoms / 3));
  const random = seededRandom(options.seed ?? 1);
  const side = Math.cbrt(atoms / (options.density ?? 0.05));
  const elements = [6, 6, 6, 7, 8, 16];
  return {
    z: Int32Array.from({ length: atoms }, () => elements[Math.floor(random() * elements.length)]!),
    pos: Float32Array.from({ length: 3 * atoms }, () => random() * side),
    ligandMask: Uint8Array.from({ length: atoms }, (_, i) => (i >= atoms - ligandAtoms ? 1 : 0)),
  };
}

/**
 * A random compound: `poses` random poses with a target and a per-pose label `pose_target`.
 * With `sharedReceptor`, all poses have the first pose's receptor atoms and differ only in the
 * ligand, as poses of one docked compound do (what a representation's shared stage relies on).
 *
 * @param options - pose options plus the number of poses, an id, and whether the receptor is shared
 * @returns the compound
 * @example
 * ```ts
 * const compound = randomCompound({ poses: 4, atoms: 20, seed: 3 });
 * ```
 */
export function randomCompound(options: RandomPoseOptions & { poses?: number; id?: string; sharedReceptor?: boolean } = {}): Compound {
  const count = options.poses ?? 4;
  const seed = options.seed ?? 1;
  const random = seededRandom(seed + 7919);
  const poses = Array.from({ length: count }, (_, i) => randomPose({ ...options, seed: seed * 1000 + i }));
  if (options.sharedReceptor === true) {
    // Every pose keeps the first pose's receptor atoms (a pocket cropped once per compound); only the ligand moves.
    const first = poses[0]!;
    const receptor = first.ligandMask.indexOf(1);
    for (const pose of poses) {
      pose.z.set(first.z.subarray(0, receptor));
      pose.pos.set(first.pos.subarray(0, 3 * receptor));
    }
  }
  return {
    id: options.id ?? `random-${seed}`,
    poses,
    target: 5 + 4 * random(),
    poseLabels: { pose_target: Float32Array.from({ length: count }, () => 5 + 4 * random()) },
  };
}
