import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { PosePoolError } from '@posepool/core';

import type { EpochRecord } from '../train/checkpoint.js';
import { writeFileAtomic } from './atomic.js';

/**
 * The files of a run directory.
 *
 * @example
 * ```ts
 * join('runs/a', RUN_FILES.metrics); // 'runs/a/metrics.json'
 * ```
 */
export const RUN_FILES = {
  config: 'config.yaml',
  split: 'split.json',
  model: 'model',
  checkpoint: 'checkpoint',
  history: 'history.jsonl',
  metrics: 'metrics.json',
  predictions: 'predictions.csv',
  plots: 'plots',
  report: 'report.html',
  status: 'status',
  /** An ensemble's member run directories, `members/0` … `members/K-1`. */
  members: 'members',
} as const;

/** A run's status, as in its `status` file. */
export type RunStatus = { readonly state: 'running' } | { readonly state: 'done' } | { readonly state: 'failed'; readonly reason: string };

/**
 * Writes a run's `status` file: `running`, `done`, or `failed: <reason>` (one line).
 *
 * @param dir - the run directory
 * @param status - the status
 * @example
 * ```ts
 * await writeStatus('runs/a', { state: 'failed', reason: 'NaN gradient' });
 * ```
 */
export async function writeStatus(dir: string, status: RunStatus): Promise<void> {
  const line = status.state === 'failed' ? `failed: ${status.reason.replace(/\s*\n\s*/g, ' ')}` : status.state;
  await writeFileAtomic(join(dir, RUN_FILES.status), `${line}\n`);
}

/**
 * Reads a run's status.
 *
 * @param dir - the run directory
 * @returns the status, or `undefined` when the directory holds no run
 * @example
 * ```ts
 * (await readStatus('runs/a'))?.state; // 'done'
 * ```
 */
export async function readStatus(dir: string): Promise<RunStatus | undefined> {
  const text = await readFile(join(dir, RUN_FILES.status), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const line = text.trim();
  if (line === 'running' || line === 'done') return { state: line };
  return { state: 'failed', reason: line.replace(/^failed:\s*/, '') };
}

/**
 * Reads a run's `history.jsonl`.
 *
 * @param dir - the run directory
 * @returns one record per finished epoch (empty when there is none yet)
 * @example
 * ```ts
 * const history = await readHistory('runs/a');
 * history.at(-1)?.validationLoss;
 * ```
 */
export async function readHistory(dir: string): Promise<EpochRecord[]> {
  const text = await readFile(join(dir, RUN_FILES.history), 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as EpochRecord);
}

/**
 * Refuses a directory that exists with anything in it (left-over `.partial` files of an
 * interrupted atomic write aside): a new run or cross-validation must not mix with an old one.
 *
 * @param dir - the directory about to be created or filled
 * @throws PosePoolError `E_RUN_DIR` naming it and how to continue it instead
 * @example
 * ```ts
 * await assertFreshDirectory('runs/tyk2');
 * ```
 */
export async function assertFreshDirectory(dir: string): Promise<void> {
  const entries = (await readdir(dir).catch(() => [])).filter((name) => !name.endsWith('.partial'));
  if (entries.length > 0) throw new PosePoolError('E_RUN_DIR', `${dir} exists and is not empty. Choose another --out, or continue it with --resume ${dir}.`);
}
