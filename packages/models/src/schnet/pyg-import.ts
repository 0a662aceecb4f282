import * as tf from '@tensorflow/tfjs';
import { PosePoolError, type SinglePoseModel, type Parameter } from '@posepool/core';

import { SchNet, type SchNetOptions } from './schnet.js';

/**
 * A PyTorch `state_dict` as JSON: parameter name → nested arrays of numbers, as written by
 * `json.dump({k: v.tolist() for k, v in model.state_dict().items()}, f)`.
 */
export type StateDict = Readonly<Record<string, unknown>>;

/** Where the SchNet keys sit in a state dict. */
export interface StateDictLayout {
  /** Prefix of the representation's keys (`''` for a PyG SchNet; e.g. `'representation.'` in a larger model). @defaultValue '' */
  prefix?: string;
  /** Prefix of the energy head's `weight` and `bias` (PyG: `lin2.`). @defaultValue 'lin2.' */
  headPrefix?: string;
}

interface Dense {
  shape: number[];
  values: number[];
}

function fail(message: string): never {
  throw new PosePoolError('E_SERIALIZATION', `PyG SchNet state dict: ${message}`);
}

/** Nested arrays → shape and row-major values, checking that they are rectangular and finite. */
function dense(value: unknown, key: string): Dense {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  const values: number[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(`'${key}' holds ${JSON.stringify(v)}, expected finite numbers.`);
      values.push(v as number);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) fail(`'${key}' is not a rectangular array (expected shape [${shape.join(', ')}]).`);
    for (const item of v as unknown[]) walk(item, depth + 1);
  };
  walk(value, 0);
  return { shape, values };
}

/**
 * The {@link SchNet} options a PyG state dict was trained with (all but `maxNumNeighbors`,
 * which a state dict does not record: pass the one used in training).
 *
 * @param stateDict - the state dict
 * @param layout - key prefixes
 * @returns hiddenChannels, numFilters, numInteractions, numGaussians, cutoff
 * @throws PosePoolError `E_SERIALIZATION` when the SchNet keys are not there
 * @example
 * ```ts
 * const schnet = new SchNet({ ...schNetOptionsFromStateDict(stateDict), maxNumNeighbors: 32 });
 * ```
 */
export function schNetOptionsFromStateDict(stateDict: StateDict, layout: StateDictLayout = {}): SchNetOptions {
  const prefix = layout.prefix ?? '';
  const get = (key: string): Dense => {
    if (!(prefix + key in stateDict)) fail(`no '${prefix}${key}' key${prefix === '' ? ' (pass { prefix } if the SchNet keys are prefixed)' : ''}.`);
    return dense(stateDict[prefix + key], prefix + key);
  };
  const embedding = get('embedding.weight');
  const filter = get('interactions.0.mlp.0.weight');
  const offsets = get('distance_expansion.offset');
  let numInteractions = 0;
  while (`${prefix}interactions.${numInteractions}.lin.weight` in stateDict) numInteractions++;
  return {
    hiddenChannels: embedding.shape[1]!,
    numFilters: filter.shape[0]!,
    numGaussians: filter.shape[1]!,
    numInteractions,
    cutoff: offsets.values.at(-1)!,
  };
}

/**
 * Loads the weights of a PyTorch Geometric SchNet (or an mtenn model built on one) into a
 * {@link SinglePoseModel} whose representation is a {@link SchNet} and whose strategy has one energy
 * head (`complex-only` or `delta`): the SchNet keys go to `representation.*` under the same
 * names, `lin2` to `strategy.head`. Strict: every key must be used, shapes must match, the
 * Gaussian centres must be the model's, and the shared `conv.nn` copies must equal `mlp`.
 * Nothing is assigned unless everything checks.
 *
 * @param model - the target model (e.g. a `MultiPoseModel` built with SchNet options from {@link schNetOptionsFromStateDict})
 * @param stateDict - the PyTorch state dict as JSON
 * @param layout - key prefixes
 * @throws PosePoolError `E_SERIALIZATION` naming the keys that are missing, unexpected or mis-shaped
 * @example
 * ```ts
 * const stateDict = JSON.parse(await readFile('schnet.json', 'utf8'));
 * loadPyGSchNetStateDict(model, stateDict);
 * ```
 */
export function loadPyGSchNetStateDict(model: SinglePoseModel, stateDict: StateDict, layout: StateDictLayout = {}): void {
  const prefix = layout.prefix ?? '';
  const headPrefix = layout.headPrefix ?? 'lin2.';
  const schnet = model.representationFor('complex');
  if (!(schnet instanceof SchNet) || !model.sharedRepresentation) fail('the model needs one shared SchNet representation.');
  const parameters = new Map<string, Parameter>(model.namedParameters());
  const assignments = new Map<Parameter, Dense>();
  const used = new Set<string>();

  const take = (key: string, path: string): void => {
    const parameter = parameters.get(path);
    if (parameter === undefined) fail(`'${key}' maps to '${path}', which the model does not have.`);
    if (!(key in stateDict)) fail(`missing '${key}' (for '${path}').`);
    const value = dense(stateDict[key], key);
    if (!tf.util.arraysEqual(value.shape, parameter.shape)) fail(`'${key}' has shape [${value.shape.join(', ')}]; '${path}' is [${parameter.shape.join(', ')}]. Build the model with schNetOptionsFromStateDict().`);
    assignments.set(parameter, value);
    used.add(key);
  };

  for (const [path] of schnet.namedParameters()) take(prefix + path, `representation.${path}`);
  const head = ['weight', 'bias'].map((name) => `strategy.head.${name}`);
  if (!head.every((path) => parameters.has(path))) fail(`'${headPrefix}*' is the energy head, but the model's strategy has no single head ('strategy.head'); use 'complex-only' or 'delta'.`);
  take(`${headPrefix}weight`, head[0]!);
  take(`${headPrefix}bias`, head[1]!);

  // PyG registers each filter network twice (mlp.* and conv.nn.*, one module): the copies must agree.
  for (const key of Object.keys(stateDict)) {
    const shared = key.startsWith(prefix) ? /^interactions\.(\d+)\.conv\.nn\.(.+)$/.exec(key.slice(prefix.length)) : null;
    if (shared === null) continue;
    const twin = `${prefix}interactions.${shared[1]}.mlp.${shared[2]}`;
    if (JSON.stringify(stateDict[key]) !== JSON.stringify(stateDict[twin])) fail(`'${key}' differs from '${twin}'; in a PyG SchNet they are one module.`);
    used.add(key);
  }
  const offsetKey = `${prefix}distance_expansion.offset`;
  if (offsetKey in stateDict) {
    const offsets = dense(stateDict[offsetKey], offsetKey).values;
    const expected = Array.from(schnet.offsets, Math.fround);
    if (offsets.length !== expected.length || offsets.some((v, g) => Math.abs(v - expected[g]!) > 1e-5 * schnet.options.cutoff)) {
      fail(`'${offsetKey}' = [${offsets.join(', ')}] does not match the model's Gaussian centres (cutoff ${schnet.options.cutoff}, ${expected.length} Gaussians).`);
    }
    used.add(offsetKey);
  }
  const unexpected = Object.keys(stateDict).filter((key) => !used.has(key) && key.startsWith(prefix));
  if (unexpected.length > 0) fail(`unexpected keys: ${unexpected.join(', ')}.`);

  for (const [parameter, value] of assignments) tf.tidy(() => parameter.variable.assign(tf.tensor(value.values, value.shape, 'float32')));
}
