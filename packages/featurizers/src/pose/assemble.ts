import type { Pose } from '@posepool/core';

import type { Structure } from '../readers/structure.js';

/** A ligand pose: atoms, positions and bonds (an SD record is one). */
export interface LigandAtoms {
  readonly z: Int32Array;
  readonly pos: Float32Array;
  /** Bonded pairs `[a0, b0, …]`, 0-based. */
  readonly bonds?: Int32Array;
}

const distance2 = (a: Float32Array, i: number, b: Float32Array, j: number): number =>
  (a[3 * i]! - b[3 * j]!) ** 2 + (a[3 * i + 1]! - b[3 * j + 1]!) ** 2 + (a[3 * i + 2]! - b[3 * j + 2]!) ** 2;

/**
 * The residues with any heavy atom within `cutoff` of any heavy atom of any of the ligand poses
 * (whole residues, as mtenn and the benchmark's pockets are cut).
 *
 * @param protein - the protein or pocket
 * @param ligands - every pose of one compound
 * @param cutoff - in Å
 * @returns residue indices to keep
 * @example
 * ```ts
 * const kept = pocketResidues(protein, poses, 8);
 * ```
 */
export function pocketResidues(protein: Structure, ligands: readonly LigandAtoms[], cutoff: number): Set<number> {
  const cutoff2 = cutoff * cutoff;
  const kept = new Set<number>();
  for (let a = 0; a < protein.z.length; a++) {
    if (protein.z[a] === 1 || kept.has(protein.residue[a]!)) continue;
    const near = ligands.some((ligand) => ligand.z.some((z, l) => z !== 1 && distance2(protein.pos, a, ligand.pos, l) < cutoff2));
    if (near) kept.add(protein.residue[a]!);
  }
  return kept;
}

/**
 * One pose: the protein atoms (of the kept residues, when given) first, then the ligand atoms,
 * as mtenn orders them; hydrogens dropped unless `keepHydrogens`; the ligand's bonds kept
 * (renumbered) for 2D-graph models.
 *
 * @param protein - the protein or pocket
 * @param ligand - one ligand pose
 * @param options - kept residues (pocket crop) and hydrogen handling
 * @returns the pose
 * @example
 * ```ts
 * const pose = assemblePose(pocket, record, { residues: pocketResidues(pocket, records, 8) });
 * ```
 */
export function assemblePose(protein: Structure, ligand: LigandAtoms, options: { residues?: Set<number>; keepHydrogens?: boolean } = {}): Pose {
  const keepH = options.keepHydrogens === true;
  const proteinAtoms: number[] = [];
  for (let a = 0; a < protein.z.length; a++) {
    if ((keepH || protein.z[a] !== 1) && (options.residues === undefined || options.residues.has(protein.residue[a]!))) proteinAtoms.push(a);
  }
  const ligandAtoms: number[] = [];
  const ligandIndex = new Int32Array(ligand.z.length).fill(-1);
  for (let l = 0; l < ligand.z.length; l++) {
    if (!keepH && ligand.z[l] === 1) continue;
    ligandIndex[l] = proteinAtoms.length + ligandAtoms.length;
    ligandAtoms.push(l);
  }
  const n = proteinAtoms.length + ligandAtoms.length;
  const pos = new Float32Array(3 * n);
  proteinAtoms.forEach((a, k) => pos.set(protein.pos.subarray(3 * a, 3 * a + 3), 3 * k));
  ligandAtoms.forEach((l, k) => pos.set(ligand.pos.subarray(3 * l, 3 * l + 3), 3 * (proteinAtoms.length + k)));
  const bonds: number[] = [];
  const source = ligand.bonds ?? new Int32Array(0);
  for (let b = 0; b < source.length; b += 2) {
    const [i, j] = [ligandIndex[source[b]!]!, ligandIndex[source[b + 1]!]!];
    if (i >= 0 && j >= 0) bonds.push(i, j);
  }
  return {
    z: Int32Array.from([...proteinAtoms.map((a) => protein.z[a]!), ...ligandAtoms.map((l) => ligand.z[l]!)]),
    pos,
    ligandMask: Uint8Array.from({ length: n }, (_, k) => (k >= proteinAtoms.length ? 1 : 0)),
    bonds: Int32Array.from(bonds),
  };
}
