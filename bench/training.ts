// Training run on held-out data: the default model trained on the benchmark targets in
// ../shared/data (cdk8, mcl1, p38, ptp1b; the 3 best-scored Vina poses per ligand) with a seeded
// scaffold split, then evaluated on the test compounds against the best Vina score as baseline.
// Writes bench/results/training.json and bench/results/training-parity.svg. Run:
// pnpm --filter @posepool/bench run bench:training   (about 3 minutes on 2 cores)
import { copyFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs';
import { evaluate, train } from '@posepool/training';

import { machine, sharedPath, writeResult } from './lib.js';

tf.enableProdMode();
const here = dirname(fileURLToPath(import.meta.url));
const shared = sharedPath('data');
if (shared === undefined) throw new Error('bench:training needs ../shared/data (no synthetic fallback: metrics on random poses mean nothing).');
const targets = ['p38', 'mcl1', 'ptp1b', 'cdk8'];
const config = {
  data: { topPoses: { tag: 'vina_score', k: 3 } },
  split: { kind: 'scaffold' as const, validation: 0.15, test: 0.2 },
  epochs: 8,
  batchSize: 8,
};
const out = join(await mkdtemp(join(tmpdir(), 'posepool-training-bench-')), 'run');
const start = performance.now();
const run = await train(config, { data: targets.map((t) => join(shared, t)), out, onEpoch: (r) => console.log(`epoch ${r.epoch}: train ${r.trainLoss.toFixed(3)}, validation ${r.validationLoss?.toFixed(3)}, ${r.posesPerSecond.toFixed(1)} poses/s`) });
const trainSeconds = (performance.now() - start) / 1000;
const { evaluation } = await evaluate(out, { split: 'test', baseline: 'vina_score', out: join(out, 'evaluation') });
await copyFile(join(out, 'evaluation', 'plots', 'parity.svg'), join(here, 'results', 'training-parity.svg'));
const history = (await readFile(join(out, 'history.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
const path = await writeResult('training', {
  machine: machine(),
  targets,
  // The folders as seen from the repository, not this machine's absolute paths.
  config: { ...run.config, data: { ...run.config.data, folders: targets.map((t) => `../shared/data/${t}`) } },
  trainSeconds,
  keptEpoch: 'bestEpoch' in run.metrics ? run.metrics.bestEpoch : null,
  history,
  test: evaluation,
});
console.log(`wrote ${path}: trained in ${trainSeconds.toFixed(0)} s; test RMSE ${evaluation.model.pooled.rmse.value.toFixed(2)}, r ${evaluation.model.pooled.pearson.value.toFixed(2)}; baseline r ${evaluation.baseline?.pooled.pearson.value.toFixed(2)}`);
