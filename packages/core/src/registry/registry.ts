import { z } from 'zod';

import { PosePoolError } from '../errors.js';
import type { Combination } from '../components/combination.js';
import type { Readout } from '../components/readout.js';
import type { Representation } from '../components/representation.js';
import type { Strategy } from '../components/strategy.js';
import type { PosePart } from '../pose.js';
import { parseOptions } from './options.js';

/** What each component kind builds. */
export interface ComponentTypes {
  combination: Combination;
  representation: Representation;
  strategy: Strategy;
  readout: Readout;
}

/** The kinds of component a registry holds. */
export type ComponentKind = keyof ComponentTypes;

/**
 * The component kinds, in the order listings show them.
 *
 * @example
 * ```ts
 * for (const kind of COMPONENT_KINDS) console.log(kind, registry.names(kind));
 * ```
 */
export const COMPONENT_KINDS: readonly ComponentKind[] = ['representation', 'strategy', 'readout', 'combination'];

/** What a factory is told about where its component goes, per kind. */
export interface CreateContexts {
  combination: Record<string, never>;
  representation: Record<string, never>;
  /** A strategy sizes its heads from the output sizes of the representations of each part. */
  strategy: { inputSizes: Partial<Record<PosePart, number>> };
  readout: Record<string, never>;
}

/**
 * Option types of registered combinations, by name. Plugins extend it by module augmentation
 * so that `registry.create('combination', name, options)` is type-checked:
 *
 * @example
 * ```ts
 * declare module '@posepool/core' {
 *   interface CombinationOptionsMap { 'my-min': { scale?: number } }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CombinationOptionsMap {}
/** Option types of registered representations, by name (extend by module augmentation). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RepresentationOptionsMap {}
/** Option types of registered strategies, by name (extend by module augmentation). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface StrategyOptionsMap {}
/** Option types of registered readouts, by name (extend by module augmentation). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ReadoutOptionsMap {}

/** Option maps by kind. */
export interface ComponentOptionsMaps {
  combination: CombinationOptionsMap;
  representation: RepresentationOptionsMap;
  strategy: StrategyOptionsMap;
  readout: ReadoutOptionsMap;
}

/** Names known at compile time for a kind. */
export type KnownName<K extends ComponentKind> = keyof ComponentOptionsMaps[K] & string;

/**
 * A component as JSON: its registered name and its options. Every model part can be written
 * this way and rebuilt through a registry.
 *
 * @example
 * ```ts
 * const config: ComponentConfig = { name: 'smooth-min', options: { scale: 1000 } };
 * ```
 */
export interface ComponentConfig {
  /** The registered name. */
  name: string;
  /** The options, complete with defaults once validated. */
  options: Record<string, unknown>;
}

/**
 * How to build one named component: a zod schema for its options and a factory.
 *
 * @typeParam K - the component kind
 * @typeParam S - the options schema
 */
export interface ComponentDefinition<K extends ComponentKind = ComponentKind, S extends z.ZodType = z.ZodType> {
  /** The component kind. */
  readonly kind: K;
  /** The registered name (`kebab-case`). */
  readonly name: string;
  /** One line saying what it is, shown by listings. */
  readonly description: string;
  /** Options schema; unknown keys are rejected, defaults filled in. */
  readonly options: S;
  /** Builds the component from validated options. */
  create(options: z.output<S>, context: CreateContexts[K]): ComponentTypes[K];
}

/**
 * Defines a component for a plugin. A typed identity function: it checks the definition and
 * infers the options type from the schema.
 *
 * @param definition - kind, name, description, options schema and factory
 * @returns the same definition
 * @example
 * ```ts
 * const half = defineComponent({
 *   kind: 'readout',
 *   name: 'half',
 *   description: 'Halves the prediction.',
 *   options: z.object({}).strict(),
 *   create: () => new HalfReadout(),
 * });
 * ```
 */
export function defineComponent<K extends ComponentKind, S extends z.ZodType>(definition: ComponentDefinition<K, S>): ComponentDefinition<K, S> {
  return definition;
}

/** A plugin: a named set of component definitions, passed to {@link Registry.use}. */
export interface Plugin {
  /** Package-like name, e.g. `@posepool/combinations` or `posepool-plugin-foo`; saved models record it for each component. */
  readonly name: string;
  /** The components it registers. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly components: ReadonlyArray<ComponentDefinition<any, any>>;
  /** Plugins it builds on; {@link Registry.use} registers them first (once each). */
  readonly dependencies?: readonly Plugin[];
}

/**
 * Defines a plugin. Nothing is registered until a user passes it to {@link Registry.use}.
 *
 * @param plugin - the plugin's name and components
 * @returns the same plugin
 * @example
 * ```ts
 * export const myPlugin = definePlugin({ name: 'posepool-plugin-half', components: [half] });
 * const registry = createRegistry().use(myPlugin);
 * ```
 */
export function definePlugin(plugin: Plugin): Plugin {
  return plugin;
}

/** Options of {@link Registry.use} and {@link Registry.register}. */
export interface RegisterOptions {
  /**
   * Replace components already registered under the same name.
   * @defaultValue false
   */
  override?: boolean;
}

const made = new WeakMap<object, { config: ComponentConfig; plugin: string }>();

/**
 * The config a component was created from through a registry.
 *
 * @param component - a component made by {@link Registry.create}
 * @returns its `{ name, options }`, or `undefined` if it was constructed directly
 * @example
 * ```ts
 * configOf(registry.create('combination', 'smooth-min')); // { name: 'smooth-min', options: { scale: 1000 } }
 * ```
 */
export function configOf(component: object): ComponentConfig | undefined {
  return made.get(component)?.config;
}

/**
 * The plugin whose definition built a component (saved models record it, so loading one
 * without that plugin can say which package to install).
 *
 * @param component - a component made by {@link Registry.create}
 * @returns the plugin's name, or `undefined` if the component was constructed directly
 * @example
 * ```ts
 * providerOf(registry.create('combination', 'smooth-min')); // '@posepool/combinations'
 * ```
 */
export function providerOf(component: object): string | undefined {
  return made.get(component)?.plugin;
}

/** The `context` argument of {@link Registry.create}: optional for kinds whose factories need none. */
export type ContextArg<K extends ComponentKind> = Record<string, never> extends CreateContexts[K] ? [context?: CreateContexts[K]] : [context: CreateContexts[K]];

/**
 * Names components and builds them from validated options. Create one with
 * {@link createRegistry} and fill it with plugins.
 *
 * @example
 * ```ts
 * const registry = createRegistry().use(corePlugin).use(combinationsPlugin);
 * const softMin = registry.create('combination', 'smooth-min', { scale: 1000 });
 * ```
 */
export class Registry {
  readonly #definitions = new Map<string, { definition: ComponentDefinition; plugin: string }>();
  readonly #plugins = new Set<Plugin>();
  #frozen = false;

  /**
   * Registers every component of a plugin, after its dependencies. Using the same plugin object
   * again does nothing, so plugins can depend on plugins.
   *
   * @param plugin - the plugin
   * @param options - `override` to replace existing names
   * @returns this registry
   * @throws PosePoolError `E_REGISTRY_DUPLICATE` when a name is taken and `override` is not set,
   *   `E_REGISTRY_FROZEN` once the registry has built a component, `E_PLUGIN` for a malformed plugin
   */
  use(plugin: Plugin, options: RegisterOptions = {}): this {
    if (this.#plugins.has(plugin)) return this;
    assertPlugin(plugin);
    for (const dependency of plugin.dependencies ?? []) this.use(dependency, options);
    for (const definition of plugin.components) this.register(definition, options, plugin.name);
    this.#plugins.add(plugin);
    return this;
  }

  /**
   * Registers one component.
   *
   * @param definition - the component definition
   * @param options - `override` to replace an existing name
   * @param source - the plugin that provides it, recorded in saved models and named in errors
   * @returns this registry
   * @throws PosePoolError `E_REGISTRY_DUPLICATE` when the name is taken and `override` is not set,
   *   `E_REGISTRY_FROZEN` once the registry has built a component, `E_PLUGIN` for a malformed definition
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  register(definition: ComponentDefinition<any, any>, options: RegisterOptions = {}, source = 'register()'): this {
    if (this.#frozen) {
      throw new PosePoolError(
        'E_REGISTRY_FROZEN',
        `Cannot register ${describeDefinition(definition)} (from ${source}): this registry has already built components, and a change now could make a saved config rebuild into something else. Register every plugin before building models, or create a new registry.`,
      );
    }
    assertDefinition(definition, source);
    const key = `${definition.kind}:${definition.name}`;
    if (this.#definitions.has(key) && options.override !== true) {
      throw new PosePoolError(
        'E_REGISTRY_DUPLICATE',
        `${definition.kind} '${definition.name}' (from ${source}) is already registered by ${this.#definitions.get(key)!.plugin}. Pass { override: true } to replace it.`,
      );
    }
    this.#definitions.set(key, { definition, plugin: source });
    return this;
  }

  /** Whether the registry has built a component and so accepts no more registrations. */
  get frozen(): boolean {
    return this.#frozen;
  }

  /** @returns whether `name` is registered for `kind` */
  has(kind: ComponentKind, name: string): boolean {
    return this.#definitions.has(`${kind}:${name}`);
  }

  /** @returns the registered names of `kind`, sorted */
  names(kind: ComponentKind): string[] {
    return [...this.#definitions.values()].filter(({ definition }) => definition.kind === kind).map(({ definition }) => definition.name).sort();
  }

  /**
   * @returns the definition of `name`
   * @throws PosePoolError `E_REGISTRY_MISSING` listing what is registered for `kind`
   */
  definition<K extends ComponentKind>(kind: K, name: string): ComponentDefinition<K> {
    const definition = this.#definitions.get(`${kind}:${name}`)?.definition;
    if (definition === undefined) {
      const known = this.names(kind);
      throw new PosePoolError(
        'E_REGISTRY_MISSING',
        `${kind} '${name}' is not registered. Registered ${kind} names: ${known.length > 0 ? known.join(', ') : '(none; did you forget registry.use(plugin)?)'}.`,
      );
    }
    return definition as unknown as ComponentDefinition<K>;
  }

  /**
   * @returns the name of the plugin that registered `name` for `kind`, if it is registered
   * @example
   * ```ts
   * registry.pluginOf('representation', 'schnet'); // '@posepool/models'
   * ```
   */
  pluginOf(kind: ComponentKind, name: string): string | undefined {
    return this.#definitions.get(`${kind}:${name}`)?.plugin;
  }

  /**
   * Validates options against a component's schema.
   *
   * @param kind - the component kind
   * @param name - the registered name
   * @param options - user options (may be partial)
   * @returns a complete copy with defaults filled in
   * @throws PosePoolError `E_CONFIG` quoting each bad value and listing the valid options
   * @example
   * ```ts
   * registry.validateOptions('combination', 'smooth-min', {}); // { scale: 1000 }
   * ```
   */
  validateOptions(kind: ComponentKind, name: string, options: unknown = {}): Record<string, unknown> {
    return parseOptions(this.definition(kind, name).options, options, `${kind} '${name}'`) as Record<string, unknown>;
  }

  /**
   * JSON Schema of a component's options, for config files and editors.
   *
   * @returns a JSON Schema object
   */
  jsonSchema(kind: ComponentKind, name: string): Record<string, unknown> {
    return z.toJSONSchema(this.definition(kind, name).options, { io: 'input' }) as Record<string, unknown>;
  }

  /**
   * Builds a component by name, from options checked against its schema.
   *
   * @param kind - the component kind
   * @param name - the registered name (type-checked for names declared in the options maps)
   * @param options - its options; defaults fill the rest
   * @param context - what the factory needs to know about its place (strategies: input sizes)
   * @returns the component; {@link configOf} gives back its complete config
   * @example
   * ```ts
   * registry.create('combination', 'boltzmann', { temperature: 0.5 });
   * ```
   */
  create<K extends ComponentKind, N extends KnownName<K>>(
    kind: K,
    name: N,
    options?: ComponentOptionsMaps[K][N],
    ...context: ContextArg<K>
  ): ComponentTypes[K];
  /**
   * Builds a component from a JSON config (`{ name, options }`), e.g. one read from a file.
   */
  create<K extends ComponentKind>(kind: K, config: { name: string; options?: unknown }, ...context: ContextArg<K>): ComponentTypes[K];
  create<K extends ComponentKind>(
    kind: K,
    nameOrConfig: string | { name: string; options?: unknown },
    ...rest: unknown[]
  ): ComponentTypes[K] {
    const [name, options, context] =
      typeof nameOrConfig === 'string' ? [nameOrConfig, rest[0], rest[1]] : [nameOrConfig.name, nameOrConfig.options, rest[0]];
    const validated = this.validateOptions(kind, name, options ?? {});
    this.#frozen = true;
    const component = this.definition(kind, name).create(validated, (context ?? {}) as CreateContexts[K]);
    made.set(component, { config: { name, options: validated }, plugin: this.#definitions.get(`${kind}:${name}`)!.plugin });
    return component;
  }
}

/**
 * Creates an empty registry.
 *
 * @returns a new {@link Registry}
 * @example
 * ```ts
 * const registry = createRegistry().use(corePlugin).use(combinationsPlugin);
 * ```
 */
export function createRegistry(): Registry {
  return new Registry();
}

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function describeDefinition(definition: unknown): string {
  const d = definition as Partial<ComponentDefinition> | undefined;
  return `${typeof d?.kind === 'string' ? d.kind : 'component'} '${typeof d?.name === 'string' ? d.name : '?'}'`;
}

/** Checks a plugin's shape, so a malformed one fails at `use()` with a message, not later with a TypeError. */
function assertPlugin(plugin: Plugin): void {
  const fail = (problem: string): never => {
    throw new PosePoolError('E_PLUGIN', `Invalid plugin ${typeof plugin?.name === 'string' ? `'${plugin.name}'` : ''}: ${problem}. Build plugins with definePlugin({ name, components }).`);
  };
  if (typeof plugin !== 'object' || plugin === null) fail(`expected an object, got ${plugin === null ? 'null' : typeof plugin}`);
  if (typeof plugin.name !== 'string' || plugin.name === '') fail('it has no name');
  if (!Array.isArray(plugin.components)) fail('components is not an array');
  if (plugin.dependencies !== undefined && !Array.isArray(plugin.dependencies)) fail('dependencies is not an array of plugins');
}

/** Checks a component definition: a kind, a kebab-case name, a description, a zod options schema and a factory. */
function assertDefinition(definition: ComponentDefinition, source: string): void {
  const fail = (problem: string, fix: string): never => {
    throw new PosePoolError('E_PLUGIN', `Invalid ${describeDefinition(definition)} from ${source}: ${problem}. ${fix}`);
  };
  if (typeof definition !== 'object' || definition === null) fail('it is not an object', 'Define components with defineComponent({ kind, name, description, options, create }).');
  if (!COMPONENT_KINDS.includes(definition.kind)) fail(`kind ${JSON.stringify(definition.kind)} is not one of ${COMPONENT_KINDS.join(', ')}`, 'Set kind to one of them.');
  if (typeof definition.name !== 'string' || !KEBAB.test(definition.name)) fail(`name ${JSON.stringify(definition.name)} is not kebab-case`, "Name components like 'power-mean'.");
  if (typeof definition.description !== 'string' || definition.description === '') fail('it has no description', 'Add a one-line description; listings show it.');
  if (typeof (definition.options as { safeParse?: unknown } | undefined)?.safeParse !== 'function') {
    fail('options is not a zod schema', 'Give it an options schema, e.g. z.object({ scale: z.number().default(1) }).strict(), or z.object({}).strict() for none.');
  }
  if (typeof definition.create !== 'function') fail('create is not a function', 'Give it create(options, context) returning the component.');
}
