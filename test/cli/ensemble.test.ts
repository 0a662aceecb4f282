// Ensembles through the real bin: train --ensemble, then predict and evaluate the ensemble run.
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { TINY_CONFIG, TYK2, runBin } from './bin.js';

let dir: string;
const path = (...names: string[]) => join(dir, ...names);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posepool-cli-ensemble-'));
  await writeFile(path('tiny.yaml'), TINY_CONFIG.replace('epochs: 3', 'epochs: 1'));
});

describe('posepool train --ensemble', () => {
  it('trains the members in one run directory and reports the mean and the spread', async () => {
    const run = await runBin(['train', TYK2, '-c', path('tiny.yaml'), '--ensemble', '2', '-o', path('ensemble')]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/member 1 of 2: .*members\/0: /);
    expect(run.stderr).toMatch(/member 2 of 2: .*members\/1: /);
    expect(run.stderr).toMatch(/done: .*ensemble \(mean of 2 members\); train RMSE/);
    expect(run.stderr).toMatch(/ {2}test: ensemble spread: mean \d\.\d\d, ρ\(\|error\|, spread\) (-?\d\.\d\d|–), coverage of mean ± 2·spread \d\.\d\d \(n=3\)/);
    expect(await readdir(path('ensemble', 'members'))).toEqual(['0', '1']);
    expect(await readFile(path('ensemble', 'status'), 'utf8')).toBe('done\n');
  }, 120_000);

  it('predict writes the mean and the spread per compound; evaluate adds the spread metrics', async () => {
    const predicted = await runBin(['predict', path('ensemble'), '-o', path('ensemble.csv')]);
    expect(predicted.code).toBe(0);
    const csv = (await readFile(path('ensemble.csv'), 'utf8')).split('\n');
    expect(csv[0]).toBe('folder,id,measured,predicted,spread,pose,pose_prediction,pose_weight');
    const evaluated = await runBin(['evaluate', path('ensemble'), '--split', 'test', '--json']);
    expect(evaluated.code).toBe(0);
    const json = JSON.parse(evaluated.stdout) as { spread: { n: number; coverage: number; spearman: number | null } };
    expect(json.spread).toMatchObject({ n: 3, coverage: expect.any(Number) });
    const text = await runBin(['evaluate', path('ensemble'), '--split', 'test', '-o', path('evaluation')]);
    expect(text.stderr).toMatch(/ensemble spread: mean .* \(n=3\)/);
  }, 120_000);

  it('is refused with --resume', async () => {
    const run = await runBin(['train', '--resume', path('ensemble'), '--ensemble', '3']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/drop DATA, --config, --out, --init and --ensemble/);
  });
});
