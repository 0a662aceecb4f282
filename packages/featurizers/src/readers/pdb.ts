import { atomicNumber } from '../elements.js';
import { InputError } from '../errors.js';
import { assertTextFile, lines } from './lines.js';
import { decimal, LIMITS } from './numbers.js';
import { isWater, StructureBuilder, type Structure, type StructureOptions } from './structure.js';

/** The element of a PDB atom: columns 77–78, else inferred from the atom name (columns 13–16). */
function pdbElement(line: string, where: { file: string; line: number }): number {
  const element = line.slice(76, 78).trim();
  if (element !== '') return atomicNumber(element.replace(/[^A-Za-z]/g, ''), where);
  const name = line.slice(12, 16);
  // A digit first (1HB) or a blank first column (" CA ") means a one-letter element; a
  // four-character name starting with H or D (HG21, HD11) is a hydrogen, not Hg or He.
  const letters = name.replace(/[^A-Za-z]/g, '');
  if (/^[0-9 ]/.test(name) || letters.length < 2) return atomicNumber(letters.slice(0, 1), where);
  if (/^[HD]/.test(name) && name[3] !== ' ' && name[3] !== undefined) return 1;
  return atomicNumber(letters.slice(0, 2), where);
}

function coordinate(line: string, start: number, axis: string, where: { file: string; line: number }): number {
  return decimal(line.slice(start, start + 8), where, `${axis} coordinate`, LIMITS.coordinate, `columns ${start + 1}–${start + 8}`);
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
export async function readPdb(file: string, options: StructureOptions = {}): Promise<Structure> {
  await assertTextFile(file, 'PDB');
  const structure = new StructureBuilder();
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
    if (!options.keepWater && isWater(residueName)) continue;
    const residue = `${line[21] ?? ' '}:${residueName} ${line.slice(22, 26).trim()}${line[26]?.trim() ?? ''}`;
    structure.add(residue, (line[16] ?? ' ').trim(), pdbElement(line, where), [coordinate(line, 30, 'x', where), coordinate(line, 38, 'y', where), coordinate(line, 46, 'z', where)], record === 'HETATM', where);
  }
  return structure.build(file, 'ATOM or HETATM');
}
