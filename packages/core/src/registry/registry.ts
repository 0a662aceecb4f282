import { z } from 'zod';

import { PosePoolError } from '../errors.js';
import type { Combination } from '../components/combination.js';
import type { Readout } from '../components/readout.js';
import type { Representation } from '../components/representation.js';
import type { Strategy } from '../components/strategy.js';
import type { PosePart } from '../pose.js';

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
  /** Package-like name, e.g. `@posepool/combinations` or `posepool-plugin-foo`. */
  readonly name: string;
  /** The components it registers. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly components: ReadonlyArray<ComponentDefinition<any, any>>;
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

const configs = new WeakMap<object, ComponentConfig>();

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
  return configs.get(component);
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
  readonly #definitions = new Map<string, ComponentDefinition>();

  /**
   * Registers every component of a plugin.
   *
   * @param plugin - the plugin
   * @param options - `override` to replace existing names
   * @returns this registry
   * @throws PosePoolError `E_REGISTRY_DUPLICATE` when a name is taken and `override` is not set
   */
  use(plugin: Plugin, options: RegisterOptions = {}): this {
    for (const definition of plugin.components) this.register(definition, options, plugin.name);
    return this;
  }

  /**
   * Registers one component.
   *
   * @param definition - the component definition
   * @param options - `override` to replace an existing name
   * @param source - who registers it, for error messages
   * @returns this registry
   * @throws PosePoolError `E_REGISTRY_DUPLICATE` when the name is taken and `override` is not set
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  register(definition: ComponentDefinition<any, any>, options: RegisterOptions = {}, source = 'register()'): this {
    const key = `${definition.kind}:${definition.name}`;
    if (this.#definitions.has(key) && options.override !== true) {
      throw new PosePoolError(
        'E_REGISTRY_DUPLICATE',
        `${definition.kind} '${definition.name}' (from ${source}) is already registered. Pass { override: true } to replace it.`,
      );
    }
    this.#definitions.set(key, definition);
    return this;
  }

  /** @returns whether `name` is registered for `kind` */
  has(kind: ComponentKind, name: string): boolean {
    return this.#definitions.has(`${kind}:${name}`);
  }

  /** @returns the registered names of `kind`, sorted */
  names(kind: ComponentKind): string[] {
    return [...this.#definitions.values()].filter((d) => d.kind === kind).map((d) => d.name).sort();
  }

  /**
   * @returns the definition of `name`
   * @throws PosePoolError `E_REGISTRY_MISSING` listing what is registered for `kind`
   */
  definition<K extends ComponentKind>(kind: K, name: string): ComponentDefinition<K> {
    const definition = this.#definitions.get(`${kind}:${name}`);
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
    const definition = this.definition(kind, name);
    const parsed = definition.options.safeParse(options);
    if (parsed.success) return parsed.data as Record<string, unknown>;
    const problems = parsed.error.issues.map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(options)';
      return `${path}: ${issue.message}`;
    });
    throw new PosePoolError(
      'E_CONFIG',
      `Invalid options for ${kind} '${name}': ${problems.join('; ')}. Valid options: ${describeOptions(definition.options)}.`,
      { cause: parsed.error },
    );
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
    const component = this.definition(kind, name).create(validated, (context ?? {}) as CreateContexts[K]);
    configs.set(component, { name, options: validated });
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

function describeOptions(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { io: 'input' }) as { properties?: Record<string, { type?: string; default?: unknown }> };
  const entries = Object.entries(json.properties ?? {});
  if (entries.length === 0) return '(none)';
  return entries
    .map(([key, prop]) => `${key} (${prop.type ?? 'value'}${prop.default !== undefined ? `, default ${JSON.stringify(prop.default)}` : ''})`)
    .join(', ');
}
