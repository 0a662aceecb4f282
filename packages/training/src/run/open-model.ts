import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { MODEL_FILE, PosePoolError, loadModel, useBackend, type MultiPoseModel, type Plugin } from '@posepool/core';

import { readRunConfig, resolveRunConfig } from '../config/load.js';
import type { RunConfig } from '../config/schema.js';
import type { Split } from '../data/split.js';
import { memberDirectories } from '../ensemble/ensemble.js';
import { importPlugins, runRegistry } from '../plugins.js';
import { RUN_FILES } from './run-directory.js';

/** A loaded model and, when it came from a run directory, the run's config and split. */
export interface OpenedModel {
  /** The model; for an ensemble run, its first member. */
  readonly model: MultiPoseModel;
  /** An ensemble run's members, in order (the first is `model`); predict them with `predictOpened` and free them with `disposeOpened`. */
  readonly members?: readonly MultiPoseModel[];
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
 * Opens a run directory (its `model/`, config and split), an ensemble run directory (every
 * member's `model/`) or a bare model directory, registering the run's plugins and the given ones
 * first.
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
  const config = isRun ? await readRunConfig(join(dir, RUN_FILES.config)) : resolveRunConfig({});
  const modelDirs = !isRun ? [dir] : config.ensemble > 1 ? memberDirectories(dir, config.ensemble).map((m) => join(m, RUN_FILES.model)) : [join(dir, RUN_FILES.model)];
  for (const [i, modelDir] of modelDirs.entries()) {
    if (await exists(join(modelDir, MODEL_FILE))) continue;
    const problem = !isRun
      ? `neither a run directory (${RUN_FILES.config} + ${RUN_FILES.model}/) nor a model directory (${MODEL_FILE})`
      : config.ensemble > 1
        ? `ensemble member ${i} has no ${RUN_FILES.model}/ yet (see the status file)`
        : `the run has no ${RUN_FILES.model}/ yet (see its status file)`;
    throw new PosePoolError('E_RUN_DIR', `${path}: ${problem}. Give the --out of a finished 'posepool train', or its model/ folder.`);
  }
  await useBackend(config.backend);
  const registry = runRegistry([...(options.plugins ?? []), ...(await importPlugins(config.plugins, options.cwd))]);
  const models: MultiPoseModel[] = [];
  try {
    for (const modelDir of modelDirs) {
      models.push(
        await loadModel(modelDir, registry).catch((error: unknown) => {
          if (!(error instanceof PosePoolError) || error.code !== 'E_SERIALIZATION') throw error;
          throw new PosePoolError('E_SERIALIZATION', `${error.message} Give a model directory written by 'posepool train' (its model/ folder) or by saveModel().`, { cause: error });
        }),
      );
    }
  } catch (error) {
    for (const m of models) m.dispose();
    throw error;
  }
  const [model] = models as [MultiPoseModel, ...MultiPoseModel[]];
  const members = models.length > 1 ? { members: models } : {};
  if (!isRun) return { model, config };
  const split = JSON.parse(await readFile(join(dir, RUN_FILES.split), 'utf8')) as Split;
  return { model, ...members, config, run: { dir, split } };
}
