// The main job through the real bin: train, kill -9 and resume to byte-equal weights, sharded
// predictions, evaluation with plots, a third-party plugin loaded by --plugin.
import { copyFile, mkdir, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { TINY_CONFIG, TYK2, runBin, startBin } from './bin.js';

let dir: string;
const path = (...names: string[]) => join(dir, ...names);
const exists = (p: string) => stat(p).then(() => true, () => false);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posepool-cli-'));
  await writeFile(path('tiny.yaml'), TINY_CONFIG);
  const straight = await runBin(['train', TYK2, '-c', path('tiny.yaml'), '-o', path('straight')]);
  expect(straight.stderr).toMatch(/done: .*straight \(weights of epoch \d of 3\)/);
  expect(straight.code).toBe(0);
}, 120_000);

describe('posepool train', () => {
  it('writes the run directory, with plain progress lines when not on a terminal', async () => {
    expect((await readdir(path('straight'))).sort()).toEqual(['checkpoint', 'config.yaml', 'history.jsonl', 'metrics.json', 'model', 'plots', 'predictions.csv', 'report.html', 'split.json', 'status']);
    expect(await readFile(path('straight', 'status'), 'utf8')).toBe('done\n');
    expect((await readFile(path('straight', 'history.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(3);
  });

  it('continues after kill -9 to the same final weights, byte for byte', async () => {
    const child = startBin(['train', TYK2, '-c', path('tiny.yaml'), '-o', path('killed')]);
    // Kill it in the middle of training: after its second mini-batch checkpoint has landed.
    const checkpoint = path('killed', 'checkpoint', 'state.json');
    for (let waited = 0; waited < 60_000; waited += 50) {
      const text = await readFile(checkpoint, 'utf8').catch(() => '');
      if (/"epoch":0,"position":2/.test(text) || /"epoch":1,/.test(text)) break;
      await sleep(50);
    }
    await sleep(150);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    expect(await readFile(path('killed', 'status'), 'utf8')).toBe('running\n');
    expect(await exists(path('killed', 'model'))).toBe(false);

    const resumed = await runBin(['train', '--resume', path('killed')]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/resuming after epoch \d/);
    const weights = (run: string) => readFile(path(run, 'model', 'weights.bin'));
    expect(Buffer.compare(await weights('straight'), await weights('killed'))).toBe(0);
    expect(await readFile(path('killed', 'history.jsonl'), 'utf8')).toMatch(/^(\{"epoch":\d.*\}\n){3}$/);
  }, 120_000);

  it('with --workers 2, continues after kill -9 to the weights of one thread, byte for byte', async () => {
    const child = startBin(['train', TYK2, '-c', path('tiny.yaml'), '-o', path('killed-workers'), '--workers', '2']);
    const checkpoint = path('killed-workers', 'checkpoint', 'state.json');
    for (let waited = 0; waited < 60_000; waited += 50) {
      if (/"epoch":0,"position":2/.test(await readFile(checkpoint, 'utf8').catch(() => '')) || /"epoch":1,/.test(await readFile(checkpoint, 'utf8').catch(() => ''))) break;
      await sleep(50);
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('close', resolve));
    expect(await exists(path('killed-workers', 'model'))).toBe(false);
    const resumed = await runBin(['train', '--resume', path('killed-workers'), '--workers', '2']);
    expect(resumed.code).toBe(0);
    const weights = (run: string) => readFile(path(run, 'model', 'weights.bin'));
    expect(Buffer.compare(await weights('straight'), await weights('killed-workers'))).toBe(0);
    const predicted = await Promise.all(['1', '2'].map((n) => runBin(['predict', path('straight'), '-o', path(`workers-${n}.csv`), '--workers', n])));
    expect(predicted.map((r) => r.code)).toEqual([0, 0]);
    expect(await readFile(path('workers-2.csv'), 'utf8')).toBe(await readFile(path('workers-1.csv'), 'utf8'));
  }, 120_000);

  it('records an interruption (Ctrl-C) in the run status, with the command that resumes it', async () => {
    const child = startBin(['train', TYK2, '-c', path('tiny.yaml'), '-o', path('interrupted')]);
    const checkpoint = path('interrupted', 'checkpoint', 'state.json');
    for (let waited = 0; waited < 60_000; waited += 50) {
      if (/"position":[1-9]|"epoch":[1-9]/.test(await readFile(checkpoint, 'utf8').catch(() => ''))) break;
      await sleep(50);
    }
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    const status = await readFile(path('interrupted', 'status'), 'utf8');
    expect(status).toMatch(/^failed: interrupted by SIGINT; resume with: posepool train --resume .*interrupted\n$/);
    expect(stderr).toMatch(/posepool: interrupted by SIGINT; resume with: posepool train --resume/);
    const resumed = await runBin(['train', '--resume', path('interrupted')]);
    expect(resumed.code).toBe(0);
    expect(await readFile(path('interrupted', 'status'), 'utf8')).toBe('done\n');
  }, 120_000);

  it('loads a third-party plugin with --plugin and remembers it for predict', async () => {
    const config = TINY_CONFIG.replace('combination: { name: boltzmann }\n  readout: { name: pki }', 'poseReadout: { name: pki }\n  combination: { name: power-mean, options: { power: 2 } }').replace('epochs: 3', 'epochs: 1');
    await writeFile(path('plugin.yaml'), config);
    const list = await runBin(['list', '--plugin', 'posepool-plugin-power-mean']);
    expect(list.stdout).toMatch(/combination\s+power-mean\s+posepool-plugin-power-mean\s+Power mean/);
    const run = await runBin(['train', TYK2, '-c', path('plugin.yaml'), '-o', path('plugin-run'), '--plugin', 'posepool-plugin-power-mean']);
    expect(run.code).toBe(0);
    expect(await readFile(path('plugin-run', 'config.yaml'), 'utf8')).toMatch(/plugins:\n\s+- posepool-plugin-power-mean\n/);
    const predicted = await runBin(['predict', path('plugin-run'), '-o', path('plugin-preds.json')]);
    expect(predicted.code).toBe(0);
    const { compounds } = JSON.parse(await readFile(path('plugin-preds.json'), 'utf8')) as { compounds: Array<{ predicted: number; poses: Array<{ prediction: number; weight: number }> }> };
    expect(compounds).toHaveLength(13);
    // The plugin's combination: h = (mean ŷ_i²)^(1/2) over the pose predictions.
    for (const c of compounds) {
      const values = c.poses.map((p) => p.prediction);
      expect(c.predicted).toBeCloseTo(Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length), 3);
    }
  }, 120_000);
});

describe('posepool predict', () => {
  it('shards partition the compounds: the union of the shards is the unsharded output', async () => {
    const full = await runBin(['predict', path('straight'), TYK2, '-o', path('all.csv')]);
    expect(full.code).toBe(0);
    const shards = await Promise.all([0, 1, 2].map((i) => runBin(['predict', path('straight'), TYK2, '--shard', `${i}/3`, '-o', path(`shard-${i}.csv`)])));
    expect(shards.map((s) => s.code)).toEqual([0, 0, 0]);
    const rows = async (file: string) => (await readFile(path(file), 'utf8')).trim().split('\n');
    const all = await rows('all.csv');
    const parts = await Promise.all([0, 1, 2].map((i) => rows(`shard-${i}.csv`)));
    expect(parts.every((p) => p[0] === all[0])).toBe(true);
    expect(parts.flatMap((p) => p.slice(1)).sort()).toEqual(all.slice(1).sort());
    expect(parts.every((p) => p.length > 1)).toBe(true);
    // --shard auto in a Slurm job array picks the same shard.
    const slurm = await runBin(['predict', path('straight'), TYK2, '--shard', 'auto', '-o', path('slurm-{shard}.csv')], { env: { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '3' } });
    expect(slurm.code).toBe(0);
    expect(await rows('slurm-1.csv')).toEqual(parts[1]);
  }, 120_000);

  it('gives each pose its prediction and weight, and the weights of a Boltzmann mean sum to 1', async () => {
    const result = await runBin(['predict', path('straight'), '-o', path('preds.json'), '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ compounds: 13 });
    const { compounds } = JSON.parse(await readFile(path('preds.json'), 'utf8')) as { compounds: Array<{ measured: number; poses: Array<{ pose: number; weight: number }> }> };
    for (const c of compounds) {
      expect(c.poses).toHaveLength(3);
      expect(c.poses.reduce((s, p) => s + p.weight, 0)).toBeCloseTo(1, 4);
    }
  });
});

describe('posepool predict without measurements', () => {
  it('predicts a folder with no CSV as it predicts the same poses with one', async () => {
    await mkdir(path('screen'));
    for (const file of ['pocket.pdb', 'poses.sdf']) await copyFile(join(TYK2, file), path('screen', file));
    const result = await runBin(['predict', path('straight'), path('screen'), '-o', path('screen.json')]);
    expect(result.code).toBe(0);
    type Rows = { compounds: Array<{ id: string; measured: number | null; predicted: number; poses: unknown[] }> };
    const screen = JSON.parse(await readFile(path('screen.json'), 'utf8')) as Rows;
    const measured = JSON.parse(await readFile(path('preds.json'), 'utf8')) as Rows;
    expect(screen.compounds.every((c) => c.measured === null)).toBe(true);
    const byId = new Map(measured.compounds.map((c) => [c.id, c]));
    expect(screen.compounds).toHaveLength(13);
    for (const c of screen.compounds) {
      expect(c.predicted).toBe(byId.get(c.id)!.predicted);
      expect(c.poses).toEqual(byId.get(c.id)!.poses);
    }
  });
});

describe('posepool evaluate', () => {
  it('reports metrics with intervals, a docking-score baseline and writes its plots', async () => {
    const result = await runBin(['evaluate', path('straight'), '--split', 'test', '--baseline', 'vina_score', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { out: string; model: { pooled: { n: number; rmse: { low: number; value: number; high: number } } }; baseline: { tag: string; pooled: { n: number } } };
    expect(report.model.pooled.n).toBe(3);
    expect(report.model.pooled.rmse.low).toBeLessThanOrEqual(report.model.pooled.rmse.value);
    expect(report.baseline).toMatchObject({ tag: 'vina_score', pooled: { n: 3 } });
    const out = path('straight', 'evaluation');
    expect((await readdir(join(out, 'plots'))).sort()).toEqual(['learning-curves.svg', 'parity.svg']);
    expect(await exists(join(out, 'report.html'))).toBe(true);
    const svg = await readFile(join(out, 'plots', 'parity.svg'), 'utf8');
    expect(svg).toMatch(/^<svg[^>]+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('tyk2, test split: predicted vs measured');
    expect(svg).toContain('stroke-dasharray="4,4"'); // the identity line
    expect(JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'))).toMatchObject({ model: { folders: { tyk2: { n: 3 } } } });
  });

});

describe('posepool gradcheck, list and schema', () => {
  it('runs the gradient checks on a registered combination and on a plugin representation', async () => {
    const [combination, representation] = await Promise.all([
      runBin(['gradcheck', '--combination', 'boltzmann']),
      runBin(['gradcheck', '--representation', 'contact-mlp', '--plugin', './test/plugin-example/architecture.ts']),
    ]);
    expect(combination.code).toBe(0);
    expect(combination.stdout).toMatch(/combination 'boltzmann': all \d+ checks passed/);
    expect(representation.code).toBe(0);
    expect(representation.stdout).toMatch(/^ok {3}stored vs naive, N=3, combined loss/m);
    expect(representation.stdout).toMatch(/representation 'contact-mlp': all 12 checks passed/);
  });

  it('prints the run config JSON Schema', async () => {
    const result = await runBin(['schema']);
    const schema = JSON.parse(result.stdout) as { additionalProperties: boolean; properties: Record<string, unknown> };
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['model', 'data', 'optimizer', 'schedule', 'split', 'earlyStopping', 'plugins']));
  });
});
