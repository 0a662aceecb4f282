import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

import { PosePoolError } from '@posepool/core';

import { LineCounter, isMap, isNode, isScalar, isSeq, parseDocument, stringify, type Node } from 'yaml';
import type { z } from 'zod';

import { isPluginPath } from '../plugins.js';
import { runConfigSchema, type RunConfig, type RunConfigInput } from './schema.js';

/** Maps a key path of a config to `file:line:col` (of the key itself, or of its value). */
export type ConfigLocator = (path: readonly PropertyKey[], at: 'key' | 'value') => string;

/** The keys an object schema accepts at `path`, for "valid keys" hints. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let node: z.ZodType | undefined = schema;
  const unwrap = (s: z.ZodType): z.ZodType => {
    const def = s.def as { type: string; innerType?: z.ZodType };
    return def.innerType !== undefined && ['default', 'prefault', 'nullable', 'optional'].includes(def.type) ? unwrap(def.innerType) : s;
  };
  for (const segment of [...path, null]) {
    if (node === undefined) return undefined;
    const s = unwrap(node) as z.ZodType & { shape?: Record<string, z.ZodType> };
    if (s.def.type !== 'object' || s.shape === undefined) return undefined;
    if (segment === null) return Object.keys(s.shape);
    node = s.shape[String(segment)];
  }
  return undefined;
}

/**
 * Validates a run config (an object from a file, or built in code) and fills in every default.
 *
 * @param input - the config as written
 * @param where - names the source in errors (a file name); `locate` maps a key path to `file:line:col`
 * @returns the resolved config
 * @throws PosePoolError `E_RUN_CONFIG` naming the first bad key, its place and the fix
 * @example
 * ```ts
 * const config = resolveRunConfig({ epochs: 3 });
 * ```
 */
export function resolveRunConfig(input: unknown, where: { source?: string; locate?: ConfigLocator } = {}): RunConfig {
  const parsed = runConfigSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0]! : undefined;
  const path = unknownKey === undefined ? issue.path : [...issue.path, unknownKey];
  const key = path.map(String).join('.') || '(top level)';
  const place = where.locate?.(path, unknownKey === undefined ? 'value' : 'key') ?? where.source ?? 'run config';
  let message: string;
  if (unknownKey !== undefined) {
    const valid = keysAt(runConfigSchema, issue.path) ?? [];
    message = `${place}: unknown key '${key}'. Remove it or use one of: ${valid.join(', ')}.`;
  } else {
    message = `${place}: ${key}: ${issue.message}. Fix the value (see 'posepool schema').`;
  }
  throw new PosePoolError('E_RUN_CONFIG', message, { cause: parsed.error });
}

/**
 * Reads a run config file (YAML or JSON), validates it strictly and fills in defaults. Errors
 * name the file, line and column of the bad key or value.
 *
 * @param file - a `.yaml`, `.yml` or `.json` file
 * @returns the resolved config
 * @throws PosePoolError `E_RUN_CONFIG`
 * @example
 * ```ts
 * const config = await readRunConfig('run.yaml');
 * ```
 */
export async function readRunConfig(file: string): Promise<RunConfig> {
  return resolveRunConfig(await readRunConfigInput(file));
}

/**
 * Reads a run config file as written (YAML or JSON), after checking it as {@link readRunConfig}
 * does: without the defaults filled in, so that a caller can tell which sections the file sets
 * (a run started from a saved model takes the saved model's architecture when the file has no
 * model section).
 *
 * @param file - a `.yaml`, `.yml` or `.json` file
 * @returns the config as written (valid; `resolveRunConfig` fills in the rest)
 * @throws PosePoolError `E_RUN_CONFIG` naming the file, line and column
 * @example
 * ```ts
 * const written = await readRunConfigInput('run.yaml');
 * written.model === undefined; // the file leaves the model to its default
 * ```
 */
export async function readRunConfigInput(file: string): Promise<RunConfigInput> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new PosePoolError('E_RUN_CONFIG', `${file}: cannot read the run config (${(cause as NodeJS.ErrnoException).code ?? String(cause)}). Check the path given to --config.`, { cause });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const pos = syntax.linePos?.[0];
    throw new PosePoolError('E_RUN_CONFIG', `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: not valid YAML or JSON (${syntax.code}: ${syntax.message.split('\n')[0]}). Fix the syntax.`, { cause: syntax });
  }
  const locate: ConfigLocator = (path, at) => {
    let node: unknown = doc.contents;
    let best: Node | null = doc.contents;
    for (const [k, segment] of path.entries()) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (pair === undefined) break;
        node = pair.value;
        best = ((at === 'key' && k === path.length - 1) || !isNode(pair.value) ? pair.key : pair.value) as Node;
      } else if (isSeq(node) && isNode(node.items[Number(segment)])) {
        node = node.items[Number(segment)];
        best = node as Node;
      } else break;
    }
    const pos = best?.range ? lineCounter.linePos(best.range[0]) : undefined;
    return pos === undefined ? file : `${file}:${pos.line}:${pos.col}`;
  };
  const value: unknown = doc.toJS();
  if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
    throw new PosePoolError('E_RUN_CONFIG', `${file}:1:1: a run config is a mapping of keys (model, data, epochs, …), not a ${Array.isArray(value) ? 'list' : typeof value}. See 'posepool schema'.`);
  }
  resolveRunConfig(value, { source: file, locate });
  return (value ?? {}) as RunConfigInput;
}

/**
 * The resolved config as YAML, as saved in a run directory's `config.yaml`.
 *
 * @param config - a resolved config
 * @returns YAML text
 * @example
 * ```ts
 * await writeFile('config.yaml', runConfigToYaml(resolveRunConfig({})));
 * ```
 */
export function runConfigToYaml(config: RunConfig): string {
  return stringify(config, { indent: 2, lineWidth: 0 });
}

/**
 * The run config with its data folders (`data` when given, else its own) and plugin paths made
 * absolute against `cwd`: saved so, a run resumes and evaluates from any directory.
 *
 * @param config - the resolved run config
 * @param cwd - where relative paths start
 * @param data - dataset folders that replace the config's
 * @returns the config with absolute `data.folders` and plugin paths (package names unchanged)
 * @example
 * ```ts
 * withAbsolutePaths(resolveRunConfig({ plugins: ['./my-plugin.js'] }), '/home/me/project', ['data/tyk2']);
 * ```
 */
export function withAbsolutePaths(config: RunConfig, cwd: string, data?: readonly string[]): RunConfig {
  const folders = (data ?? config.data.folders).map((f) => resolve(cwd, f));
  const plugins = config.plugins.map((p) => (isPluginPath(p) ? resolve(cwd, p) : p));
  return { ...config, plugins, data: { ...config.data, folders } };
}
