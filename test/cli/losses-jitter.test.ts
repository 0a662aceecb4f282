// Loss terms and coordinate jitter through the real bin: a run config with gaussianNll (σ from a
// CSV error column, a default for empty cells), poseCrossEntropy on rmsd_to_reference and
// augment.jitter trains and cross-validates; its validation loss is the combined-prediction
// terms, recomputed here from predictions.csv; a missing σ fails before training, naming the
// compound.
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { TINY_CONFIG, TYK2, runBin } from './bin.js';

let dir: string;
const path = (...names: string[]) => join(dir, ...names);
/** pK_error per compound id: 0.2 + 0.05 × row, empty for the third row. */
const errors = new Map<string, number | undefined>();

const CONFIG = `${TINY_CONFIG.replace('epochs: 3', 'epochs: 2').replace('  topPoses: { tag: vina_score, k: 3 }', '  topPoses: { tag: vina_score, k: 3 }\n  errorColumn: pK_error')}loss:
  weight: 0.5
  gaussianNll: { weight: 1, defaultError: 0.6 }
  poseCrossEntropy: { label: rmsd_to_reference, threshold: 2, weight: 0.1 }
augment:
  jitter: 0.1
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'posepool-losses-'));
  await cp(TYK2, path('tyk2'), { recursive: true });
  const lines = (await readFile(path('tyk2', 'affinities.csv'), 'utf8')).trim().split(/\r?\n/);
  const rows = lines.map((line, i) => {
    if (i === 0) return `${line},pK_error`;
    const error = i === 3 ? undefined : 0.2 + 0.05 * i;
    errors.set(line.split(',')[0]!, error);
    return `${line},${error ?? ''}`;
  });
  await writeFile(path('tyk2', 'affinities.csv'), `${rows.join('\n')}\n`);
  await writeFile(path('run.yaml'), CONFIG);
}, 60_000);

/** CSV rows as objects. */
const csv = async (file: string) => {
  const [header, ...lines] = (await readFile(file, 'utf8')).trim().split('\n');
  return lines.map((line) => Object.fromEntries(line.split(',').map((cell, k) => [header!.split(',')[k]!, cell])));
};

describe('posepool train and cv with loss terms and jitter', () => {
  it('trains; the validation loss of the kept epoch is 0.5 × squared error + Gaussian NLL of its predictions', async () => {
    const run = await runBin(['train', path('tyk2'), '-c', path('run.yaml'), '-o', path('run'), '--workers', '2']);
    expect(run.stderr).toMatch(/done: /);
    expect(run.code).toBe(0);
    const saved = await readFile(path('run', 'config.yaml'), 'utf8');
    expect(saved).toMatch(/errorColumn: pK_error/);
    expect(saved).toMatch(/augment:\n\s+jitter: 0\.1/);
    expect(saved).toMatch(/poseCrossEntropy:\n\s+label: rmsd_to_reference\n\s+threshold: 2\n\s+weight: 0\.1\n\s+temperature: 1/);
    const history = (await readFile(path('run', 'history.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { epoch: number; trainLoss: number; validationLoss: number });
    expect(history).toHaveLength(2);
    for (const record of history) expect(Number.isFinite(record.trainLoss) && Number.isFinite(record.validationLoss)).toBe(true);
    const { bestEpoch } = JSON.parse(await readFile(path('run', 'metrics.json'), 'utf8')) as { bestEpoch: number };
    const validation = new Map((await csv(path('run', 'predictions.csv'))).filter((r) => r.split === 'validation').map((r) => [r.id!, r]));
    expect(validation.size).toBeGreaterThan(0);
    const losses = [...validation.values()].map((r) => {
      const [y, yhat] = [Number(r.measured), Number(r.predicted)];
      const sigma = errors.get(r.id!) ?? 0.6;
      return 0.5 * (yhat - y) ** 2 + 0.5 * ((yhat - y) / sigma) ** 2 + Math.log(sigma) + 0.5 * Math.log(2 * Math.PI);
    });
    const mean = losses.reduce((s, v) => s + v, 0) / losses.length;
    expect(history[bestEpoch - 1]!.validationLoss).toBeCloseTo(mean, 4);
  }, 120_000);

  it('cross-validates with the same config', async () => {
    const cv = await runBin(['cv', path('tyk2'), '-c', path('run.yaml'), '--folds', '2', '-o', path('cv')]);
    expect(cv.code).toBe(0);
    expect(await readFile(path('cv', 'status'), 'utf8')).toBe('done\n');
    expect(await readFile(path('cv', 'folds', 'repeat-1', 'fold-1', 'config.yaml'), 'utf8')).toMatch(/augment:\n\s+jitter: 0\.1/);
  }, 120_000);

  it('stops before training, naming the compound, when a σ is missing and there is no default', async () => {
    await writeFile(path('strict.yaml'), CONFIG.replace('defaultError: 0.6', 'defaultError: null'));
    const run = await runBin(['train', path('tyk2'), '-c', path('strict.yaml'), '-o', path('strict')]);
    const missing = [...errors].find(([, e]) => e === undefined)![0];
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Compound '${missing}' of tyk2 has no measurement error (its data.errorColumn 'pK_error' cell is empty), which loss.gaussianNll needs.`);
    expect(await readFile(path('strict', 'history.jsonl'), 'utf8').catch(() => 'none')).toBe('none');
  }, 60_000);

  it('names the key of a bad loss term with its line', async () => {
    await writeFile(path('bad.yaml'), CONFIG.replace('threshold: 2', 'threshold: two'));
    const run = await runBin(['train', path('tyk2'), '-c', path('bad.yaml'), '-o', path('bad')]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/bad\.yaml:\d+:\d+: loss\.poseCrossEntropy\.threshold: /);
  }, 60_000);
});
