// Transfer learning: a run that starts from the weights of a saved model.
import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { MODEL_FILE, PosePoolError, loadModel, modelConfigOf, modelConfigSchema, type MultiPoseModel, type Registry } from '@posepool/core';

import type { RunConfig } from '../config/schema.js';
import { RUN_FILES } from '../run/run-directory.js';

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * Whether a parameter path lies under a prefix, segment by segment: `strategy.head` covers
 * `strategy.head.bias` (and itself), not `strategy.header.bias`. A trailing dot is ignored.
 *
 * @param path - a parameter path, e.g. `representation.lin1.weight`
 * @param prefix - e.g. `representation` or `strategy.head`
 * @returns whether `prefix` covers `path`
 * @example
 * ```ts
 * underPrefix('strategy.head.bias', 'strategy.head'); // true
 * underPrefix('strategy.header.bias', 'strategy.head'); // false
 * ```
 */
export function underPrefix(path: string, prefix: string): boolean {
  const p = prefix.endsWith('.') ? prefix.slice(0, -1) : prefix;
  return path === p || path.startsWith(`${p}.`);
}

/**
 * The model's parameter paths that a list of prefixes covers (see {@link underPrefix}). A prefix
 * that covers nothing is a mistake (a typo, or another architecture) and an error.
 *
 * @param model - the run's model
 * @param prefixes - parameter path prefixes
 * @param key - the config key the prefixes come from, for the error
 * @param trainableOnly - keep only trainable parameters
 * @returns the covered paths, in the model's order
 * @throws PosePoolError `E_RUN_CONFIG` naming the prefix and the model's parameter groups
 * @example
 * ```ts
 * parametersUnder(model, ['representation'], 'init.freeze'); // Set { 'representation.embedding.weight', … }
 * ```
 */
export function parametersUnder(model: MultiPoseModel, prefixes: readonly string[], key: string, trainableOnly = false): Set<string> {
  const paths = model
    .namedParameters()
    .filter(([, p]) => !trainableOnly || p.variable.trainable)
    .map(([path]) => path);
  for (const prefix of prefixes) {
    if (!paths.some((path) => underPrefix(path, prefix))) {
      const groups = [...new Set(paths.map((path) => path.split('.').slice(0, 2).join('.')))];
      throw new PosePoolError('E_RUN_CONFIG', `${key}: '${prefix}' matches no ${trainableOnly ? 'trainable ' : ''}parameter of the model. Use a prefix of its parameter paths: ${groups.join(', ')}.`);
    }
  }
  return new Set(paths.filter((path) => prefixes.some((prefix) => underPrefix(path, prefix))));
}

/**
 * The saved model directory that `init.model` (or `--init`) names: a finished run directory's
 * `model/`, or a model directory itself.
 *
 * @param path - a run directory or a model directory
 * @returns the absolute model directory
 * @throws PosePoolError `E_RUN_DIR` when the path is neither
 * @example
 * ```ts
 * await initModelDirectory('runs/pretrained'); // '/…/runs/pretrained/model'
 * ```
 */
export async function initModelDirectory(path: string): Promise<string> {
  const dir = resolve(path);
  if (await exists(join(dir, RUN_FILES.model, MODEL_FILE))) return join(dir, RUN_FILES.model);
  if (await exists(join(dir, MODEL_FILE))) return dir;
  if (await exists(join(dir, RUN_FILES.members, '0'))) {
    throw new PosePoolError('E_RUN_DIR', `--init ${path}: an ensemble run, which holds several models. Give one member's run directory, e.g. ${join(path, RUN_FILES.members, '0')}.`);
  }
  const unfinished = await exists(join(dir, RUN_FILES.config));
  throw new PosePoolError(
    'E_RUN_DIR',
    `--init ${path}: ${unfinished ? `the run has no ${RUN_FILES.model}/ yet (see its status file)` : `neither a run directory (${RUN_FILES.config} + ${RUN_FILES.model}/) nor a model directory (${MODEL_FILE})`}. Give the --out of a finished 'posepool train', or its model/ folder.`,
  );
}

/**
 * The model config a saved model was built from, so that a run started from it without a model
 * section of its own gets the same architecture.
 *
 * @param path - a run directory or a model directory
 * @returns the saved model config, validated
 * @throws PosePoolError `E_RUN_DIR` or `E_SERIALIZATION`
 * @example
 * ```ts
 * const model = await savedModelConfig('runs/pretrained');
 * ```
 */
export async function savedModelConfig(path: string): Promise<RunConfig['model']> {
  const file = join(await initModelDirectory(path), MODEL_FILE);
  let config: unknown;
  try {
    config = (JSON.parse(await readFile(file, 'utf8')) as { config?: unknown }).config;
  } catch (cause) {
    throw new PosePoolError('E_SERIALIZATION', `${file}: not a readable PosePool model file (${(cause as Error).message}). Give a model written by 'posepool train'.`, { cause });
  }
  const parsed = modelConfigSchema.safeParse(config);
  if (!parsed.success) throw new PosePoolError('E_SERIALIZATION', `${file}: its model config is not valid (${parsed.error.issues[0]?.message ?? 'unknown'}). Give a model written by 'posepool train'.`, { cause: parsed.error });
  return parsed.data;
}

/** Leaves of a JSON value by dotted path. */
function leaves(value: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) leaves(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else out.set(prefix, value);
  return out;
}

/** The first model config setting that differs between the saved model and the run (seeds aside), as a sentence. */
function configDifference(saved: MultiPoseModel, model: MultiPoseModel): string | undefined {
  const [a, b] = [saved, model].map((m) => leaves(modelConfigOf(m), '', new Map()));
  const show = (v: unknown): string => (v === undefined ? 'unset' : JSON.stringify(v));
  const keys = [...new Set([...a!.keys(), ...b!.keys()])].filter((k) => !/(^|\.)seed$/.test(k));
  const differs = (k: string): boolean => JSON.stringify(a!.get(k)) !== JSON.stringify(b!.get(k));
  // A setting both configs spell out says more than one that only one of them writes down (a default).
  const key = keys.find((k) => a!.has(k) && b!.has(k) && differs(k)) ?? keys.find(differs);
  return key === undefined ? undefined : `model.${key} is ${show(a!.get(key))} in the saved model and ${show(b!.get(key))} in the run config`;
}

/**
 * Starts a freshly built model from a saved one: every parameter takes the saved value except
 * those under a `reinitialize` prefix, which keep their fresh initialisation. The architectures
 * must match: every parameter path and shape equal.
 *
 * @param model - the run's model, freshly built from its config
 * @param saved - the saved model (not disposed)
 * @param options - `source` names the saved model in errors; `reinitialize` holds the paths to leave fresh
 * @returns the paths copied
 * @throws PosePoolError `E_CONFIG` naming the first differing path, both shapes and the config setting to change
 * @example
 * ```ts
 * initializeFrom(model, await loadModel('runs/pretrained/model', registry), { source: 'runs/pretrained', reinitialize: new Set(['strategy.head.bias']) });
 * ```
 */
export function initializeFrom(model: MultiPoseModel, saved: MultiPoseModel, options: { source: string; reinitialize?: ReadonlySet<string> }): string[] {
  const mine = model.namedParameters();
  const theirs = new Map(saved.namedParameters().map(([path, p]) => [path, p.variable]));
  const shape = (s: readonly number[] | undefined): string => (s === undefined ? 'absent' : `[${s.join(', ')}]`);
  const mismatch = (path: string, savedShape: readonly number[] | undefined, runShape: readonly number[] | undefined): never => {
    const hint = configDifference(saved, model);
    throw new PosePoolError(
      'E_CONFIG',
      `--init ${options.source}: the saved model does not fit the run's model: parameter '${path}' is ${shape(savedShape)} in the saved model and ${shape(runShape)} in the run's${hint === undefined ? '' : ` (${hint})`}. ` +
        `Make the run config's model section match the saved model's, or leave it out to take the saved model's.`,
    );
  };
  for (const [path, p] of mine) {
    const other = theirs.get(path);
    if (other === undefined || !tf.util.arraysEqual(other.shape, p.variable.shape)) mismatch(path, other?.shape, p.variable.shape);
  }
  const paths = new Set(mine.map(([path]) => path));
  for (const [path, v] of theirs) if (!paths.has(path)) mismatch(path, v.shape, undefined);
  const copied: string[] = [];
  for (const [path, p] of mine) {
    if (options.reinitialize?.has(path) === true) continue;
    p.variable.assign(theirs.get(path)!);
    copied.push(path);
  }
  return copied;
}

/**
 * Applies a run's `init` section to its freshly built model: loads the saved model, copies its
 * weights (all but the re-initialised ones) and says which parameters those were.
 *
 * @param model - the run's model, freshly built
 * @param init - the run config's `init` section (its `model` set)
 * @param registry - the run's registry (it must know the saved model's components)
 * @returns the re-initialised paths
 * @throws PosePoolError as {@link initializeFrom} and `loadModel` do
 * @example
 * ```ts
 * const fresh = await initializeRun(model, config.init, registry);
 * ```
 */
export async function initializeRun(model: MultiPoseModel, init: RunConfig['init'], registry: Registry): Promise<Set<string>> {
  const source = init.model!;
  const reinitialize = parametersUnder(model, init.reinitialize, 'init.reinitialize');
  const saved = await loadModel(await initModelDirectory(source), registry);
  try {
    initializeFrom(model, saved, { source, reinitialize });
  } finally {
    saved.dispose();
  }
  return reinitialize;
}
