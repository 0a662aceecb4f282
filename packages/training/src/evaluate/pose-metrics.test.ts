import { describe, expect, it } from 'vitest';

import type { DatasetEntry } from '../data/dataset.js';
import { poseMetrics } from './pose-metrics.js';

/** A compound of folder `t` with poses tagged by RMSD and (where given) Vina score. */
const entry = (id: string, rmsd: number[], vina: Array<number | undefined>): DatasetEntry =>
  ({
    compound: { id, poses: [] },
    folder: 't',
    key: `t/${id}`,
    tags: rmsd.map((r, i) => ({ rmsd_to_reference: String(r), ...(vina[i] !== undefined && { vina_score: String(vina[i]) }) })),
    molblock: '',
    affinities: '',
  }) as DatasetEntry;
const row = (id: string, weights: number[]) => ({ folder: 't', id, poses: weights.map((weight, pose) => ({ pose, prediction: 0, weight })) });

describe('poseMetrics', () => {
  it('counts the highest-weighted pose and the best-scored pose within 2 Å, by hand', () => {
    const entries = [
      // a: the model picks pose 1 (1.5 Å, right); Vina's best is pose 0 (3 Å, wrong).
      entry('a', [3, 1.5, 4], [-9, -8, -7]),
      // b: the model picks pose 2 (5 Å, wrong); Vina's best is pose 1 (0.5 Å, right).
      entry('b', [2.5, 0.5, 5], [-6, -8.5, -7]),
      // c: the reference pose (no score, 0 Å) gets the weight; Vina's best is pose 1 (exactly 2 Å: not within).
      entry('c', [0, 2, 1], [undefined, -9, -8]),
      // d: no RMSD tag on one pose: left out.
      { ...entry('d', [1, 1], [-5, -6]), tags: [{ rmsd_to_reference: '1' }, { vina_score: '-6' }] } as DatasetEntry,
    ];
    const rows = [row('a', [0.2, 0.7, 0.1]), row('b', [0.3, 0.3, 0.4]), row('c', [0.9, 0.05, 0.05]), row('d', [0.5, 0.5])];
    const metrics = poseMetrics(rows, entries);
    expect(metrics).toEqual({ rmsdTag: 'rmsd_to_reference', threshold: 2, n: 3, highestWeight: 2 / 3, scoreTag: 'vina_score', nScored: 3, dockingTop: 1 / 3 });
    // A looser threshold also counts c's best-scored pose (exactly 2 Å).
    expect(poseMetrics(rows, entries, { threshold: 2.1 })).toMatchObject({ highestWeight: 2 / 3, dockingTop: 2 / 3 });
  });

  it('ties go to the first pose; without scores the docking fraction is null; without RMSD tags undefined', () => {
    const entries = [entry('a', [1, 3], [undefined, undefined])];
    expect(poseMetrics([row('a', [0.5, 0.5])], entries)).toMatchObject({ n: 1, highestWeight: 1, nScored: 0, dockingTop: null });
    expect(poseMetrics([row('a', [0.5, 0.5])], [{ ...entries[0]!, tags: [{}, {}] } as DatasetEntry])).toBeUndefined();
  });
});
