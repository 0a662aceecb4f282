import type * as tf from '@tensorflow/tfjs';

import { PosePoolError } from '../errors.js';

interface Budget {
  readonly limit: number;
  used: number;
  readonly variables: tf.Variable[];
  /** Tensors layers keep besides their parameters (caches), freed with them if the build fails. */
  readonly kept: tf.Tensor[];
}

let current: Budget | undefined;

/**
 * Checks, before allocating, that `count` more parameter values fit the budget of the enclosing
 * {@link withParameterBudget} (no-op outside one). Layers call it with their sizes before they
 * make their initial tensors, so an oversized config fails before any memory is taken.
 *
 * @param count - the number of values about to be allocated
 * @param what - named in the error, e.g. `Linear 4096 × 100000`
 * @throws PosePoolError `E_CONFIG` when the budget would be exceeded
 * @example
 * ```ts
 * checkParameterBudget(outputs * inputs + outputs, `Linear ${inputs} → ${outputs}`);
 * ```
 */
export function checkParameterBudget(count: number, what: string): void {
  if (current === undefined || current.used + count <= current.limit) return;
  throw new PosePoolError('E_CONFIG', `${what} needs ${count} parameter values, more than the ${current.limit - current.used} left of the ${current.limit} allowed`);
}

/**
 * Records a created variable against the budget (no-op outside {@link withParameterBudget}).
 *
 * @param variable - the new variable
 * @example
 * ```ts
 * spendParameterBudget(tf.variable(initial));
 * ```
 */
export function spendParameterBudget(variable: tf.Variable): void {
  if (current === undefined) return;
  current.variables.push(variable);
  current.used += variable.size;
}

/**
 * Records a tensor a layer keeps besides its parameters (a cache), so that a failed
 * {@link withParameterBudget} build frees it with the variables (no-op outside one).
 *
 * @param tensor - the kept tensor
 * @returns `tensor`
 * @example
 * ```ts
 * this.cache = recordKeptTensor(tf.keep(tf.transpose(weight)));
 * ```
 */
export function recordKeptTensor<T extends tf.Tensor>(tensor: T): T {
  current?.kept.push(tensor);
  return tensor;
}

/**
 * Runs `build` allowing at most `limit` parameter values in all: layers check their sizes before
 * allocating ({@link checkParameterBudget}), and every parameter counts when created. If `build`
 * throws, the variables it created are disposed, so nothing leaks. Loading a saved model builds
 * with the weights manifest's exact size as the budget.
 *
 * @param limit - the number of parameter values allowed
 * @param build - makes the model
 * @returns what `build` returns
 * @throws PosePoolError `E_CONFIG` from the first layer that does not fit
 * @example
 * ```ts
 * const model = withParameterBudget(1_000_000, () => buildModel(config, registry));
 * ```
 */
export function withParameterBudget<T>(limit: number, build: () => T): T {
  const outer = current;
  const budget: Budget = { limit, used: 0, variables: [], kept: [] };
  current = budget;
  try {
    return build();
  } catch (error) {
    for (const variable of budget.variables) variable.dispose();
    for (const tensor of budget.kept) tensor.dispose();
    throw error;
  } finally {
    current = outer;
  }
}
