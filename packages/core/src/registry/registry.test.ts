import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { describe, expect, expectTypeOf, it } from 'vitest';

import type { Combination } from '../components/combination.js';
import { PosePoolError } from '../errors.js';
import { corePlugin } from '../standard/plugin.js';
import { Module } from '../nn/module.js';
import { configOf, createRegistry, defineComponent, definePlugin } from './registry.js';

class Constant extends Module implements Combination {
  constructor(readonly value: number) {
    super();
  }
  combine(): tf.Scalar {
    return tf.scalar(this.value);
  }
}

const constant = defineComponent({
  kind: 'combination',
  name: 'constant',
  description: 'Always the same value.',
  options: z.object({ value: z.number().finite().default(0) }).strict(),
  create: ({ value }) => new Constant(value),
});
const plugin = definePlugin({ name: 'posepool-plugin-constant', components: [constant] });

declare module './registry.js' {
  interface CombinationOptionsMap {
    constant: { value?: number };
  }
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (error) {
    return error instanceof PosePoolError ? error.code : 'not a PosePoolError';
  }
  return undefined;
}

describe('Registry', () => {
  it('registers plugins explicitly and builds components with validated options and defaults', () => {
    const registry = createRegistry().use(corePlugin).use(plugin);
    expect(registry.names('combination')).toEqual(['constant', 'single']);
    expect(registry.names('strategy')).toEqual(['complex-only', 'concat', 'delta', 'ligand-only', 'split-delta']);
    const c = registry.create('combination', 'constant', { value: 2 });
    expect(configOf(c)).toEqual({ name: 'constant', options: { value: 2 } });
    expect(configOf(registry.create('combination', { name: 'constant' }))).toEqual({ name: 'constant', options: { value: 0 } });
    expectTypeOf(registry.create).toBeFunction();
    // @ts-expect-error options are type-checked through the augmented options map
    expect(() => registry.create('combination', 'constant', { value: 'two' })).toThrow(PosePoolError);
  });

  it('refuses a taken name unless override is set', () => {
    const registry = createRegistry().use(plugin);
    expect(() => registry.use(plugin)).toThrow(/combination 'constant' \(from posepool-plugin-constant\) is already registered. Pass \{ override: true \}/);
    expect(codeOf(() => registry.use(plugin))).toBe('E_REGISTRY_DUPLICATE');
    expect(() => registry.use(plugin, { override: true })).not.toThrow();
  });

  it('lists what is registered when a name is missing', () => {
    const registry = createRegistry().use(corePlugin);
    expect(() => registry.create('strategy', { name: 'complexonly' }, { inputSizes: { complex: 4 } })).toThrow(
      "strategy 'complexonly' is not registered. Registered strategy names: complex-only, concat, delta, ligand-only, split-delta.",
    );
    expect(() => registry.create('combination', { name: 'smooth-min' })).toThrow("combination 'smooth-min' is not registered. Registered combination names: single.");
    expect(() => createRegistry().create('readout', { name: 'pki' })).toThrow(/none; did you forget registry.use\(plugin\)/);
    expect(codeOf(() => registry.definition('readout', 'pic5'))).toBe('E_REGISTRY_MISSING');
  });

  it('quotes the bad value and lists the valid options', () => {
    const registry = createRegistry().use(plugin).use(corePlugin);
    expect(() => registry.validateOptions('combination', 'constant', { value: 1, scale: 3 })).toThrow(/Unrecognized key.*"scale".*Valid options: value \(number, default 0\)/);
    expect(() => registry.validateOptions('readout', 'pic50', { km: 1 })).toThrow(/give both substrateConcentration and km/);
    expect(codeOf(() => registry.validateOptions('combination', 'constant', { value: Infinity }))).toBe('E_CONFIG');
  });

  it('gives JSON Schema of every component for free', () => {
    const registry = createRegistry().use(plugin);
    expect(registry.jsonSchema('combination', 'constant')).toMatchObject({ type: 'object', properties: { value: { type: 'number', default: 0 } }, additionalProperties: false });
  });
});
