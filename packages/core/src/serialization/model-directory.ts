import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

import { PosePoolError } from '../errors.js';
import { buildModel, modelConfigOf, modelConfigSchema, type ModelConfig } from '../model/config.js';
import type { MultiPoseModel } from '../model/multi-pose-model.js';
import { withParameterBudget } from '../nn/parameter-budget.js';
import { configOf, providerOf, type ComponentKind, type Registry } from '../registry/registry.js';
import { POSEPOOL_VERSION } from '../version.js';
import { readConfinedFile } from './confined-file.js';

/**
 * File names inside a saved model directory.
 *
 * @example
 * ```ts
 * join(dir, MODEL_FILE); // dir/posepool-model.json
 * ```
 */
export const MODEL_FILE = 'posepool-model.json';
/**
 * The weights file, referenced from the TF.js weights manifest in {@link MODEL_FILE}.
 *
 * @example
 * ```ts
 * join(dir, WEIGHTS_FILE); // dir/weights.bin
 * ```
 */
export const WEIGHTS_FILE = 'weights.bin';
/**
 * Options of {@link loadModel}: a model directory is untrusted input, read within these limits.
 *
 * @example
 * ```ts
 * await loadModel(dir, registry, { maxWeightBytes: 8 * 2 ** 30 }); // a trusted 8 GiB model
 * ```
 */
export interface LoadModelOptions {
  /** Accept weights that are NaN or ±Infinity (every prediction of such a model is NaN). @defaultValue false */
  allowNonFinite?: boolean;
  /** The largest weights file accepted, in bytes. @defaultValue 2 GiB (536 870 912 float32 parameters) */
  maxWeightBytes?: number;
  /** The largest `posepool-model.json` accepted, in bytes. @defaultValue 16 MiB */
  maxModelFileBytes?: number;
}

const LOAD_DEFAULTS = { allowNonFinite: false, maxWeightBytes: 2 * 1024 ** 3, maxModelFileBytes: 16 * 1024 ** 2 } satisfies Required<LoadModelOptions>;

const FORMAT = 'posepool-model';
const FORMAT_VERSION = 1;

const manifestSchema = z
  .object({
    format: z.literal(FORMAT),
    formatVersion: z.number().int(),
    posepoolVersion: z.string(),
    config: modelConfigSchema,
    /** `kind:name` → the plugin that provides it, so a load without that plugin can name it. */
    plugins: z.record(z.string(), z.string()).optional(),
    weightsManifest: z
      .array(
        z
          .object({
            paths: z.array(z.string()).length(1),
            weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), dtype: z.string() }).strict()),
          })
          .strict(),
      )
      .length(1),
  })
  .strict();

function fail(dir: string, file: string | undefined, message: string, cause?: unknown): never {
  throw new PosePoolError('E_SERIALIZATION', `${file === undefined ? dir : join(dir, file)}: ${message}`, cause === undefined ? undefined : { cause });
}

/** Whether a model saved by `saved` loads in this version: same major (same minor while 0.x). */
function compatible(saved: string): boolean {
  const [a, b] = [saved, POSEPOOL_VERSION].map((v) => v.split('.').map(Number));
  if (a!.length < 2 || a!.some((n) => !Number.isInteger(n))) return false;
  return a![0] === b![0] && (a![0]! > 0 || a![1] === b![1]);
}

/**
 * Saves a model as one directory: `posepool-model.json` (format version, PosePool version, the
 * config naming every component and its options, and a TF.js weights manifest) and
 * `weights.bin` (float32 weights named by parameter path). The directory is assembled under a
 * temporary name and renamed into place, so no reader sees half a model; replacing a saved
 * model moves the old one aside for that rename (and back if it fails).
 *
 * @param model - a model whose components were created through a registry
 * @param dir - the directory to write (replaced if it holds a saved model; refused if it holds anything else)
 * @throws PosePoolError `E_SERIALIZATION`
 * @example
 * ```ts
 * await saveModel(model, 'runs/tyk2/model');
 * ```
 */
export async function saveModel(model: MultiPoseModel, dir: string): Promise<void> {
  const config = modelConfigOf(model);
  const named = model.namedParameters().map(([name, p]) => ({ name, tensor: p.variable as tf.Tensor }));
  const { data, specs } = await tf.io.encodeWeights(named);
  const manifest = {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    posepoolVersion: POSEPOOL_VERSION,
    config,
    plugins: providers(model),
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs }],
  };
  const existing = await stat(dir).catch(() => undefined);
  if (existing !== undefined) {
    const isModel = await stat(join(dir, MODEL_FILE)).then(() => true, () => false);
    if (!existing.isDirectory() || !isModel) fail(dir, undefined, `exists and is not a saved PosePool model; refusing to overwrite it. Choose another path or remove it.`);
  }
  const suffix = `${process.pid}-${Date.now().toString(36)}`;
  const temp = join(dirname(dir), `.${basename(dir)}.tmp-${suffix}`);
  const old = join(dirname(dir), `.${basename(dir)}.old-${suffix}`);
  let movedAside = false;
  try {
    await mkdir(temp, { recursive: true });
    await writeFile(join(temp, WEIGHTS_FILE), new Uint8Array(data));
    await writeFile(join(temp, MODEL_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    if (existing !== undefined) {
      await rename(dir, old);
      movedAside = true;
    }
    await rename(temp, dir);
    if (movedAside) await rm(old, { recursive: true, force: true });
  } catch (cause) {
    // Put the previous model back if the new one did not take its place.
    if (movedAside) await rename(old, dir).catch(() => undefined);
    await rm(temp, { recursive: true, force: true });
    if (cause instanceof PosePoolError) throw cause;
    fail(dir, undefined, `could not be written (${(cause as Error).message}).`, cause);
  }
}

/**
 * Loads a model saved by {@link saveModel}, treating the directory as untrusted input and
 * checking before allocating anything: the model file is a regular file within
 * `maxModelFileBytes`; its config and weights manifest are valid (unknown keys, unknown
 * component names and an incompatible PosePool version are refused); the weights path stays
 * inside the directory (symbolic links included); the weights file is a regular file of exactly
 * the size the manifest's shapes need, within `maxWeightBytes`; every weight is finite (unless
 * `allowNonFinite`). Only then is the model built, with the manifest's parameter count as a hard
 * budget (a config whose layers need more fails before they allocate), and the weights are
 * matched to it by name, shape and dtype.
 *
 * @param dir - the saved model directory
 * @param registry - must know every component the config names
 * @param options - limits, and whether non-finite weights are accepted
 * @returns the model with its saved weights
 * @throws PosePoolError `E_SERIALIZATION` (or `E_REGISTRY_MISSING` / `E_CONFIG` for the config), naming the file and the fix
 * @example
 * ```ts
 * const model = await loadModel('runs/tyk2/model', createRegistry().use(corePlugin).use(combinationsPlugin));
 * ```
 */
export async function loadModel(dir: string, registry: Registry, options: LoadModelOptions = {}): Promise<MultiPoseModel> {
  const limits = { ...LOAD_DEFAULTS, ...options };
  const text = (
    await readConfinedFile(dir, MODEL_FILE, { maxBytes: limits.maxModelFileBytes }).catch((cause: PosePoolError) => {
      throw new PosePoolError('E_SERIALIZATION', `${cause.message} Is this a saved PosePool model directory?`, { cause });
    })
  ).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    fail(dir, MODEL_FILE, `is not valid JSON (${(cause as Error).message}).`, cause);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    fail(dir, MODEL_FILE, `is not a valid PosePool model file: ${problems}.`, parsed.error);
  }
  const manifest = parsed.data;
  if (manifest.formatVersion !== FORMAT_VERSION) {
    fail(dir, MODEL_FILE, `has format version ${manifest.formatVersion}; this PosePool (${POSEPOOL_VERSION}) reads version ${FORMAT_VERSION}.`);
  }
  if (!compatible(manifest.posepoolVersion)) {
    fail(dir, MODEL_FILE, `was saved by PosePool ${manifest.posepoolVersion}, which is incompatible with this version (${POSEPOOL_VERSION}). Load it with PosePool ${manifest.posepoolVersion}.`);
  }
  const group = manifest.weightsManifest[0]!;
  const parameters = manifestSize(group.weights, limits.maxWeightBytes, dir);
  assertProvided(manifest.config, manifest.plugins ?? {}, registry, join(dir, MODEL_FILE));
  const weightsFile = group.paths[0]!;
  const buffer = await readConfinedFile(dir, weightsFile, { maxBytes: limits.maxWeightBytes, exactBytes: 4 * parameters });
  const values = new Float32Array(parameters);
  new Uint8Array(values.buffer).set(buffer);
  if (!limits.allowNonFinite) assertFinite(values, group.weights, dir, weightsFile);
  let model: MultiPoseModel;
  try {
    model = withParameterBudget(parameters, () => buildModel(manifest.config, registry));
  } catch (cause) {
    if (!(cause instanceof PosePoolError) || !/parameter values, more than/.test(cause.message)) throw cause;
    fail(dir, MODEL_FILE, `the config describes a bigger model than its weights manifest (${parameters} values): ${cause.message}. The config or the manifest was edited after saving; re-save the model.`, cause);
  }
  try {
    assignWeights(model, group.weights, values, dir);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/** The manifest's parameter count, after checking dtypes, names and the size limit. */
function manifestSize(specs: ReadonlyArray<{ name: string; shape: number[]; dtype: string }>, maxBytes: number, dir: string): number {
  let total = 0;
  const names = new Set<string>();
  for (const spec of specs) {
    if (spec.dtype !== 'float32') fail(dir, MODEL_FILE, `weight '${spec.name}' has dtype ${spec.dtype}; expected float32.`);
    if (names.has(spec.name)) fail(dir, MODEL_FILE, `weight '${spec.name}' is listed twice.`);
    names.add(spec.name);
    total += spec.shape.reduce((a, b) => a * b, 1);
    if (4 * total > maxBytes) fail(dir, MODEL_FILE, `the weights manifest declares more than ${maxBytes} bytes of weights (at '${spec.name}' [${spec.shape.join(', ')}]). Pass a larger maxWeightBytes if the model is trusted.`);
  }
  return total;
}

/** Refuses NaN and ±Infinity, naming the first weight that holds one. */
function assertFinite(values: Float32Array, specs: ReadonlyArray<{ name: string; shape: number[] }>, dir: string, file: string): void {
  let offset = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    for (let k = offset; k < offset + size; k++) {
      if (!Number.isFinite(values[k]!)) fail(dir, file, `weight '${spec.name}' holds ${values[k]} (value ${k - offset}); every prediction would be NaN. Retrain or re-save the model, or pass { allowNonFinite: true } to load it anyway.`);
    }
    offset += size;
  }
}

/** The components of a model as `kind`, config name and instance. */
function components(model: MultiPoseModel): Array<[ComponentKind, object]> {
  const representations = new Set((['complex', 'protein', 'ligand'] as const).map((part) => model.representationFor(part)));
  const all: Array<[ComponentKind, object | undefined]> = [
    ...[...representations].map((r): [ComponentKind, object | undefined] => ['representation', r]),
    ['strategy', model.strategy],
    ['readout', model.poseReadout],
    ['combination', model.combination],
    ['readout', model.readout],
  ];
  return all.filter((entry): entry is [ComponentKind, object] => entry[1] !== undefined);
}

function providers(model: MultiPoseModel): Record<string, string> {
  return Object.fromEntries(components(model).map(([kind, component]) => [`${kind}:${configOf(component)!.name}`, providerOf(component)!]));
}

/** Fails with the plugin to install when the registry lacks a component the saved model needs. */
function assertProvided(config: ModelConfig, plugins: Record<string, string>, registry: Registry, file: string): void {
  const representation = 'name' in config.representation ? [config.representation] : Object.values(config.representation);
  const needed: Array<[ComponentKind, { name: string } | undefined]> = [
    ...representation.map((r): [ComponentKind, { name: string } | undefined] => ['representation', r as { name: string } | undefined]),
    ['strategy', config.strategy],
    ['readout', config.poseReadout],
    ['combination', config.combination],
    ['readout', config.readout],
  ];
  for (const [kind, component] of needed) {
    if (component === undefined || registry.has(kind, component.name)) continue;
    const plugin = plugins[`${kind}:${component.name}`];
    if (plugin === undefined) continue; // buildModel lists what is registered
    throw new PosePoolError(
      'E_REGISTRY_MISSING',
      `${file}: the model needs ${kind} '${component.name}' from the plugin '${plugin}', which this registry does not have. Install ${plugin} and pass its plugin to registry.use() before loading.`,
    );
  }
}

function assignWeights(model: MultiPoseModel, specs: Array<{ name: string; shape: number[]; dtype: string }>, values: Float32Array, dir: string): void {
  const parameters = new Map(model.namedParameters());
  const saved = new Set(specs.map((s) => s.name));
  const missing = [...parameters.keys()].filter((name) => !saved.has(name));
  const extra = specs.map((s) => s.name).filter((name) => !parameters.has(name));
  if (missing.length > 0 || extra.length > 0) {
    fail(dir, MODEL_FILE, `weights do not match the model its config describes${missing.length > 0 ? `; missing: ${missing.join(', ')}` : ''}${extra.length > 0 ? `; not in the model: ${extra.join(', ')}` : ''}.`);
  }
  for (const spec of specs) {
    const shape = parameters.get(spec.name)!.shape;
    if (!tf.util.arraysEqual(spec.shape, shape)) fail(dir, MODEL_FILE, `weight '${spec.name}' has shape [${spec.shape.join(', ')}]; the model expects [${shape.join(', ')}].`);
  }
  let offset = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const tensor = tf.tensor(values.subarray(offset, offset + size), spec.shape, 'float32');
    offset += size;
    try {
      parameters.get(spec.name)!.variable.assign(tensor);
    } finally {
      tensor.dispose();
    }
  }
}
