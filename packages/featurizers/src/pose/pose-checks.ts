import { elementSymbol } from '../elements.js';
import { InputError } from '../errors.js';
import type { SdfRecord } from '../readers/sdf.js';

/**
 * Checks the poses of one compound before they are assembled, whatever the options: every pose
 * keeps at least one ligand atom (a heavy atom, unless hydrogens are kept), and every pose lists
 * the same atoms in the same element order as the first (poses of one compound are one
 * molecule). Errors point at the offending pose's own record and line.
 *
 * @param records - the compound's poses, in pose order
 * @param id - the compound id
 * @param keepHydrogens - whether hydrogens count as ligand atoms
 * @throws InputError naming the record's file, line and compound
 * @example
 * ```ts
 * checkCompoundPoses(records, 'lig_a', false);
 * ```
 */
export function checkCompoundPoses(records: readonly SdfRecord[], id: string, keepHydrogens: boolean): void {
  const kept = (record: SdfRecord): number[] => Array.from(record.z).filter((z) => keepHydrogens || z !== 1);
  const first = records[0];
  if (first === undefined) return;
  const reference = kept(first);
  for (const [k, record] of records.entries()) {
    const where = { file: record.file, line: record.line, record: id };
    const atoms = k === 0 ? reference : kept(record);
    if (atoms.length === 0) {
      throw new InputError(where, record.z.length === 0 ? 'the ligand has no atoms' : `the ligand has only hydrogen atoms (${record.z.length}), and hydrogens are dropped`, 'Check the record, or pass keepHydrogens: true.');
    }
    if (k === 0) continue;
    if (atoms.length !== reference.length) {
      throw new InputError(where, `this pose has ${atoms.length} ligand atoms, the compound's first pose (line ${first.line}) has ${reference.length}`, 'All poses of a compound must list the same atoms in the same order.');
    }
    const differs = atoms.findIndex((z, a) => z !== reference[a]);
    if (differs >= 0) {
      throw new InputError(where, `ligand atom ${differs + 1} is ${elementSymbol(atoms[differs]!)} here but ${elementSymbol(reference[differs]!)} in the compound's first pose (line ${first.line})`, 'All poses of a compound must list the same atoms in the same order.');
    }
  }
}
