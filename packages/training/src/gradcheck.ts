import type { Registry } from '@posepool/core';
import { checkCombination, checkDecoupledGradients, checkModelGradients, randomCompound, type CheckResult } from '@posepool/core/testing';
import { buildModel } from '@posepool/core';

/** What {@link gradcheck} checks: one combination or one representation, by registered name. */
export type GradcheckTarget = { readonly combination: string } | { readonly representation: string };

/** The outcome of a check suite: every check, or the error that stopped it. */
export interface GradcheckReport {
  readonly component: string;
  readonly results: readonly CheckResult[];
  readonly passed: boolean;
  /** The failure message when a check failed. */
  readonly failure?: string;
}

function run(component: string, checks: () => CheckResult[]): GradcheckReport {
  try {
    const results = checks();
    return { component, results, passed: results.every((r) => r.passed) };
  } catch (error) {
    return { component, results: [], passed: false, failure: (error as Error).message };
  }
}

/**
 * Runs `@posepool/core/testing` on a registered component with its default options: a
 * combination against closed forms, autodiff and central differences, and its decoupled
 * gradients against the naive graph; a representation inside a mean-combined complex-only model,
 * every gradient mode against naive on seeded random compounds.
 *
 * @param target - the component
 * @param registry - where it is registered (plugins included)
 * @returns the report
 * @throws PosePoolError `E_REGISTRY_MISSING` listing what is registered
 * @example
 * ```ts
 * gradcheck({ combination: 'boltzmann' }, runRegistry()).passed; // true
 * ```
 */
export function gradcheck(target: GradcheckTarget, registry: Registry): GradcheckReport {
  if ('combination' in target) {
    const name = target.combination;
    registry.definition('combination', name);
    return run(`combination '${name}'`, () => {
      const combination = registry.create('combination', name as never);
      try {
        return [...checkCombination(combination), ...checkDecoupledGradients(() => registry.create('combination', name as never))];
      } finally {
        combination.dispose();
      }
    });
  }
  const name = target.representation;
  registry.definition('representation', name);
  return run(`representation '${name}'`, () => {
    const model = buildModel({ representation: { name }, strategy: { name: 'complex-only', options: { seed: 1 } }, combination: { name: 'mean' } }, registry);
    try {
      const compounds = [1, 2].map((seed) => randomCompound({ poses: 3, seed, id: `random-${seed}` }));
      return checkModelGradients(model, compounds);
    } finally {
      model.dispose();
    }
  });
}
