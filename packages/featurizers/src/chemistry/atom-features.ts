import type { Pose } from '@posepool/core';
import type { MainModule, Mol } from '@rdkit/rdkit';

import { InputError, type InputLocation } from '../errors.js';
import { withRDKit } from './rdkit.js';

export { loadRDKit } from './rdkit.js';

/**
 * The longest SMILES accepted (characters), and the largest molblock (bytes): far above any
 * drug-like ligand, and small enough that RDKit's WebAssembly memory and stack are safe.
 *
 * @example
 * ```ts
 * CHEMISTRY_LIMITS.smiles; // 4096
 * ```
 */
export const CHEMISTRY_LIMITS = { smiles: 4096, molblock: 1024 * 1024 } as const;

/**
 * Features per atom of DGL-LifeSci's `CanonicalAtomFeaturizer`.
 *
 * @example
 * ```ts
 * new GAT({ inFeats: CANONICAL_ATOM_FEATURES });
 * ```
 */
export const CANONICAL_ATOM_FEATURES = 74;

// DGL-LifeSci's order; atoms of other elements get an all-zero type one-hot (encode_unknown=False).
const ATOM_TYPES = ['C', 'N', 'O', 'S', 'F', 'Si', 'P', 'Cl', 'Br', 'Mg', 'Na', 'Ca', 'Fe', 'As', 'Al', 'I', 'B', 'V', 'K', 'Tl', 'Yb', 'Sb', 'Sn', 'Ag', 'Pd', 'Co', 'Se', 'Ti', 'Zn', 'H', 'Li', 'Ge', 'Cu', 'Au', 'Ni', 'Cd', 'In', 'Mn', 'Zr', 'Cr', 'Pt', 'Hg', 'Pb'];
const SYMBOL_OF_Z: Record<number, string> = { 1: 'H', 3: 'Li', 5: 'B', 6: 'C', 7: 'N', 8: 'O', 9: 'F', 11: 'Na', 12: 'Mg', 13: 'Al', 14: 'Si', 15: 'P', 16: 'S', 17: 'Cl', 19: 'K', 20: 'Ca', 22: 'Ti', 23: 'V', 24: 'Cr', 25: 'Mn', 26: 'Fe', 27: 'Co', 28: 'Ni', 29: 'Cu', 30: 'Zn', 32: 'Ge', 33: 'As', 34: 'Se', 35: 'Br', 40: 'Zr', 46: 'Pd', 47: 'Ag', 48: 'Cd', 49: 'In', 50: 'Sn', 51: 'Sb', 53: 'I', 70: 'Yb', 78: 'Pt', 79: 'Au', 80: 'Hg', 81: 'Tl', 82: 'Pb' };
// RDKit SMARTS hybridization primitives, in DGL-LifeSci's order: SP, SP2, SP3, SP3D, SP3D2.
const HYBRIDIZATIONS = ['[^1]', '[^2]', '[^3]', '[^4]', '[^5]'];
// Offsets of each block in the 74-vector.
const TYPE = 0;
const DEGREE = 43; // 0…10
const IMPLICIT_VALENCE = 54; // 0…6
const CHARGE = 61;
const RADICALS = 62;
const HYBRIDIZATION = 63;
const AROMATIC = 68;
const TOTAL_H = 69; // 0…4

/** A ligand's 2D graph: heavy atoms in input order, their features, and bonds. */
export interface LigandGraph {
  readonly z: Int32Array;
  /** atoms × {@link CANONICAL_ATOM_FEATURES}, row-major. */
  readonly features: Float32Array;
  /** Bonded pairs `[a0, b0, …]`. */
  readonly bonds: Int32Array;
}

interface RDKitJson {
  defaults: { atom: { z: number; impHs: number; chg: number; nRad: number } };
  molecules: Array<{
    atoms: Array<{ z?: number; impHs?: number; chg?: number; nRad?: number }>;
    bonds: Array<{ atoms: [number, number] }>;
    extensions?: Array<{ name: string; aromaticAtoms?: number[] }>;
  }>;
}

function matchedAtoms(RDKit: MainModule, mol: Mol, smarts: string): Set<number> {
  const query = RDKit.get_qmol(smarts)!;
  try {
    const found = JSON.parse(mol.get_substruct_matches(query)) as Array<{ atoms: number[] }> | Record<string, never>;
    return new Set(Array.isArray(found) ? found.flatMap((m) => m.atoms) : []);
  } finally {
    query.delete();
  }
}

/**
 * The ligand graph of a molecule with DGL-LifeSci's canonical atom features (the 74 that mtenn's
 * GAT reads): element one-hot (43 types), degree (0–10), implicit valence (0–6), formal charge,
 * radical electrons, hybridization (SP…SP3D2), aromaticity, total hydrogens (0–4). Hydrogens
 * are removed first, so atoms are the heavy atoms in input order (the order PosePool poses use).
 * RDKit (WebAssembly) perceives the chemistry.
 *
 * One known difference: RDKit's MinimalLib reports only an atom's total hydrogen count, so the
 * implicit-valence block holds that count. DGL-LifeSci's `GetImplicitValence()` is 0 where the
 * hydrogens are explicit in brackets (`[nH]`, `[C@H]`, `[NH4+]`); elsewhere the two agree.
 *
 * @param input - a molblock (e.g. an SD record's) or a SMILES string
 * @param where - names the input in errors
 * @returns atoms, features and bonds
 * @throws InputError when RDKit cannot read or sanitize the molecule
 * @example
 * ```ts
 * const graph = await ligandGraph({ smiles: 'CC(=O)N' });
 * graph.features.length; // 4 × 74
 * ```
 */
export async function ligandGraph(input: { molblock: string } | { smiles: string }, where: InputLocation = { file: '(input)' }): Promise<LigandGraph> {
  const smiles = 'smiles' in input;
  const text = smiles ? input.smiles : input.molblock;
  if (typeof text !== 'string' || text.trim() === '') throw new InputError(where, smiles ? 'the SMILES is empty' : 'the molblock is empty', 'Pass a molecule.');
  const limit = smiles ? CHEMISTRY_LIMITS.smiles : CHEMISTRY_LIMITS.molblock;
  if (text.length > limit) throw new InputError(where, `the ${smiles ? 'SMILES' : 'molblock'} has ${text.length} characters, more than the ${limit} accepted`, 'PosePool featurizes ligands, not polymers.');
  return withRDKit(where, text, (RDKit) => graphOf(RDKit, input, where));
}

function graphOf(RDKit: MainModule, input: { molblock: string } | { smiles: string }, where: InputLocation): LigandGraph {
  const text = 'molblock' in input ? input.molblock : input.smiles;
  const mol = RDKit.get_mol(text, JSON.stringify({ removeHs: true }));
  if (mol === null || !mol.is_valid()) {
    mol?.delete();
    throw new InputError(where, `RDKit cannot read or sanitize the molecule${'smiles' in input ? ` '${input.smiles}'` : ''}`, 'Check valences, charges and aromaticity.');
  }
  try {
    const json = JSON.parse(mol.get_json()) as RDKitJson;
    const molecule = json.molecules[0];
    if (molecule === undefined || molecule.atoms.length === 0) throw new InputError(where, `the molecule${'smiles' in input ? ` '${input.smiles}'` : ''} has no heavy atoms`, 'Pass a molecule with at least one heavy atom.');
    const defaults = json.defaults.atom;
    const aromatic = new Set(molecule.extensions?.find((e) => e.name === 'rdkitRepresentation')?.aromaticAtoms ?? []);
    const hybridization = HYBRIDIZATIONS.map((smarts) => matchedAtoms(RDKit, mol, smarts));
    const n = molecule.atoms.length;
    const degree = new Int32Array(n);
    const bonds: number[] = [];
    for (const bond of molecule.bonds) {
      degree[bond.atoms[0]]!++;
      degree[bond.atoms[1]]!++;
      bonds.push(bond.atoms[0], bond.atoms[1]);
    }
    const features = new Float32Array(n * CANONICAL_ATOM_FEATURES);
    const z = new Int32Array(n);
    molecule.atoms.forEach((atom, i) => {
      const row = i * CANONICAL_ATOM_FEATURES;
      const element = atom.z ?? defaults.z;
      if (element < 1) throw new InputError(where, `atom ${i + 1} of the molecule${'smiles' in input ? ` '${input.smiles}'` : ''} is a dummy atom ('*', atomic number 0)`, 'Replace it with a real element (e.g. a hydrogen or a methyl).');
      const hydrogens = atom.impHs ?? defaults.impHs;
      z[i] = element;
      const type = ATOM_TYPES.indexOf(SYMBOL_OF_Z[element] ?? '');
      if (type >= 0) features[row + TYPE + type] = 1;
      if (degree[i]! <= 10) features[row + DEGREE + degree[i]!] = 1;
      if (hydrogens <= 6) features[row + IMPLICIT_VALENCE + hydrogens] = 1;
      features[row + CHARGE] = atom.chg ?? defaults.chg;
      features[row + RADICALS] = atom.nRad ?? defaults.nRad;
      hybridization.forEach((atoms, k) => {
        if (atoms.has(i)) features[row + HYBRIDIZATION + k] = 1;
      });
      if (aromatic.has(i)) features[row + AROMATIC] = 1;
      if (hydrogens <= 4) features[row + TOTAL_H + hydrogens] = 1;
    });
    return { z, features, bonds: Int32Array.from(bonds) };
  } finally {
    mol.delete();
  }
}

/**
 * A ligand-only pose from SMILES: the heavy atoms with canonical features and bonds, no
 * coordinates (zeros), for 2D models (`createLigandOnlyModel`).
 *
 * @param smiles - the SMILES
 * @returns the pose (all atoms are ligand atoms)
 * @throws InputError naming the SMILES: empty, too long, unreadable, a dummy atom `*`, or a failure inside RDKit
 * @example
 * ```ts
 * const pose = await smilesPose('c1ccccc1O');
 * ```
 */
export async function smilesPose(smiles: string): Promise<Pose> {
  const graph = await ligandGraph({ smiles }, { file: '(SMILES)', record: smiles.length > 60 ? `${smiles.slice(0, 60)}…` : smiles });
  return {
    z: graph.z,
    pos: new Float32Array(3 * graph.z.length),
    ligandMask: new Uint8Array(graph.z.length).fill(1),
    features: graph.features,
    featureSize: CANONICAL_ATOM_FEATURES,
    bonds: graph.bonds,
  };
}
