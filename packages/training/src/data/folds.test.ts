import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { resolveRunConfig } from '../config/load.js';
import { loadDataset, type DatasetEntry } from './dataset.js';
import { assignFolds } from './folds.js';
import { murckoScaffold } from './scaffold.js';

const TYK2 = new URL('../../../../examples/data/tyk2', import.meta.url).pathname;
const data = resolveRunConfig({}).data;

describe('assignFolds', () => {
  let entries: DatasetEntry[];
  beforeAll(async () => {
    entries = (await loadDataset([TYK2], data)).entries;
  });
  const keys = () => entries.map((e) => e.key).sort();

  it('random: every compound in exactly one fold, sizes within one, seeded', async () => {
    const folds = await assignFolds(entries, { folds: 5, kind: 'random', seed: 1 });
    expect(folds.flat().sort()).toEqual(keys());
    expect(folds.map((f) => f.length).sort()).toEqual([2, 2, 3, 3, 3]);
    expect(await assignFolds(entries, { folds: 5, kind: 'random', seed: 1 })).toEqual(folds);
    expect(await assignFolds(entries, { folds: 5, kind: 'random', seed: 2 })).not.toEqual(folds);
  });

  it('scaffold: a scaffold group never straddles two folds', async () => {
    const folds = await assignFolds(entries, { folds: 3, kind: 'scaffold', seed: 1 });
    expect(folds.flat().sort()).toEqual(keys());
    expect(folds.every((f) => f.length > 0)).toBe(true);
    const scaffoldOf = new Map(await Promise.all(entries.map(async (e) => [e.key, await murckoScaffold(e.molblock)] as const)));
    const foldsOf = new Map<string, Set<number>>();
    folds.forEach((fold, k) => fold.forEach((key) => foldsOf.set(scaffoldOf.get(key)!, (foldsOf.get(scaffoldOf.get(key)!) ?? new Set()).add(k))));
    expect([...foldsOf.values()].every((s) => s.size === 1)).toBe(true);
  });

  it('spreads every folder over the folds; group-by folder makes one fold per folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'posepool-folds-'));
    await cp(TYK2, join(dir, 'copy'), { recursive: true });
    const two = (await loadDataset([TYK2, join(dir, 'copy')], data)).entries;
    const folds = await assignFolds(two, { folds: 4, kind: 'random', seed: 3 });
    for (const fold of folds) expect(new Set(fold.map((key) => key.split('/')[0]))).toEqual(new Set(['tyk2', 'copy']));
    const byFolder = await assignFolds(two, { folds: 5, kind: 'scaffold', seed: 1, groupBy: 'folder' });
    expect(byFolder.map((f) => new Set(f.map((key) => key.split('/')[0])))).toEqual([new Set(['tyk2']), new Set(['copy'])]);
    await expect(assignFolds(entries, { folds: 5, kind: 'random', seed: 1, groupBy: 'folder' })).rejects.toThrow(/needs at least 2 folders, got 1/);
  });

  it('temporal: consecutive blocks by date, fold 1 oldest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'posepool-folds-temporal-'));
    await cp(TYK2, join(dir, 'tyk2'), { recursive: true });
    const csv = (await readFile(join(TYK2, 'affinities.csv'), 'utf8')).trim().split('\n');
    // Compound k was measured on day 13 − k: the last rows are the oldest.
    await writeFile(join(dir, 'tyk2', 'affinities.csv'), [`date,${csv[0]}`, ...csv.slice(1).map((row, k) => `2020-01-${String(13 - k).padStart(2, '0')},${row}`)].join('\n'));
    const dated = (await loadDataset([join(dir, 'tyk2')], data)).entries;
    const folds = await assignFolds(dated, { folds: 3, kind: 'temporal', seed: 1 });
    const oldestFirst = csv.slice(1).map((row) => `tyk2/${row.split(',')[0]}`).reverse();
    expect(folds).toEqual([oldestFirst.slice(0, 5), oldestFirst.slice(5, 9), oldestFirst.slice(9)]);
  });

  it('names the problem when the folds cannot be filled', async () => {
    await expect(assignFolds(entries, { folds: 14, kind: 'random', seed: 1 })).rejects.toThrow(/13 compounds cannot fill 14 folds/);
    await expect(assignFolds(entries, { folds: 1, kind: 'random', seed: 1 })).rejects.toThrow(/1 folds: need an integer of at least 2/);
  });
});
