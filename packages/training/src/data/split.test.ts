import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { resolveRunConfig } from '../config/load.js';
import { loadDataset, type DatasetEntry } from './dataset.js';
import { murckoScaffold } from './scaffold.js';
import { splitDataset, type Split } from './split.js';

const TYK2 = new URL('../../../../examples/data/tyk2', import.meta.url).pathname;
const options = (split: object) => resolveRunConfig({ split }).split;
const all = (s: Split) => [...s.train, ...s.validation, ...s.test].sort();

describe('murckoScaffold', () => {
  it("matches RDKit's documented example and the decomposition rules", async () => {
    expect(await murckoScaffold('Cc1cc(Oc2nccc(CCC)c2)ccc1')).toBe('c1ccc(Oc2ccccn2)cc1'); // RDKit docs
    expect(await murckoScaffold('Cn1ccc(C(=O)O)c1')).toBe('c1cc[nH]c1'); // the cut N keeps its valence as NH
    expect(await murckoScaffold('CC1CCC(=O)CC1')).toBe('O=C1CCCCC1'); // exocyclic double bond kept
    expect(await murckoScaffold('CCCCO')).toBe('');
    expect(await murckoScaffold('not a molecule')).toBeUndefined();
  });
});

describe('splitDataset', () => {
  let entries: DatasetEntry[];
  beforeAll(async () => {
    entries = (await loadDataset([TYK2], resolveRunConfig({}).data)).entries;
  });

  it('random: seeded, disjoint, complete, sized by the fractions', async () => {
    const a = await splitDataset(entries, options({ validation: 0.25, test: 0.25 }), 1);
    expect(await splitDataset(entries, options({ validation: 0.25, test: 0.25 }), 1)).toEqual(a);
    expect(await splitDataset(entries, options({ validation: 0.25, test: 0.25 }), 2)).not.toEqual(a);
    expect(all(a)).toEqual(entries.map((e) => e.key).sort());
    expect([a.train.length, a.validation.length, a.test.length]).toEqual([6, 3, 4]);
  });

  it('scaffold: a scaffold group never straddles two subsets', async () => {
    const split = await splitDataset(entries, options({ kind: 'scaffold', validation: 0.2, test: 0.2 }), 1);
    expect(all(split)).toEqual(entries.map((e) => e.key).sort());
    const scaffoldOf = new Map(await Promise.all(entries.map(async (e) => [e.key, await murckoScaffold(e.molblock)] as const)));
    const subsetsOf = new Map<string, Set<string>>();
    for (const name of ['train', 'validation', 'test'] as const) for (const key of split[name]) subsetsOf.set(scaffoldOf.get(key)!, (subsetsOf.get(scaffoldOf.get(key)!) ?? new Set()).add(name));
    expect([...subsetsOf.values()].every((s) => s.size === 1)).toBe(true);
    expect(split.train.length).toBeGreaterThan(0);
  });

  it('file: reads id,split rows and names an unlisted compound', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'posepool-split-'));
    const [first, ...rest] = entries;
    const file = join(dir, 'split.csv');
    await writeFile(file, ['id,split', `${first!.compound.id},test`, ...rest.map((e) => `tyk2,${e.compound.id},train`)].join('\n'));
    const split = await splitDataset(entries, options({ kind: 'file', file }), 1);
    expect(split.test).toEqual([first!.key]);
    expect(split.train).toHaveLength(rest.length);
    await writeFile(file, `${first!.compound.id},train\n`);
    await expect(splitDataset(entries, options({ kind: 'file', file }), 1)).rejects.toThrow(/is not listed/);
    await writeFile(file, `${first!.compound.id},holdout\n`);
    await expect(splitDataset(entries, options({ kind: 'file', file }), 1)).rejects.toThrow(/split\.csv:1: 'lig_\w+,holdout' is not 'id,split'/);
  });

  it('temporal: oldest compounds train, newest test; the date column must exist', async () => {
    await expect(splitDataset(entries, options({ kind: 'temporal', dateColumn: 'assay_date' }), 1)).rejects.toThrow(/affinities\.csv:1: no date column 'assay_date'/);
    const dir = await mkdtemp(join(tmpdir(), 'posepool-temporal-'));
    await cp(TYK2, join(dir, 'tyk2'), { recursive: true });
    const csv = (await readFile(join(TYK2, 'affinities.csv'), 'utf8')).trim().split('\n');
    // Compound k was measured on day 13 − k: the last rows are the oldest.
    await writeFile(join(dir, 'tyk2', 'affinities.csv'), [`date,${csv[0]}`, ...csv.slice(1).map((row, k) => `2020-01-${String(13 - k).padStart(2, '0')},${row}`)].join('\n'));
    const dated = (await loadDataset([join(dir, 'tyk2')], resolveRunConfig({}).data)).entries;
    const split = await splitDataset(dated, options({ kind: 'temporal', validation: 0.2, test: 0.2 }), 1);
    const ids = csv.slice(1).map((row) => `tyk2/${row.split(',')[0]}`);
    expect(split.train).toEqual(ids.slice(-split.train.length).reverse());
    expect(split.test).toEqual(ids.slice(0, split.test.length).reverse());
  });

  it('several folders: each compound remembers its folder; same base names are told apart by path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'posepool-folders-'));
    await cp(TYK2, join(dir, 'a', 'tyk2'), { recursive: true });
    await cp(TYK2, join(dir, 'copy'), { recursive: true });
    const two = (await loadDataset([TYK2, join(dir, 'copy')], resolveRunConfig({}).data)).entries;
    expect(new Set(two.map((e) => e.folder))).toEqual(new Set(['tyk2', 'copy']));
    expect(new Set(two.map((e) => e.key)).size).toBe(26);
    const same = (await loadDataset([TYK2, join(dir, 'a', 'tyk2')], resolveRunConfig({}).data)).entries;
    expect(new Set(same.map((e) => e.folder))).toEqual(new Set([TYK2, join(dir, 'a', 'tyk2')]));
  });
});
