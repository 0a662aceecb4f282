import type { Structure } from '../readers/structure.js';
import type { LigandAtoms } from './assemble.js';

/**
 * Closer than this (Å) between heavy atoms, a HETATM group and a pose occupy the same space: no
 * non-bonded contact is that short, so the group is a ligand bound where the poses are.
 *
 * @example
 * ```ts
 * OVERLAP_DISTANCE; // 2
 * ```
 */
export const OVERLAP_DISTANCE = 2;

/**
 * Cofactors and prosthetic groups kept in the protein even when a pose comes close (by PDB
 * chemical component id); single-atom groups (metal and halide ions) are always kept.
 *
 * @example
 * ```ts
 * KEPT_COFACTORS.has('HEM'); // true
 * ```
 */
export const KEPT_COFACTORS: ReadonlySet<string> = new Set(
  'HEM HEC HEA HEB SRM FAD FMN NAD NAI NAP NDP ADP ATP ANP ACP AMP GDP GTP GNP GSP SAM SAH SFG COA ACO PLP PMP TPP TDP BTN MGD MTE FES SF4 F3S CLA BCL H4B UQ1 U10 PQQ TOP'.split(' '),
);

/**
 * The HETATM groups of a protein file that overlap a compound's poses: a co-crystallised ligand
 * left in the protein file would otherwise be added to every pose. A group is dropped when it
 * is not an ion (it has two or more heavy atoms), not a listed cofactor ({@link KEPT_COFACTORS}),
 * and one of its heavy atoms lies within {@link OVERLAP_DISTANCE} of a heavy atom of any pose.
 * Polymer residues (ATOM records) are never dropped.
 *
 * @param protein - the protein (from `readPdb` or `readMmcif`, which mark HETATM residues)
 * @param ligands - every pose of one compound
 * @returns residue indices to leave out
 * @example
 * ```ts
 * const dropped = overlappingHetGroups(protein, poses);
 * ```
 */
export function overlappingHetGroups(protein: Structure, ligands: readonly LigandAtoms[]): Set<number> {
  const hetero = protein.residueHetero;
  const dropped = new Set<number>();
  if (hetero === undefined || !hetero.includes(1)) return dropped;
  const heavy = new Map<number, number[]>();
  for (let a = 0; a < protein.z.length; a++) {
    const r = protein.residue[a]!;
    if (hetero[r] === 1 && protein.z[a] !== 1) heavy.set(r, [...(heavy.get(r) ?? []), a]);
  }
  const limit = OVERLAP_DISTANCE * OVERLAP_DISTANCE;
  for (const [r, atoms] of heavy) {
    const name = protein.residueLabels[r]!.split(':')[1]!.split(' ')[0]!;
    if (atoms.length < 2 || KEPT_COFACTORS.has(name)) continue;
    const overlaps = atoms.some((a) =>
      ligands.some((ligand) =>
        ligand.z.some((z, l) => z !== 1 && (protein.pos[3 * a]! - ligand.pos[3 * l]!) ** 2 + (protein.pos[3 * a + 1]! - ligand.pos[3 * l + 1]!) ** 2 + (protein.pos[3 * a + 2]! - ligand.pos[3 * l + 2]!) ** 2 < limit),
      ),
    );
    if (overlaps) dropped.add(r);
  }
  return dropped;
}
