// `posepool cv` with `ensemble: 2` in the run config (or --ensemble 2), through the real bin: every fold trains an
// ensemble, the out-of-fold predictions are its mean with the spread, the metrics add the spread
// metrics (as `posepool evaluate` gives them), and kill -9 inside a fold's second member, then
// --resume, trains that fold's ensemble again from nothing to the same output.
import { mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { TINY_CONFIG, TYK2, runBin, startBin } from './bin.js';

let dir: string;
const path = (...names: string[]) => join(dir, ...names);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const exists = (p: string) => stat(p).then(() => true, () => false);
const CONFIG = `${TINY_CONFIG.replace('epochs: 3', 'epochs: 2')}ensemble: 2\n`;
const ARGS = ['--folds', '2', '--split', 'scaffold'];

/** CSV rows as objects. */
const csv = async (file: string) => {
  const [header, ...lines] = (await readFile(file, 'utf8')).trim().split('\n');
  return lines.map((line) => Object.fromEntries(line.split(',').map((cell, k) => [header!.split(',')[k]!, cell])));
};

interface Spread {
  n: number;
  meanSpread: number;
  spearman: number | null;
  coverage: number;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posepool-cv-ensemble-'));
  await writeFile(path('ensemble.yaml'), CONFIG);
  // The flag and the config key are the same setting: the uninterrupted run takes the flag.
  await writeFile(path('single.yaml'), CONFIG.replace('ensemble: 2\n', ''));
  const straight = await runBin(['cv', TYK2, '-c', path('single.yaml'), '--ensemble', '2', ...ARGS, '-o', path('straight')]);
  expect(straight.stderr).toMatch(/model pooled {2}n=13/);
  expect(straight.stderr).toMatch(/ensemble spread: mean \d\.\d\d, ρ\(\|error\|, spread\) (-?\d\.\d\d|–), coverage of mean ± 2·spread \d\.\d\d \(n=13\)/);
  expect(straight.code).toBe(0);
}, 180_000);

describe('posepool cv with an ensemble', () => {
  it("trains an ensemble per fold; the out-of-fold predictions are each fold's mean and spread", async () => {
    const plan = JSON.parse(await readFile(path('straight', 'cv.json'), 'utf8')) as { folds: string[][][] };
    const oof = await csv(path('straight', 'predictions.csv'));
    expect((await readFile(path('straight', 'predictions.csv'), 'utf8')).split('\n')[0]).toBe('repeat,fold,folder,id,measured,predicted,spread,pose,pose_prediction,pose_weight');
    expect(new Set(oof.map((r) => r.id)).size).toBe(13);
    for (const k of plan.folds[0]!.keys()) {
      const fold = path('straight', 'folds', 'repeat-1', `fold-${k + 1}`);
      expect(await readdir(join(fold, 'members'))).toEqual(['0', '1']);
      expect(await readFile(join(fold, 'status'), 'utf8')).toBe('done\n');
      const own = (await csv(join(fold, 'predictions.csv'))).filter((r) => r.split === 'test');
      expect(new Set(own.map((r) => r.id)).size).toBe(plan.folds[0]![k]!.length);
      for (const r of own) expect(oof.find((o) => o.id === r.id && o.pose === r.pose)).toMatchObject({ fold: String(k + 1), predicted: r.predicted, spread: r.spread });
    }
    expect(oof.every((r) => Number(r.spread) > 0)).toBe(true);
  });

  it('adds the spread metrics per fold and pooled, as posepool evaluate gives them for a fold', async () => {
    const metrics = JSON.parse(await readFile(path('straight', 'metrics.json'), 'utf8')) as { folds: Array<{ spread: Spread }>; repeats: Array<{ spread: Spread }>; pooled: { spread: Spread } };
    const compounds = [...new Map((await csv(path('straight', 'predictions.csv'))).map((r) => [r.id, r])).values()];
    const covered = compounds.filter((r) => Math.abs(Number(r.predicted) - Number(r.measured)) <= 2 * Number(r.spread)).length;
    expect(metrics.pooled.spread).toMatchObject({ n: 13, coverage: covered / 13 });
    expect(metrics.pooled.spread.meanSpread).toBeCloseTo(compounds.reduce((s, r) => s + Number(r.spread), 0) / 13, 10);
    expect(metrics.repeats[0]!.spread).toEqual(metrics.pooled.spread);
    expect(metrics.folds.reduce((n, f) => n + f.spread.n, 0)).toBe(13);
    const evaluated = await runBin(['evaluate', path('straight', 'folds', 'repeat-1', 'fold-1'), '--split', 'test', '--json']);
    expect(evaluated.code).toBe(0);
    const { spread } = JSON.parse(evaluated.stdout) as { spread: Spread };
    expect(metrics.folds[0]!.spread).toMatchObject({ n: spread.n, coverage: spread.coverage, spearman: spread.spearman });
    expect(metrics.folds[0]!.spread.meanSpread).toBeCloseTo(spread.meanSpread, 10);
  }, 120_000);

  it("after kill -9 in a fold's second member, --resume trains that fold's ensemble again to the same output", async () => {
    const child = startBin(['cv', TYK2, '-c', path('ensemble.yaml'), ...ARGS, '-o', path('killed')]);
    // Kill it inside fold 2's second member: fold 1 done, fold 2's first member done, its second mid-epoch.
    const checkpoint = path('killed', 'folds', 'repeat-1', 'fold-2', 'members', '1', 'checkpoint', 'state.json');
    for (let waited = 0; waited < 90_000; waited += 20) {
      if (/"position":[1-9]|"epoch":[1-9]/.test(await readFile(checkpoint, 'utf8').catch(() => ''))) break;
      await sleep(20);
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    expect(await readFile(path('killed', 'status'), 'utf8')).toBe('running\n');
    const fold2 = path('killed', 'folds', 'repeat-1', 'fold-2');
    expect(await readFile(join(fold2, 'members', '0', 'status'), 'utf8')).toBe('done\n');
    expect(await exists(join(fold2, 'members', '1', 'model'))).toBe(false);
    expect(await exists(join(fold2, 'predictions.csv'))).toBe(false);
    const fold1 = await stat(path('killed', 'folds', 'repeat-1', 'fold-1', 'members', '0', 'model', 'weights.bin'));
    const member0 = await stat(join(fold2, 'members', '0', 'model', 'weights.bin'));

    const resumed = await runBin(['cv', '--resume', path('killed')]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/fold 1\/2: finished before, kept/);
    expect(resumed.stderr).toMatch(/fold 2\/2: training/);
    expect((await stat(path('killed', 'folds', 'repeat-1', 'fold-1', 'members', '0', 'model', 'weights.bin'))).mtimeMs).toBe(fold1.mtimeMs);
    // The fold's finished first member was trained again too: the whole ensemble starts from nothing.
    expect((await stat(join(fold2, 'members', '0', 'model', 'weights.bin'))).mtimeMs).not.toBe(member0.mtimeMs);
    expect(await readFile(join(fold2, 'status'), 'utf8')).toBe('done\n');
    expect(await readFile(path('killed', 'predictions.csv'), 'utf8')).toBe(await readFile(path('straight', 'predictions.csv'), 'utf8'));
    expect(await readFile(path('killed', 'metrics.json'), 'utf8')).toBe(await readFile(path('straight', 'metrics.json'), 'utf8'));
  }, 180_000);

  it('refuses --ensemble that is not a positive integer, or beside --resume, before anything is written', async () => {
    const zero = await runBin(['cv', TYK2, '--ensemble', '0', '-o', path('never')]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/'0' is not a positive integer/);
    const withResume = await runBin(['cv', '--resume', path('straight'), '--ensemble', '3']);
    expect(withResume.code).toBe(2);
    expect(withResume.stderr).toMatch(/drop DATA, --config, --out, --folds, --group-by, --baseline and --ensemble/);
    await expect(stat(path('never'))).rejects.toThrow();
  });
});
