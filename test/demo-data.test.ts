import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { validatePose } from '@posepool/core';
import { featurizeFolder } from '@posepool/featurizers';
import { describe, expect, it } from 'vitest';

describe('bundled tyk2 demo set', () => {
  it('featurizes into 13 compounds and 116 poses, ligand atoms last, targets in the measured pK range', async () => {
    const { compounds, skipped } = await featurizeFolder(join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'data', 'tyk2'), { pocketCutoff: 6 });
    expect(skipped).toEqual([]);
    expect(compounds).toHaveLength(13);
    expect(compounds.reduce((n, c) => n + c.poses.length, 0)).toBe(116);
    for (const c of compounds) {
      expect(c.target).toBeGreaterThanOrEqual(6.07);
      expect(c.target).toBeLessThanOrEqual(8.61);
      c.poses.forEach((pose, i) => {
        validatePose(pose, `${c.id} pose ${i}`);
        const firstLigand = pose.ligandMask.indexOf(1);
        expect(pose.ligandMask.slice(firstLigand).every((m) => m === 1)).toBe(true);
        expect(pose.z.includes(1)).toBe(false);
      });
    }
  });
});
