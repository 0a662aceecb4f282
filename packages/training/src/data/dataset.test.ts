import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { resolveRunConfig } from '../config/load.js';
import { loadDataset } from './dataset.js';

const TYK2 = new URL('../../../../examples/data/tyk2', import.meta.url).pathname;
const receptorAtoms = (entries: Awaited<ReturnType<typeof loadDataset>>['entries']): number => entries[0]!.compound.poses[0]!.ligandMask.filter((m) => m === 0).length;

describe('loadDataset', () => {
  it('reads the protein file the run config names: protein.pdb beside a pocket.pdb, whole with pocketCutoff null', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'posepool-protein-'));
    await cp(TYK2, dir, { recursive: true });
    const lines = (await readFile(join(dir, 'pocket.pdb'), 'utf8')).split('\n');
    const atoms = lines.filter((l) => /^(ATOM {2}|HETATM)/.test(l));
    // protein.pdb: the bundled pocket; pocket.pdb: its first half, ending at a residue boundary.
    await writeFile(join(dir, 'protein.pdb'), lines.join('\n'));
    const residue = (l: string): string => l.slice(17, 27);
    let cut = Math.floor(atoms.length / 2);
    while (residue(atoms[cut]!) === residue(atoms[cut - 1]!)) cut++;
    await writeFile(join(dir, 'pocket.pdb'), `${atoms.slice(0, cut).join('\n')}\nEND\n`);
    const data = (options: object) => resolveRunConfig({ data: { pocketCutoff: null, ...options } }).data;
    const pocket = (await loadDataset([dir], data({}))).entries;
    const whole = (await loadDataset([dir], data({ protein: 'protein.pdb' }))).entries;
    expect(receptorAtoms(pocket)).toBe(cut);
    expect(receptorAtoms(whole)).toBe(atoms.length);
  });
});
