import * as tf from '@tensorflow/tfjs';

import { checkParameterBudget, spendParameterBudget } from './parameter-budget.js';

/**
 * A trainable tensor owned by a {@link Module}. Layers read `parameter.variable` at call time,
 * so a model can rename the underlying TF.js variable to its hierarchical path when it adopts
 * the module (see {@link Module.nameVariables}).
 *
 * @example
 * ```ts
 * class Scale extends Module {
 *   readonly factor = this.addParameter('factor', tf.ones([1]));
 *   apply(x: tf.Tensor) { return x.mul(this.factor.variable); }
 * }
 * ```
 */
export class Parameter {
  /** The TF.js variable holding the current value. */
  variable: tf.Variable;

  /** @param variable - the TF.js variable to own */
  constructor(variable: tf.Variable) {
    this.variable = variable;
  }

  /** Shape of the parameter. */
  get shape(): number[] {
    return this.variable.shape;
  }
}

/**
 * TF.js variables keyed by parameter path (`representation.interactions.0.filter.weight`); gradient
 * maps (`tf.NamedTensorMap`) use the same keys.
 *
 * @example
 * ```ts
 * const variables: NamedVariables = model.trainableVariables();
 * Object.keys(variables); // ['representation.embedding.weight', …]
 * ```
 */
export type NamedVariables = Record<string, tf.Variable>;

/** Makes a variable name unique among the variables TF.js has registered: `name`, `name_1`, … */
function uniqueVariableName(name: string): string {
  const taken = tf.engine().registeredVariables;
  if (taken[name] === undefined) return name;
  let suffix = 1;
  while (taken[`${name}_${suffix}`] !== undefined) suffix++;
  return `${name}_${suffix}`;
}

/**
 * Base class of every component that owns TF.js variables: representations, strategies,
 * readouts, combinations. Parameters and child modules have names; a parameter's path joins
 * them with dots (`representation.interactions.0.filter.weight`), and gradients, optimizers,
 * saving and loading all use these paths.
 *
 * @example
 * ```ts
 * class Dense extends Module {
 *   readonly weight: Parameter;
 *   constructor(inputs: number, outputs: number) {
 *     super();
 *     this.weight = this.addParameter('weight', tf.randomNormal([inputs, outputs], 0, 0.1));
 *   }
 *   apply(x: tf.Tensor2D) { return tf.matMul(x, this.weight.variable); }
 * }
 * new Dense(4, 2).namedParameters(); // [['weight', Parameter]]
 * ```
 */
export abstract class Module {
  readonly #parameters = new Map<string, Parameter>();
  readonly #children = new Map<string, Module>();

  /**
   * Adds a trainable parameter initialised from `initial` (which the module takes ownership of).
   *
   * @param name - the parameter's name within this module (no dots)
   * @param initial - the initial value; disposed once copied into the variable
   * @returns the new parameter
   */
  protected addParameter(name: string, initial: tf.Tensor): Parameter {
    assertLocalName(name, this.#parameters, this.#children);
    try {
      checkParameterBudget(initial.size, `parameter '${name}' of ${this.constructor.name} [${initial.shape.join(', ')}]`);
    } catch (error) {
      initial.dispose();
      throw error;
    }
    const parameter = new Parameter(tf.variable(initial, true, uniqueVariableName(name)));
    spendParameterBudget(parameter.variable);
    initial.dispose();
    this.#parameters.set(name, parameter);
    return parameter;
  }

  /**
   * Adds a child module under `name`.
   *
   * @param name - the child's name within this module (no dots)
   * @param child - the module to own
   * @returns `child`
   */
  protected addModule<M extends Module>(name: string, child: M): M {
    assertLocalName(name, this.#parameters, this.#children);
    this.#children.set(name, child);
    return child;
  }

  /**
   * Every parameter of this module and its children, keyed by dotted path, in a stable order
   * (own parameters first, then children in the order they were added).
   *
   * @param prefix - prepended to every path
   * @returns `[path, parameter]` pairs
   */
  namedParameters(prefix = ''): Array<[string, Parameter]> {
    const out: Array<[string, Parameter]> = [];
    for (const [name, parameter] of this.#parameters) out.push([prefix + name, parameter]);
    for (const [name, child] of this.#children) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  /**
   * The TF.js variables of this module and its children keyed by parameter path, each once (a
   * variable reached by two paths is listed under the first), in {@link Module.namedParameters} order.
   *
   * @param prefix - prepended to every path
   * @returns path → variable
   */
  namedVariables(prefix = ''): NamedVariables {
    const out: NamedVariables = {};
    const seen = new Set<tf.Variable>();
    for (const [path, parameter] of this.namedParameters(prefix)) {
      if (seen.has(parameter.variable)) continue;
      seen.add(parameter.variable);
      out[path] = parameter.variable;
    }
    return out;
  }

  /** @returns the TF.js variables of this module and its children, in {@link namedParameters} order, each once */
  variables(): tf.Variable[] {
    return [...new Set(this.namedParameters().map(([, parameter]) => parameter.variable))];
  }

  /** @returns the number of scalar parameters (|θ|) */
  countParameters(): number {
    return this.variables().reduce((total, variable) => total + variable.size, 0);
  }

  /**
   * Renames every TF.js variable to its path (made unique against variables already alive, so
   * two live copies of one model get `path` and `path_1`), so TF.js names (optimizer state,
   * profiles) read as paths. Gradient maps are keyed by path whatever the TF.js names.
   *
   * @param prefix - prepended to every path
   */
  nameVariables(prefix = ''): void {
    for (const [path, parameter] of this.namedParameters(prefix)) {
      const old = parameter.variable;
      if (old.name === path) continue;
      parameter.variable = tf.variable(old, old.trainable, uniqueVariableName(path));
      old.dispose();
    }
  }

  /** Frees every variable of this module and its children, and what they keep beside them. */
  dispose(): void {
    for (const variable of this.variables()) variable.dispose();
    const seen = new Set<Module>();
    const release = (module: Module): void => {
      if (seen.has(module)) return;
      seen.add(module);
      module.releaseTensors();
      for (const child of module.#children.values()) release(child);
    };
    release(this);
  }

  /** Frees tensors a module keeps besides its variables (a cache); {@link Module.dispose} calls it once per module. */
  protected releaseTensors(): void {}
}

function assertLocalName(name: string, ...scopes: Array<Map<string, unknown>>): void {
  if (name === '' || name.includes('.')) throw new Error(`Invalid module member name '${name}': use a non-empty name without dots.`);
  if (scopes.some((scope) => scope.has(name))) throw new Error(`Module member '${name}' is defined twice.`);
}

/**
 * A module that only holds named child modules, for grouping (`interactions.0.filter`).
 *
 * @example
 * ```ts
 * const layer = this.addModule('0', new ModuleGroup());
 * const filter = layer.add('filter', new Linear(8, 16));
 * ```
 */
export class ModuleGroup extends Module {
  /**
   * @param name - the child's name
   * @param module - the child
   * @returns `module`
   */
  add<M extends Module>(name: string, module: M): M {
    return this.addModule(name, module);
  }
}
