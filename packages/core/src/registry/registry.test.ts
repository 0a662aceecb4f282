import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { describe, expect, expectTypeOf, it } from 'vitest';

import type { Combination } from '../components/combination.js';
import { PosePoolError } from '../errors.js';
import { corePlugin } from '../standard/plugin.js';
import { Module } from '../nn/module.js';
import { parseOptions } from './options.js';
import { configOf, createRegistry, defineComponent, definePlugin, providerOf } from './registry.js';

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
    expectTypeOf(c).toEqualTypeOf<Combination>();
    // @ts-expect-error options are type-checked through the augmented options map
    expect(() => registry.create('combination', 'constant', { value: 'two' })).toThrow(PosePoolError);
  });

  it('refuses a name taken by another plugin unless override is set', () => {
    const registry = createRegistry().use(plugin);
    const rival = definePlugin({ name: 'posepool-plugin-rival', components: [constant] });
    expect(() => registry.use(rival)).toThrow(
      /combination 'constant' \(from posepool-plugin-rival\) is already registered by posepool-plugin-constant. Pass \{ override: true \}/,
    );
    expect(codeOf(() => registry.use(rival))).toBe('E_REGISTRY_DUPLICATE');
    expect(() => registry.use(rival, { override: true })).not.toThrow();
    expect(registry.pluginOf('combination', 'constant')).toBe('posepool-plugin-rival');
  });

  it('uses the same plugin once, so plugins can depend on plugins', () => {
    const dependent = definePlugin({ name: 'posepool-plugin-dependent', components: [], dependencies: [plugin, corePlugin] });
    const registry = createRegistry().use(plugin).use(dependent).use(dependent);
    expect(registry.names('combination')).toEqual(['constant', 'single']);
    expect(registry.pluginOf('strategy', 'delta')).toBe('@posepool/core');
  });

  it('freezes once it has built a component, so a saved config rebuilds into the same thing', () => {
    const registry = createRegistry().use(plugin);
    expect(registry.frozen).toBe(false);
    const made = registry.create('combination', 'constant', { value: 1 });
    expect(registry.frozen).toBe(true);
    expect(providerOf(made)).toBe('posepool-plugin-constant');
    expect(() => registry.use(corePlugin)).toThrow(/has already built components.*Register every plugin before building models/);
    expect(codeOf(() => registry.use(definePlugin({ name: 'x', components: [constant] }), { override: true }))).toBe('E_REGISTRY_FROZEN');
    expect(registry.use(plugin)).toBe(registry); // already used: still a no-op
  });

  it('refuses a malformed plugin at use(), naming the component and the fix', () => {
    const withoutOptions = { kind: 'combination', name: 'no-options', description: 'd', create: () => new Constant(1) };
    // @ts-expect-error options is required by the type; plain JavaScript plugins can still omit it
    const bad = definePlugin({ name: 'posepool-plugin-bad', components: [withoutOptions] });
    expect(() => createRegistry().use(bad)).toThrow(
      "Invalid combination 'no-options' from posepool-plugin-bad: options is not a zod schema. Give it an options schema, e.g. z.object({ scale: z.number().default(1) }).strict(), or z.object({}).strict() for none.",
    );
    const badName = defineComponent({ ...constant, name: 'My Constant' });
    expect(() => createRegistry().register(badName)).toThrow(/name "My Constant" is not kebab-case/);
    expect(codeOf(() => createRegistry().register({ ...constant, kind: 'layer' as never }))).toBe('E_PLUGIN');
    expect(codeOf(() => createRegistry().use({ name: 'p', components: 'none' } as never))).toBe('E_PLUGIN');
  });

  it('validates options with one rule, through the registry or a constructor', () => {
    const schema = z.object({ value: z.number().positive().default(1) }).strict();
    expect(parseOptions(schema, {}, "combination 'constant'")).toEqual({ value: 1 });
    expect(() => parseOptions(schema, { value: -1 }, "combination 'constant'")).toThrow(
      "Invalid options for combination 'constant': value: Too small: expected number to be >0. Valid options: value (number, default 1).",
    );
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
