import { cp, mkdtemp, readdir, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { radiusGraphKey } from '@posepool/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { featurizeFolder } from './folder.js';

let work: string;
let data: string;
let cacheDir: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'posepool-cache-'));
  data = join(work, 'valid');
  cacheDir = join(work, 'cache');
  await cp(fileURLToPath(new URL('../../fixtures/valid', import.meta.url)), data, { recursive: true });
});
afterAll(() => rm(work, { recursive: true, force: true }));

const graphs = [{ cutoff: 4, maxNeighbors: 8 }];

describe('featurization cache', () => {
  it('stores a result and loads it back identical, graphs included', async () => {
    const cold = await featurizeFolder(data, { cacheDir, graphs, ligandFeatures: true });
    const warm = await featurizeFolder(data, { cacheDir, graphs, ligandFeatures: true });
    expect(warm.compounds[0]!.poses[0]!.featureSize).toBe(74);
    expect([cold.fromCache, warm.fromCache]).toEqual([false, true]);
    expect(warm.compounds).toEqual(cold.compounds);
    // The poses' SD tags and first molblock come back too (pose filters and scaffolds read them).
    expect(warm.records).toEqual(cold.records);
    expect(cold.records.get(cold.compounds[0]!.id)!.tags).toHaveLength(cold.compounds[0]!.poses.length);
    expect(cold.records.get(cold.compounds[0]!.id)!.molblock).toMatch(/M {2}END/);
    expect(warm.compounds[0]!.poses[0]!.graphs![radiusGraphKey(graphs[0]!)]!.source.length).toBeGreaterThan(0);
    expect((await readdir(cacheDir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('misses when an option or an input changes', async () => {
    expect((await featurizeFolder(data, { cacheDir, graphs, pocketCutoff: 5 })).fromCache).toBe(false);
    await appendFile(join(data, 'affinities.csv'), 'lig_c,6.1,new\n');
    const changed = await featurizeFolder(data, { cacheDir, graphs, onError: 'skip' });
    expect(changed.fromCache).toBe(false);
    expect(changed.skipped.map((s) => s.item)).toEqual(["compound 'lig_c'"]);
    expect((await featurizeFolder(data, { cacheDir, graphs, onError: 'skip' })).skipped).toEqual(changed.skipped);
  });

  it('recomputes over a corrupt cache file instead of failing', async () => {
    const first = await featurizeFolder(data, { cacheDir, onError: 'skip' });
    for (const file of await readdir(cacheDir)) await writeFile(join(cacheDir, file), 'garbage');
    const again = await featurizeFolder(data, { cacheDir, onError: 'skip' });
    expect(again.fromCache).toBe(false);
    expect(again.compounds).toEqual(first.compounds);
  });
});
