// `posepool cv` through the real bin: the directory layout, out-of-fold predictions that match
// each fold's own run, pooled metrics recomputed by hand, kill -9 then --resume to the same
// output, the same folds for another model, and leave-one-folder-out.
import { cp, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { TINY_CONFIG, TYK2, runBin, startBin } from './bin.js';

let dir: string;
const path = (...names: string[]) => join(dir, ...names);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const exists = (p: string) => stat(p).then(() => true, () => false);
const CONFIG = TINY_CONFIG.replace('epochs: 3', 'epochs: 2');
const ARGS = ['--folds', '3', '--split', 'scaffold', '--baseline', 'vina_score'];

/** CSV rows as objects. */
const csv = async (file: string) => {
  const [header, ...lines] = (await readFile(file, 'utf8')).trim().split('\n');
  return lines.map((line) => Object.fromEntries(line.split(',').map((cell, k) => [header!.split(',')[k]!, cell])));
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posepool-cv-'));
  await writeFile(path('tiny.yaml'), CONFIG);
  const straight = await runBin(['cv', TYK2, '-c', path('tiny.yaml'), ...ARGS, '-o', path('straight')]);
  expect(straight.stderr).toMatch(/model pooled {2}n=13/);
  expect(straight.code).toBe(0);
}, 180_000);

describe('posepool cv', () => {
  it('writes one run per fold and out-of-fold predictions: every compound once, as its fold predicted it', async () => {
    expect((await readdir(path('straight'))).sort()).toEqual(['config.yaml', 'cv.json', 'folds', 'metrics.json', 'predictions.csv', 'report.html', 'status']);
    expect(await readFile(path('straight', 'status'), 'utf8')).toBe('done\n');
    // The report shows the out-of-fold predictions: a row per compound, with its fold.
    const report = await readFile(path('straight', 'report.html'), 'utf8');
    expect(report).toMatch(/<title>Cross-validation straight · 3 folds · out-of-fold predictions<\/title>/);
    expect(report).toMatch(/<th>fold<\/th>/);
    expect(await readdir(path('straight', 'folds', 'repeat-1'))).toEqual(['fold-1', 'fold-2', 'fold-3']);
    const plan = JSON.parse(await readFile(path('straight', 'cv.json'), 'utf8')) as { folds: string[][][] };
    const oof = await csv(path('straight', 'predictions.csv'));
    const compounds = new Map(oof.map((r) => [`${r.folder}/${r.id}`, r]));
    expect([...compounds.keys()].sort()).toEqual(plan.folds[0]!.flat().sort());
    expect(compounds.size).toBe(13);
    for (const [k, fold] of plan.folds[0]!.entries()) {
      const split = JSON.parse(await readFile(path('straight', 'folds', 'repeat-1', `fold-${k + 1}`, 'split.json'), 'utf8')) as Record<string, string[]>;
      expect(split.test!.sort()).toEqual([...fold].sort());
      expect(split.validation).toEqual([]);
      const own = (await csv(path('straight', 'folds', 'repeat-1', `fold-${k + 1}`, 'predictions.csv'))).filter((r) => r.split === 'test');
      for (const r of own) expect(oof.find((o) => o.id === r.id && o.pose === r.pose)).toMatchObject({ fold: String(k + 1), predicted: r.predicted, pose_weight: r.pose_weight });
    }
  });

  it('pooled and per-fold metrics agree with the out-of-fold predictions, computed by hand', async () => {
    type Report = { n: number; rmse: { value: number; low: number; high: number } };
    const metrics = JSON.parse(await readFile(path('straight', 'metrics.json'), 'utf8')) as {
      folds: Array<{ fold: number; model: { pooled: Report } }>;
      pooled: { model: { pooled: Report; folders: Record<string, Report> }; baseline: { tag: string; pooled: Report }; poses: { n: number; highestWeight: number; dockingTop: number } };
    };
    const compounds = [...new Map((await csv(path('straight', 'predictions.csv'))).map((r) => [r.id, r])).values()];
    const rmse = (rows: typeof compounds) => Math.sqrt(rows.reduce((s, r) => s + (Number(r.predicted) - Number(r.measured)) ** 2, 0) / rows.length);
    expect(metrics.pooled.model.pooled.rmse.value).toBeCloseTo(rmse(compounds), 10);
    expect(metrics.pooled.model.folders.tyk2!.n).toBe(13);
    for (const f of metrics.folds) expect(f.model.pooled.rmse.value).toBeCloseTo(rmse(compounds.filter((r) => r.fold === String(f.fold))), 10);
    expect(metrics.pooled.baseline).toMatchObject({ tag: 'vina_score', pooled: { n: 13 } });
    expect(metrics.pooled.poses.n).toBe(13);
    expect(metrics.pooled.poses.highestWeight).toBeGreaterThanOrEqual(0);
    expect(metrics.pooled.poses.dockingTop).toBeLessThanOrEqual(1);
  });

  it("posepool evaluate gives a fold's run the pose metric cv gave that fold", async () => {
    const fold = path('straight', 'folds', 'repeat-1', 'fold-1');
    const result = await runBin(['evaluate', fold, '--split', 'test', '--json', '-o', path('fold-1-evaluation')]);
    expect(result.code).toBe(0);
    const evaluation = JSON.parse(result.stdout) as { poses: { n: number } };
    const metrics = JSON.parse(await readFile(path('straight', 'metrics.json'), 'utf8')) as { folds: Array<{ poses: { n: number } }> };
    expect(evaluation.poses).toEqual(metrics.folds[0]!.poses);
    expect(evaluation.poses.n).toBe((JSON.parse(await readFile(join(fold, 'split.json'), 'utf8')) as { test: string[] }).test.length);
  });

  it('continues after kill -9 in a later fold to the same output, keeping the finished folds', async () => {
    const child = startBin(['cv', TYK2, '-c', path('tiny.yaml'), ...ARGS, '-o', path('killed')]);
    // Kill it inside fold 2, once fold 1 is done and fold 2 has a mid-epoch checkpoint.
    const checkpoint = path('killed', 'folds', 'repeat-1', 'fold-2', 'checkpoint', 'state.json');
    for (let waited = 0; waited < 90_000; waited += 50) {
      if (/"position":[1-9]|"epoch":[1-9]/.test(await readFile(checkpoint, 'utf8').catch(() => ''))) break;
      await sleep(50);
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    expect(await readFile(path('killed', 'status'), 'utf8')).toBe('running\n');
    expect(await exists(path('killed', 'metrics.json'))).toBe(false);
    const fold1 = await stat(path('killed', 'folds', 'repeat-1', 'fold-1', 'model', 'weights.bin'));

    const resumed = await runBin(['cv', '--resume', path('killed')]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/fold 1\/3: finished before, kept/);
    expect(resumed.stderr).toMatch(/fold 2\/3: resuming/);
    expect((await stat(path('killed', 'folds', 'repeat-1', 'fold-1', 'model', 'weights.bin'))).mtimeMs).toBe(fold1.mtimeMs);
    expect(await readFile(path('killed', 'predictions.csv'), 'utf8')).toBe(await readFile(path('straight', 'predictions.csv'), 'utf8'));
    expect(await readFile(path('killed', 'metrics.json'), 'utf8')).toBe(await readFile(path('straight', 'metrics.json'), 'utf8'));
  }, 180_000);

  it('records an interruption (Ctrl-C) in the cv status, with the command that resumes it', async () => {
    const child = startBin(['cv', TYK2, '-c', path('tiny.yaml'), ...ARGS, '-o', path('interrupted')]);
    const checkpoint = path('interrupted', 'folds', 'repeat-1', 'fold-1', 'checkpoint', 'state.json');
    for (let waited = 0; waited < 60_000 && !(await exists(checkpoint)); waited += 50) await sleep(50);
    child.kill('SIGINT');
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(130);
    expect(await readFile(path('interrupted', 'status'), 'utf8')).toMatch(/^failed: interrupted by SIGINT; resume with: posepool cv --resume .*interrupted\n$/);
  }, 120_000);

  it('refuses to resume from a damaged cv.json, naming the file, and changes nothing', async () => {
    await cp(path('straight'), path('damaged'), { recursive: true });
    const plan = JSON.parse(await readFile(path('damaged', 'cv.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(path('damaged', 'cv.json'), JSON.stringify({ ...plan, folds: 'all' }));
    const before = await readFile(path('damaged', 'metrics.json'), 'utf8');
    const result = await runBin(['cv', '--resume', path('damaged')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/damaged[/\\]cv\.json: not a plan 'posepool cv' wrote .*Start the cross-validation again/);
    expect(await readFile(path('damaged', 'metrics.json'), 'utf8')).toBe(before);
  });

  it('gives another model the same folds; repeats use other folds', async () => {
    await writeFile(path('mean.yaml'), CONFIG.replace('combination: { name: boltzmann }', 'combination: { name: mean }').replace('epochs: 2', 'epochs: 1'));
    const result = await runBin(['cv', TYK2, '-c', path('mean.yaml'), ...ARGS, '--repeats', '2', '-o', path('mean'), '--json']);
    expect(result.code).toBe(0);
    const folds = async (run: string) => (JSON.parse(await readFile(path(run, 'cv.json'), 'utf8')) as { folds: string[][][] }).folds;
    const [mean, straight] = [await folds('mean'), await folds('straight')];
    expect(mean[0]).toEqual(straight[0]);
    expect(mean[1]).not.toEqual(mean[0]);
    const report = JSON.parse(result.stdout) as { repeats: unknown[]; folds: unknown[]; pooled: { model: { pooled: { n: number } } } };
    expect([report.repeats.length, report.folds.length, report.pooled.model.pooled.n]).toEqual([2, 6, 13]);
  }, 180_000);

  it('--group-by folder leaves one folder out per fold', async () => {
    await cp(TYK2, path('a'), { recursive: true });
    await cp(TYK2, path('b'), { recursive: true });
    await writeFile(path('one.yaml'), CONFIG.replace('epochs: 2', 'epochs: 1'));
    const result = await runBin(['cv', path('a'), path('b'), '-c', path('one.yaml'), '--group-by', 'folder', '-o', path('by-folder')]);
    expect(result.code).toBe(0);
    const plan = JSON.parse(await readFile(path('by-folder', 'cv.json'), 'utf8')) as { folds: string[][][] };
    expect(plan.folds[0]!.map((fold) => [...new Set(fold.map((key) => key.split('/')[0]))])).toEqual([['a'], ['b']]);
    const bad = await runBin(['cv', path('a'), path('b'), '--group-by', 'folder', '--folds', '3', '-o', path('never')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--group-by folder makes one fold per folder: drop --folds/);
  }, 180_000);
});
