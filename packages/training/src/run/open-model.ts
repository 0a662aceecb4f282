import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { MODEL_FILE, PosePoolError, loadModel, useBackend, type MultiPoseModel, type Plugin } from '@posepool/core';

import { readRunConfig, resolveRunConfig } from '../config/load.js';
import type { RunConfig } from '../config/schema.js';
import type { Split } from '../data/split.js';
import { importPlugins, runRegistry } from '../plugins.js';
import { RUN_FILES } from './run-directory.js';

/** A loaded model and, when it came from a run directory, the run's config and split. */
export interface OpenedModel {
  readonly model: MultiPoseModel;
  /** The run's resolved config, or the defaults for a bare model directory (its `data` section featurizes new folders). */
  readonly config: RunConfig;
  /** The run directory and its split, when the path was a run. */
  readonly run?: { readonly dir: string; readonly split: Split };
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * Opens a run directory (its `model/`, config and split) or a bare model directory, registering
 * the run's plugins and the given ones first.
 *
 * @param path - a run directory or a model directory
 * @param options - extra plugins; where plugin paths resolve
 * @returns the model, the config whose `data` section featurizes new data as in training, and the run
 * @throws PosePoolError `E_RUN_DIR` when the path is neither, or the run has not finished
 * @example
 * ```ts
 * const { model, run } = await openModel('runs/tyk2');
 * ```
 */
export async function openModel(path: string, options: { plugins?: readonly Plugin[]; cwd?: string } = {}): Promise<OpenedModel> {
  const dir = resolve(path);
  const isRun = await exists(join(dir, RUN_FILES.config));
  const modelDir = isRun ? join(dir, RUN_FILES.model) : dir;
  if (!(await exists(join(modelDir, MODEL_FILE)))) {
    const problem = isRun ? `the run has no ${RUN_FILES.model}/ yet (see its status file)` : `neither a run directory (${RUN_FILES.config} + ${RUN_FILES.model}/) nor a model directory (${MODEL_FILE})`;
    throw new PosePoolError('E_RUN_DIR', `${path}: ${problem}. Give the --out of a finished 'posepool train', or its model/ folder.`);
  }
  const config = isRun ? await readRunConfig(join(dir, RUN_FILES.config)) : resolveRunConfig({});
  await useBackend(config.backend);
  const registry = runRegistry([...(options.plugins ?? []), ...(await importPlugins(config.plugins, options.cwd))]);
  const model = await loadModel(modelDir, registry).catch((error: unknown) => {
    if (!(error instanceof PosePoolError) || error.code !== 'E_SERIALIZATION') throw error;
    throw new PosePoolError('E_SERIALIZATION', `${error.message} Give a model directory written by 'posepool train' (its model/ folder) or by saveModel().`, { cause: error });
  });
  if (!isRun) return { model, config };
  const split = JSON.parse(await readFile(join(dir, RUN_FILES.split), 'utf8')) as Split;
  return { model, config, run: { dir, split } };
}
