import { InputError, type InputLocation } from '../errors.js';

/**
 * A macromolecular structure as columns: one entry per atom, in file order.
 */
export interface Structure {
  /** Where it was read from. */
  readonly file: string;
  /** Atomic numbers. */
  readonly z: Int32Array;
  /** Positions in Å, n × 3. */
  readonly pos: Float32Array;
  /** Residue index of each atom (0, 1, … in order of first appearance). */
  readonly residue: Int32Array;
  /**
   * One label per residue: `chain:name number insertion`, e.g. `A:LEU 903`. A label met again
   * after other residues (numbers that wrap past 9999 in large PDB files) is a new residue,
   * labelled with its occurrence: `A:LEU 903 #2`.
   */
  readonly residueLabels: readonly string[];
  /** 1 for residues read from HETATM records (ligands, ions, cofactors), per residue. */
  readonly residueHetero?: Uint8Array;
}

/** Options of the structure readers. */
export interface StructureOptions {
  /** Keep water molecules (HOH, WAT, DOD). @defaultValue false */
  keepWater?: boolean;
}

const WATER = new Set(['HOH', 'WAT', 'DOD', 'H2O']);

/**
 * The most atoms a protein file may give: above the largest entries of the PDB (a few million
 * atoms are split over several files), and a bound on memory whatever the file.
 *
 * @example
 * ```ts
 * MAX_STRUCTURE_ATOMS; // 5000000
 * ```
 */
export const MAX_STRUCTURE_ATOMS = 5_000_000;

/**
 * @returns whether a residue name is water
 *
 * @example
 * ```ts
 * isWater('HOH'); // true
 * ```
 */
export function isWater(residueName: string): boolean {
  return WATER.has(residueName);
}

/**
 * Collects atoms for the PDB and mmCIF readers: residue numbering and alternate locations. A
 * residue is a run of consecutive atoms with the same label, so residue numbers that wrap (past
 * 9999 in PDB) or repeat never merge distinct residues.
 *
 * @example
 * ```ts
 * const builder = new StructureBuilder();
 * builder.add('A:ALA 900', '', 6, [0, 0, 0]);
 * builder.build('pocket.pdb', 'ATOM');
 * ```
 */
export class StructureBuilder {
  readonly #z: number[] = [];
  readonly #pos: number[] = [];
  readonly #residue: number[] = [];
  readonly #residueLabels: string[] = [];
  readonly #hetero: number[] = [];
  /** How many residues have had each label. */
  readonly #occurrences = new Map<string, number>();
  #last: string | undefined;
  /** The residue site (chain and number) of the last atom, and the alternate location kept there: the first one it shows. */
  #site: { site: string; altLoc: string | undefined } | undefined;

  /**
   * Adds an atom unless it belongs to an alternate location other than the first one its
   * residue shows (so alternate conformers, even of different residue types, never overlap).
   *
   * @param residue - `chain:name number insertion`
   * @param altLoc - the alternate location id, `''` for none
   * @param z - atomic number
   * @param position - x, y, z in Å
   * @param hetero - read from a HETATM record
   * @param where - the atom's file and line, for errors
   * @throws InputError past {@link MAX_STRUCTURE_ATOMS} atoms
   */
  add(residue: string, altLoc: string, z: number, position: readonly number[], hetero = false, where: InputLocation = { file: '(structure)' }): void {
    if (this.#z.length >= MAX_STRUCTURE_ATOMS) throw new InputError(where, `the structure has more than ${MAX_STRUCTURE_ATOMS} atoms`, 'Split it, or crop it to the binding site.');
    // Chain and number: alternate residue types share a site. Sites are runs of consecutive
    // atoms, like residues, so wrapped residue numbers never share one.
    const site = `${residue.slice(0, residue.indexOf(':'))}:${residue.slice(residue.indexOf(' ') + 1)}`;
    if (this.#site?.site !== site) this.#site = { site, altLoc: undefined };
    if (altLoc !== '') {
      if (this.#site.altLoc === undefined) this.#site.altLoc = altLoc;
      else if (this.#site.altLoc !== altLoc) return;
    }
    this.#z.push(z);
    this.#pos.push(...position);
    if (residue !== this.#last) {
      const seen = (this.#occurrences.get(residue) ?? 0) + 1;
      this.#occurrences.set(residue, seen);
      this.#residueLabels.push(seen === 1 ? residue : `${residue} #${seen}`);
      this.#hetero.push(hetero ? 1 : 0);
      this.#last = residue;
    }
    this.#residue.push(this.#residueLabels.length - 1);
  }

  /**
   * @param file - the file read
   * @param what - the records looked for, for the error
   * @returns the structure
   * @throws InputError when no atom was added
   */
  build(file: string, what: string): Structure {
    if (this.#z.length === 0) throw new InputError({ file }, `no ${what} records`, 'Is this a coordinate file?');
    return { file, z: Int32Array.from(this.#z), pos: Float32Array.from(this.#pos), residue: Int32Array.from(this.#residue), residueLabels: this.#residueLabels, residueHetero: Uint8Array.from(this.#hetero) };
  }
}
