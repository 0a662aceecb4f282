import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { combinationsPlugin } from '@posepool/combinations';
import { PosePoolError, COMPONENT_KINDS, corePlugin, createRegistry, type ComponentKind, type Plugin, type Registry } from '@posepool/core';
import { modelsPlugin } from '@posepool/models';


/**
 * Whether a `--plugin` value is a path (`./x.js`, `../x`, `/abs/x.js`) rather than a package name.
 *
 * @param spec - the value
 * @returns true for a path
 * @example
 * ```ts
 * isPluginPath('./my-plugin.js'); // true
 * isPluginPath('posepool-plugin-foo'); // false
 * ```
 */
export function isPluginPath(spec: string): boolean {
  return /^(\.{1,2}[\\/]|\/|[A-Za-z]:\\)/.test(spec);
}

const isPlugin = (value: unknown): value is Plugin =>
  typeof value === 'object' && value !== null && typeof (value as Plugin).name === 'string' && Array.isArray((value as Plugin).components);

/**
 * Imports plugin packages (or files) and returns the plugins they export (the default export and
 * every named export made by `definePlugin`). Package names resolve from `cwd`; paths are relative to it.
 *
 * @param specs - package names or paths, e.g. `posepool-plugin-foo` or `./my-plugin.js`
 * @param cwd - where names and paths resolve from
 * @param load - imports a module by URL (worker threads of a source checkout pass their own)
 * @returns the plugins, in order, without repeats
 * @throws PosePoolError `E_USAGE` when a package cannot be imported or exports no plugin
 * @example
 * ```ts
 * const plugins = await importPlugins(['posepool-plugin-power-mean']);
 * ```
 */
export async function importPlugins(specs: readonly string[], cwd = process.cwd(), load: (url: string) => Promise<unknown> = (url) => import(url)): Promise<Plugin[]> {
  const plugins: Plugin[] = [];
  for (const spec of specs) {
    const isPath = isPluginPath(spec);
    let module: Record<string, unknown>;
    try {
      const url = isPath ? pathToFileURL(resolve(cwd, spec)).href : pathToFileURL(createRequire(join(cwd, 'package.json')).resolve(spec)).href;
      module = (await load(url)) as Record<string, unknown>;
    } catch (cause) {
      throw new PosePoolError('E_USAGE', `--plugin ${spec}: cannot import it (${(cause as Error).message.split('\n')[0]}). Install the package in this project, or give a path starting with ./`, { cause });
    }
    const found = Object.values(module).filter(isPlugin);
    if (found.length === 0) throw new PosePoolError('E_USAGE', `--plugin ${spec}: the module exports no plugin (an object made by definePlugin). Export one, e.g. 'export default definePlugin({...})'.`);
    for (const plugin of found) if (!plugins.includes(plugin)) plugins.push(plugin);
  }
  return plugins;
}

/**
 * A registry with the first-party plugins (core, combinations, models) and the given ones, all
 * registered before any model is built.
 *
 * @param plugins - extra plugins, e.g. from {@link importPlugins}
 * @returns the registry
 * @example
 * ```ts
 * const registry = runRegistry(await importPlugins(config.plugins));
 * ```
 */
export function runRegistry(plugins: readonly Plugin[] = []): Registry {
  const registry = createRegistry();
  for (const plugin of new Set([corePlugin, combinationsPlugin, modelsPlugin, ...plugins])) registry.use(plugin);
  return registry;
}

/** A registered component and the plugin it comes from. */
export interface ComponentListing {
  readonly kind: ComponentKind;
  readonly name: string;
  readonly plugin: string;
  readonly description: string;
}

/**
 * Every component the first-party plugins and the given ones register, by kind then name.
 *
 * @param plugins - extra plugins
 * @returns one listing per component
 * @example
 * ```ts
 * listComponents().filter((c) => c.kind === 'combination').map((c) => c.name);
 * ```
 */
export function listComponents(plugins: readonly Plugin[] = []): ComponentListing[] {
  const order = (kind: ComponentKind): number => COMPONENT_KINDS.indexOf(kind);
  return [...new Set([corePlugin, combinationsPlugin, modelsPlugin, ...plugins])]
    .flatMap((plugin) => plugin.components.map((c) => ({ kind: c.kind as ComponentKind, name: c.name as string, plugin: plugin.name, description: (c.description as string | undefined) ?? '' })))
    .sort((a, b) => order(a.kind) - order(b.kind) || a.name.localeCompare(b.name));
}
