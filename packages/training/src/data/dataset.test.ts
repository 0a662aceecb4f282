import { cp, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { resolveRunConfig } from '../config/load.js';
import { loadDataset, withPoseLabels, type DatasetEntry } from './dataset.js';

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

describe('loadDataset with data.errorColumn', () => {
  it('gives each compound its error as targetError (none for an empty cell), and caches per errorColumn', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'posepool-error-'));
    await cp(TYK2, join(dir, 'tyk2'), { recursive: true });
    const csv = (await readFile(join(dir, 'tyk2', 'affinities.csv'), 'utf8')).trim().split(/\r?\n/);
    // pK_error: 0.1 × (row number) for every row but the second
    await writeFile(join(dir, 'tyk2', 'affinities.csv'), csv.map((line, i) => `${line},${i === 0 ? 'pK_error' : i === 2 ? '' : (0.1 * i).toFixed(1)}`).join('\n') + '\n');
    const cacheDir = join(dir, 'cache');
    const load = (errorColumn?: string) => loadDataset([join(dir, 'tyk2')], resolveRunConfig({ data: { cacheDir, ...(errorColumn && { errorColumn }) } }).data);
    const expected = csv.slice(1).map((_, k) => (k === 1 ? undefined : Number((0.1 * (k + 1)).toFixed(1))));
    // Featurized, then from the cache; without the column (another cache key), no errors.
    for (let round = 0; round < 2; round++) {
      const { entries } = await load('pK_error');
      expect(entries.map((e) => e.compound.targetError)).toEqual(expected);
      expect((await readdir(cacheDir)).length).toBe(1);
    }
    expect((await load()).entries.every((e) => e.compound.targetError === undefined)).toBe(true);
    expect((await readdir(cacheDir)).length).toBe(2);
  });
});

describe('withPoseLabels', () => {
  const entry = (tags: Array<Record<string, string>>, poseLabels?: Record<string, Float32Array>): DatasetEntry => ({
    compound: { id: 'c', poses: tags.map(() => ({ z: Int32Array.of(6), pos: new Float32Array(3), ligandMask: Uint8Array.of(1) })), ...(poseLabels && { poseLabels }) },
    folder: 'f',
    key: 'f/c',
    tags,
    molblock: '',
    affinities: '',
  });

  it('adds a label from the SD tags where every pose has it as a number, and keeps what is there', () => {
    const [all, some, text, kept] = withPoseLabels(
      [entry([{ rmsd: '1.5' }, { rmsd: '3' }]), entry([{ rmsd: '1.5' }, {}]), entry([{ rmsd: 'n/a' }, { rmsd: '1' }]), entry([{ rmsd: '9' }, { rmsd: '9' }], { rmsd: Float32Array.of(1, 2) })],
      ['rmsd'],
    );
    expect(all!.compound.poseLabels).toEqual({ rmsd: Float32Array.of(1.5, 3) });
    expect(some!.compound.poseLabels).toBeUndefined();
    expect(text!.compound.poseLabels).toBeUndefined();
    expect(kept!.compound.poseLabels).toEqual({ rmsd: Float32Array.of(1, 2) });
    const unchanged = entry([{}]);
    expect(withPoseLabels([unchanged], ['rmsd'])[0]).toBe(unchanged);
  });
});
