import { describe, expect, it } from 'vitest';

import { CANONICAL_ATOM_FEATURES, ligandGraph, smilesPose } from './atom-features.js';

/** Decodes a 74-vector into its named parts (DGL-LifeSci's CanonicalAtomFeaturizer layout). */
function decode(features: Float32Array, atom: number): Record<string, unknown> {
  const row = Array.from(features.slice(atom * 74, atom * 74 + 74));
  const hot = (start: number, length: number): number => row.slice(start, start + length).indexOf(1);
  return {
    type: hot(0, 43),
    degree: hot(43, 11),
    implicitValence: hot(54, 7),
    charge: row[61],
    radicals: row[62],
    hybridization: ['SP', 'SP2', 'SP3', 'SP3D', 'SP3D2'][hot(63, 5)] ?? 'other',
    aromatic: row[68],
    hydrogens: hot(69, 5),
  };
}

describe('canonical atom features', () => {
  it('describes acetamide atom by atom (closed form)', async () => {
    const graph = await ligandGraph({ smiles: 'CC(=O)N' });
    expect(graph.features).toHaveLength(4 * CANONICAL_ATOM_FEATURES);
    expect(Array.from(graph.bonds)).toEqual([0, 1, 1, 2, 1, 3]);
    expect([0, 1, 2, 3].map((a) => decode(graph.features, a))).toEqual([
      { type: 0, degree: 1, implicitValence: 3, charge: 0, radicals: 0, hybridization: 'SP3', aromatic: 0, hydrogens: 3 },
      { type: 0, degree: 3, implicitValence: 0, charge: 0, radicals: 0, hybridization: 'SP2', aromatic: 0, hydrogens: 0 },
      { type: 2, degree: 1, implicitValence: 0, charge: 0, radicals: 0, hybridization: 'SP2', aromatic: 0, hydrogens: 0 },
      { type: 1, degree: 1, implicitValence: 2, charge: 0, radicals: 0, hybridization: 'SP2', aromatic: 0, hydrogens: 2 },
    ]);
  });

  it('marks aromatic atoms, charges, triple bonds and halogens', async () => {
    const graph = await ligandGraph({ smiles: 'c1ccccc1C#N.[NH4+].Cl' });
    expect(decode(graph.features, 0)).toMatchObject({ aromatic: 1, hybridization: 'SP2', hydrogens: 1, degree: 2 });
    expect(decode(graph.features, 7)).toMatchObject({ type: 1, hybridization: 'SP', degree: 1 });
    // RDKit's total H count (DGL would give implicit valence 0 for the bracket atom [NH4+]; see ligandGraph).
    expect(decode(graph.features, 8)).toMatchObject({ type: 1, charge: 1, hydrogens: 4 });
    expect(decode(graph.features, 9)).toMatchObject({ type: 7, hydrogens: 1 });
  });

  it('reads molblocks with explicit hydrogens, keeping the heavy atoms in order', async () => {
    const molblock = `x\n  t\n\n  4  3  0  0  0  0  0  0  0  0999 V2000\n    0.0000    0.0000    0.0000 C   0  0\n    1.5000    0.0000    0.0000 N   0  0\n    2.0000    1.0000    0.0000 H   0  0\n    2.0000   -1.0000    0.0000 H   0  0\n  1  2  1  0\n  2  3  1  0\n  2  4  1  0\nM  END\n`;
    const graph = await ligandGraph({ molblock });
    expect(Array.from(graph.z)).toEqual([6, 7]);
    expect(decode(graph.features, 1)).toMatchObject({ type: 1, hydrogens: 2, degree: 1 });
  });

  it('builds ligand-only poses from SMILES and rejects what RDKit cannot sanitize', async () => {
    const pose = await smilesPose('c1ccccc1O');
    expect([pose.z.length, pose.featureSize, pose.bonds!.length]).toEqual([7, 74, 14]);
    await expect(ligandGraph({ smiles: 'C(C)(C)(C)(C)C' }, { file: 'ligands.csv', line: 4 })).rejects.toThrow("ligands.csv:4: RDKit cannot read or sanitize the molecule 'C(C)(C)(C)(C)C'");
  });
});
