import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { readPdb } from './pdb.js';
import { readSdf, type SdfRecord } from './sdf.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));

async function records(file: string): Promise<SdfRecord[]> {
  const out: SdfRecord[] = [];
  for await (const record of readSdf(file)) out.push(record);
  return out;
}

describe('readSdf', () => {
  it('reads V2000 records with their tags, bonds and line numbers', async () => {
    const all = await records(fixture('valid/poses.sdf'));
    expect(all.map((r) => [r.title, r.tags.ligand_id, r.tags.pose_index, r.line])).toEqual([
      ['lig_a', 'lig_a', '0', 1],
      ['lig_a', 'lig_a', '1', 18],
      ['lig_b', 'lig_b', '0', 38],
    ]);
    expect(Array.from(all[0]!.z)).toEqual([6, 6, 8]);
    expect(Array.from(all[1]!.pos.slice(0, 3))).toEqual([0.2, 0.1, 0].map(Math.fround));
    expect(Array.from(all[0]!.bonds)).toEqual([0, 1, 1, 2]);
    expect(all[1]!.tags.vina_score).toBe('-7.1');
    expect(all[0]!.molblock.endsWith('M  END\n')).toBe(true);
  });

  it('reads V3000 records, charges and multi-line data items', async () => {
    const [acetate] = await records(fixture('readers/v3000.sdf'));
    expect(Array.from(acetate!.z)).toEqual([6, 6, 8, 8]);
    expect(Array.from(acetate!.charges)).toEqual([0, 0, 0, -1]);
    expect(Array.from(acetate!.bondOrders)).toEqual([1, 2, 1]);
    expect(acetate!.tags.note).toBe('first line\nsecond line');
  });

  it('reads atom aliases and data items without a name (neither is a second molecule)', async () => {
    const [record] = await records(fixture('readers/alias-and-field-number.sdf'));
    expect(Array.from(record!.z)).toEqual([6, 6, 8]);
    expect(record!.tags).toEqual({ ligand_id: 'lig_a', pose_index: '0' });
  });
});

describe('readPdb', () => {
  it('keeps the first model and alternate location, infers missing elements, drops water', async () => {
    const pdb = await readPdb(fixture('readers/alternate.pdb'));
    expect(Array.from(pdb.z)).toEqual([7, 6, 1, 17]);
    expect(Array.from(pdb.pos.slice(3, 6))).toEqual([1, 3.5, 0]);
    expect(pdb.residueLabels).toEqual(['A:ALA 900', 'A:CL 901']);
    expect(Array.from(pdb.residue)).toEqual([0, 0, 0, 1]);
    expect((await readPdb(fixture('readers/alternate.pdb'), { keepWater: true })).z).toHaveLength(5);
  });
});

describe('reader edge cases', () => {
  it('PDB: four-character hydrogen names are hydrogens; one alternate location per residue site', async () => {
    const pdb = await readPdb(fixture('readers/hydrogen-and-alternates.pdb'));
    expect(Array.from(pdb.z)).toEqual([7, 1, 6, 8]);
    expect(pdb.residueLabels).toEqual(['A:SER 900', 'A:THR 901', 'A:SER 902']);
  });

  it('MOL2: a blank molecule name; mmCIF: a row wrapped over two lines', async () => {
    const { readMol2 } = await import('./mol2.js');
    const { readMmcif } = await import('./mmcif.js');
    const { elementSymbol } = await import('../elements.js');
    const molecules = [];
    for await (const m of readMol2(fixture('readers/blank-title.mol2'), elementSymbol)) molecules.push(m);
    expect(molecules.map((m) => [m.title, m.z.length])).toEqual([['', 3]]);
    const [wrapped, plain] = await Promise.all([readMmcif(fixture('readers/wrapped-row.cif')), readMmcif(fixture('per-compound/protein.cif'))]);
    expect(wrapped.pos).toEqual(plain.pos);
  });
});
