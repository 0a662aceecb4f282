import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { featurizeFolder } from './folder.js';

const folder = (name: string): string => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));

describe('featurizeFolder', () => {
  it('groups poses by ligand, orders them, crops whole residues, drops hydrogens, keeps censoring', async () => {
    const progress: Array<[number, number]> = [];
    const { compounds, skipped, files } = await featurizeFolder(folder('valid'), { onProgress: (done, total) => progress.push([done, total]) });
    expect(skipped).toEqual([]);
    expect(files.protein).toMatch(/pocket\.pdb$/);
    expect(compounds.map((c) => [c.id, c.poses.length, c.target, c.targetQualifier])).toEqual([
      ['lig_a', 2, 7.5, undefined],
      ['lig_b', 1, 9.1, '>'],
    ]);
    const pose = compounds[0]!.poses[0]!;
    // The two residues near the ligand (6 atoms), not the far serine; then the 3 ligand atoms.
    expect(Array.from(pose.z)).toEqual([7, 6, 6, 7, 6, 8, 6, 6, 8]);
    expect(Array.from(pose.ligandMask)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1]);
    expect(Array.from(pose.bonds!)).toEqual([6, 7, 7, 8]);
    expect(progress).toEqual([[1, 2], [2, 2]]);
  });

  it('reads the hand-made layout: an mmCIF protein and one ligand file per compound (MOL2 or SDF)', async () => {
    const [made, reference] = await Promise.all([featurizeFolder(folder('per-compound')), featurizeFolder(folder('valid'))]);
    expect(made.compounds.map((c) => c.id)).toEqual(['lig_a', 'lig_b']);
    // Same atoms and coordinates as the benchmark-style folder (lig_a: its first pose).
    expect(made.compounds[0]!.poses[0]!.z).toEqual(reference.compounds[0]!.poses[0]!.z);
    expect(made.compounds[0]!.poses[0]!.pos).toEqual(reference.compounds[0]!.poses[0]!.pos);
    expect(made.compounds[1]!.poses[0]).toEqual(reference.compounds[1]!.poses[0]);
    const withFeatures = await featurizeFolder(folder('per-compound'), { ligandFeatures: true });
    expect(withFeatures.compounds[0]!.poses[0]!.featureSize).toBe(74);
  });

  it('keeps every residue without cropping, and chosen SD tags as pose labels', async () => {
    const { compounds } = await featurizeFolder(folder('valid'), { pocketCutoff: null });
    expect(compounds[0]!.poses[0]!.z).toHaveLength(12);
    await expect(featurizeFolder(folder('valid'), { poseLabels: ['vina_score'] })).rejects.toThrow(/pose label 'vina_score' '\(missing\)' is not a number/);
  });
});
