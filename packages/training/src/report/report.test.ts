import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Pose } from '@posepool/core';
import { describe, expect, it } from 'vitest';

import type { DatasetEntry } from '../data/dataset.js';
import { metricsTable } from './metrics-table.js';
import { readReportData } from './report-data.js';
import { writeReport } from './report.js';
import { reportStructures } from './structures.js';

const interval = (value: number | null) => ({ value, low: value === null ? null : value - 0.5, high: value === null ? null : value + 0.5 });
const group = (n: number, rmse: number) => ({ n, mae: interval(rmse - 0.2), rmse: interval(rmse) });

/** A pocket of two atoms (C, N) and a ligand of `ligand.length / 3` carbons at the given positions. */
const pose = (ligand: number[]): Pose => ({
  z: Int32Array.from([6, 7, ...ligand.filter((_, k) => k % 3 === 0).map(() => 6)]),
  pos: Float32Array.from([0, 0, 0, 1.234, 0, 0, ...ligand]),
  ligandMask: Uint8Array.from([0, 0, ...ligand.filter((_, k) => k % 3 === 0).map(() => 1)]),
});
const entry = (id: string, poses: Pose[], tags: Array<Record<string, string>>): DatasetEntry => ({
  compound: { id, poses, target: 7 },
  folder: 'tyk2',
  key: `tyk2/${id}`,
  tags,
  molblock: '',
  affinities: '',
});

describe('metricsTable', () => {
  it('makes a row of every group of intervals, a column of every metric met (later ones too), and lists the other values', () => {
    const table = metricsTable({
      bestEpoch: 2,
      splits: { test: { pooled: { ...group(3, 1), top_pose_within_2A: interval(0.5) }, folders: { tyk2: group(3, 1) } } },
      baseline: { tag: 'vina_score', pooled: { ...group(3, 2), kendall: interval(null) } },
    });
    expect(table.columns).toEqual(['mae', 'rmse', 'top_pose_within_2A', 'kendall']);
    expect(table.rows.map((r) => [r.label, r.n])).toEqual([
      ['splits / test / pooled', 3],
      ['splits / test / folders / tyk2', 3],
      ['baseline / pooled', 3],
    ]);
    expect(table.rows[0]!.cells.top_pose_within_2A).toEqual({ value: 0.5, low: 0, high: 1 });
    expect(table.rows[2]!.cells.kendall).toEqual({ value: null, low: null, high: null });
    expect(table.rows[1]!.cells.top_pose_within_2A).toBeUndefined();
    expect(table.facts).toEqual([
      { label: 'bestEpoch', value: '2' },
      { label: 'baseline / tag', value: 'vina_score' },
    ]);
  });
});

describe('reportStructures', () => {
  it('gives each pose its ligand as XYZ and stores a pocket shared by poses and compounds once', () => {
    const { pockets, compounds } = reportStructures([entry('a', [pose([1, 2, 3.456]), pose([4, 5, 6])], [{}, {}]), entry('b', [pose([7, 8, 9])], [{}])]);
    expect(pockets).toEqual(['2\n\nC 0.00 0.00 0.00\nN 1.23 0.00 0.00\n']);
    expect(compounds.get('tyk2/a')).toEqual({ pocketOf: [0, 0], ligands: ['1\n\nC 1.00 2.00 3.46\n', '1\n\nC 4.00 5.00 6.00\n'] });
    expect(compounds.get('tyk2/b')?.pocketOf).toEqual([0]);
  });
});

async function runDirectory(predictions: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'posepool-report-'));
  await mkdir(join(dir, 'plots'));
  await writeFile(join(dir, 'plots', 'parity.svg'), '<svg xmlns="http://www.w3.org/2000/svg"></svg>');
  await writeFile(join(dir, 'metrics.json'), JSON.stringify({ model: { pooled: group(2, 1), folders: {} } }));
  await writeFile(join(dir, 'predictions.csv'), predictions);
  return dir;
}

const CSV = `folder,id,measured,predicted,pose,pose_prediction,pose_weight,spread,fold
tyk2,a,7.5,7.25,1,-10.5,0.75,0.1,2
tyk2,a,7.5,7.25,2,-9.5,0.25,0.2,2
tyk2,b,,6,1,-8,1,0.3,1
`;

describe('readReportData and writeReport', () => {
  it("reads a directory's predictions per compound, with each pose's SD tags, further columns and structures", async () => {
    const dir = await runDirectory(CSV);
    const entries = [entry('a', [pose([1, 2, 3]), pose([4, 5, 6])], [{ ligand_id: 'a', pose_index: '1', vina_score: '-8.1' }, { ligand_id: 'a', pose_index: '2', vina_score: '-7.9' }]), entry('b', [pose([1, 1, 1]), pose([2, 2, 2])], [{}, {}])];
    const data = await readReportData(dir, entries, 'a run');
    // fold has one value per compound: a compound column; spread varies between poses: a pose column.
    expect(data.compounds.map((c) => [c.id, c.measured, c.predicted, c.split, c.columns])).toEqual([
      ['a', 7.5, 7.25, null, { fold: '2' }],
      ['b', null, 6, null, { fold: '1' }],
    ]);
    expect(data.compounds[0]!.poses).toEqual([
      { pose: '1', prediction: -10.5, weight: 0.75, columns: { vina_score: '-8.1', spread: '0.1' } },
      { pose: '2', prediction: -9.5, weight: 0.25, columns: { vina_score: '-7.9', spread: '0.2' } },
    ]);
    expect(data.compounds[0]!.structures?.ligands).toHaveLength(2);
    // b has two poses in the data but one in the predictions: no 3D view rather than a wrong one.
    expect(data.compounds[1]!.structures).toBeNull();
    expect(data.plots.map((p) => p.name)).toEqual(['parity.svg']);
    expect(data.config).toBeNull();

    expect(await writeReport(dir, entries, 'a run')).toBe(join(dir, 'report.html'));
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<title>a run</title>');
    expect(html).toMatch(/<th>poses<\/th><th>fold<\/th><\/tr>/);
    expect(html).toContain('$3Dmol');
    expect(html).toContain('3Dmol.js incorporates code from GLmol'); // its licence, with the bundle
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect((await readdir(dir)).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it("reads a cross-validation's repeats as separate rows of a compound, each with its own poses", async () => {
    const csv = ['repeat,fold,folder,id,split,measured,predicted,pose,pose_prediction,pose_weight', '1,2,tyk2,a,,7.5,7.25,1,-10.5,1', '2,1,tyk2,a,,7.5,7.5,1,-10,1'].join('\n');
    const data = await readReportData(await runDirectory(csv), [entry('a', [pose([1, 2, 3])], [{}])], 'cv');
    expect(data.compounds.map((c) => [c.id, c.predicted, c.columns, c.poses.length, c.structures?.ligands.length])).toEqual([
      ['a', 7.25, { repeat: '1', fold: '2' }, 1, 1],
      ['a', 7.5, { repeat: '2', fold: '1' }, 1, 1],
    ]);
  });

  it('escapes what the data says, so a compound id cannot inject markup', async () => {
    const dir = await runDirectory('folder,id,measured,predicted,pose,pose_prediction,pose_weight\ntyk2,"<img src=x onerror=alert(1)></script>",1,1,0,1,1\n');
    const html = await readFile(await writeReport(dir, [], 'x'), 'utf8');
    expect(html).not.toContain('<img src=x');
    expect(html.match(/<\/script>/g)).toHaveLength(3); // the data, the viewer, the page script
  });

  it('names the missing or malformed file', async () => {
    const dir = await runDirectory(CSV);
    await expect(readReportData(join(dir, 'nowhere'), [], 't')).rejects.toThrow(/nowhere\/metrics\.json: cannot read it .* 'posepool train' or 'posepool evaluate' writes/);
    await writeFile(join(dir, 'predictions.csv'), 'folder,id,measured,predicted,pose,pose_prediction,pose_weight\ntyk2,a,7,7,0,abc,1\n');
    await expect(readReportData(dir, [], 't')).rejects.toMatchObject({ code: 'E_RUN_DIR', message: expect.stringMatching(/predictions\.csv:2: pose_prediction 'abc' is not a number/) });
    await writeFile(join(dir, 'predictions.csv'), 'folder,id,measured,predicted,pose,pose_prediction,pose_weight\ntyk2,a,7,7,0,1\n');
    await expect(readReportData(dir, [], 't')).rejects.toMatchObject({ code: 'E_RUN_DIR', message: expect.stringMatching(/predictions\.csv: not valid CSV \(Invalid Record Length/) });
    await writeFile(join(dir, 'predictions.csv'), 'folder,id,measured,predicted,pose,pose_prediction,pose_weight\ntyk2,a,7,NaN,0,NaN,1\n');
    expect((await readReportData(dir, [], 't')).compounds[0]).toMatchObject({ predicted: NaN, poses: [{ prediction: NaN }] });
  });
});
