import { atomicNumber } from '../elements.js';
import { InputError } from '../errors.js';
import { assertTextFile, lines } from './lines.js';

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
  /** One label per residue: `chain:name number insertion`, e.g. `A:LEU 903`. */
  readonly residueLabels: readonly string[];
}

/** Options of {@link readPdb}. */
export interface PdbOptions {
  /** Keep water molecules (HOH, WAT, DOD). @defaultValue false */
  keepWater?: boolean;
}

const WATER = new Set(['HOH', 'WAT', 'DOD', 'H2O']);

/** The element of a PDB atom: columns 77–78, else inferred from the atom name (columns 13–16). */
function pdbElement(line: string, where: { file: string; line: number }): number {
  const element = line.slice(76, 78).trim();
  if (element !== '') return atomicNumber(element.replace(/[^A-Za-z]/g, ''), where);
  const name = line.slice(12, 16);
  // Old files: a digit first (1HB) or a blank first column (" CA ") means a one-letter element.
  const letters = name.replace(/[^A-Za-z]/g, '');
  if (/^[0-9 ]/.test(name) || letters.length < 2) return atomicNumber(letters.slice(0, 1), where);
  return atomicNumber(letters.slice(0, 2), where);
}

function coordinate(line: string, start: number, axis: string, where: { file: string; line: number }): number {
  const text = line.slice(start, start + 8);
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) {
    throw new InputError(where, `${axis} coordinate '${text.trim()}' (columns ${start + 1}–${start + 8}) is not a number`, 'PDB coordinates are fixed-width columns 31–54.');
  }
  return value;
}

/**
 * Reads the atoms of a PDB file (ATOM and HETATM records of the first model; the first
 * alternate location of each atom; waters dropped unless asked for), streamed line by line.
 * Hand-written because PDB is fixed-column text that needs no chemistry, and the maintained
 * JavaScript readers (Mol*) come with a whole viewer.
 *
 * @param file - the path
 * @param options - water handling
 * @returns the atoms as columns
 * @throws InputError naming the file and line (bad coordinates, unknown elements, no atoms, binary or empty files)
 * @example
 * ```ts
 * const pocket = await readPdb('tyk2/pocket.pdb');
 * pocket.z.length; // 592
 * ```
 */
export async function readPdb(file: string, options: PdbOptions = {}): Promise<Structure> {
  await assertTextFile(file, 'PDB');
  const z: number[] = [];
  const pos: number[] = [];
  const residue: number[] = [];
  const residueLabels: string[] = [];
  const residueIndex = new Map<string, number>();
  const seenAtoms = new Set<string>();
  let models = 0;
  for await (const [line, number] of lines(file)) {
    const record = line.slice(0, 6);
    if (record === 'MODEL ') {
      if (++models > 1) break; // first model only
      continue;
    }
    if (record === 'ENDMDL') break;
    if (record !== 'ATOM  ' && record !== 'HETATM') continue;
    const where = { file, line: number };
    if (line.length < 54) throw new InputError(where, `${record.trim()} record is ${line.length} characters long; coordinates need columns 31–54`, 'The line is truncated.');
    const residueName = line.slice(17, 20).trim();
    if (!options.keepWater && WATER.has(residueName)) continue;
    const key = `${line[21] ?? ' '}:${residueName} ${line.slice(22, 26).trim()}${line[26]?.trim() ?? ''}`;
    // Alternate locations: keep the first one seen for each atom.
    const atomKey = `${key}/${line.slice(12, 16)}`;
    if (line[16] !== ' ' && line[16] !== undefined && seenAtoms.has(atomKey)) continue;
    seenAtoms.add(atomKey);
    z.push(pdbElement(line, where));
    pos.push(coordinate(line, 30, 'x', where), coordinate(line, 38, 'y', where), coordinate(line, 46, 'z', where));
    let index = residueIndex.get(key);
    if (index === undefined) {
      residueIndex.set(key, (index = residueLabels.length));
      residueLabels.push(key);
    }
    residue.push(index);
  }
  if (z.length === 0) throw new InputError({ file }, 'no ATOM or HETATM records', 'Is this a PDB file?');
  return { file, z: Int32Array.from(z), pos: Float32Array.from(pos), residue: Int32Array.from(residue), residueLabels };
}
