import { z } from 'zod';

import { PosePoolError } from '../errors.js';
import type { PosePart } from '../pose.js';
import type { Module } from '../nn/module.js';
import { configOf, type ComponentConfig, type ComponentKind, type ComponentTypes, type CreateContexts, type Registry } from '../registry/registry.js';
import { MultiPoseModel } from './multi-pose-model.js';
import { representationSizes, type Representations } from './single-pose-model.js';
import type { Representation } from '../components/representation.js';

const componentConfig = z
  .object({
    name: z.string().min(1),
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/**
 * Schema of a {@link ModelConfig}: unknown keys are errors.
 *
 * @example
 * ```ts
 * modelConfigSchema.parse(JSON.parse(text)); // throws on unknown keys
 * ```
 */
export const modelConfigSchema = z
  .object({
    representation: z.union([
      componentConfig,
      z.object({ complex: componentConfig.optional(), protein: componentConfig.optional(), ligand: componentConfig.optional() }).strict(),
    ]),
    strategy: componentConfig,
    poseReadout: componentConfig.optional(),
    combination: componentConfig,
    readout: componentConfig.optional(),
  })
  .strict();

/**
 * A multi-pose model as JSON: every component by registered name and options.
 *
 * @example
 * ```ts
 * const config: ModelConfig = {
 *   representation: { name: 'toy-message-passing', options: { hidden: 16 } },
 *   strategy: { name: 'complex-only', options: {} },
 *   combination: { name: 'smooth-min', options: { scale: 1000 } },
 *   readout: { name: 'pic50', options: {} },
 * };
 * ```
 */
export type ModelConfig = z.input<typeof modelConfigSchema>;

function isComponentConfig(value: unknown): value is ComponentConfig {
  return typeof (value as ComponentConfig).name === 'string';
}

/**
 * Builds a {@link MultiPoseModel} from a config through a registry.
 *
 * @param config - the model config (validated; options get their defaults)
 * @param registry - where the component names are registered
 * @returns the model, with freshly initialised weights
 * @throws PosePoolError `E_CONFIG` on an invalid config, `E_REGISTRY_MISSING` on an unknown name
 * @example
 * ```ts
 * const model = buildModel(config, createRegistry().use(corePlugin).use(combinationsPlugin));
 * ```
 */
export function buildModel(config: ModelConfig, registry: Registry): MultiPoseModel {
  const parsed = modelConfigSchema.safeParse(config);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ');
    throw new PosePoolError('E_CONFIG', `Invalid model config: ${problems}.`, { cause: parsed.error });
  }
  const c = parsed.data;
  // Components built before a failing one (unknown name, bad options) are freed, not leaked.
  const created: Module[] = [];
  const make = <K extends ComponentKind>(kind: K, component: ComponentConfig, context?: CreateContexts[K]): ComponentTypes[K] => {
    const made = (registry.create as (k: K, c: ComponentConfig, x?: CreateContexts[K]) => ComponentTypes[K])(kind, component, context);
    created.push(made);
    return made;
  };
  try {
    let representation: Representations;
    if (isComponentConfig(c.representation)) {
      representation = make('representation', c.representation);
    } else {
      const parts: Partial<Record<PosePart, Representation>> = {};
      for (const [part, rc] of Object.entries(c.representation)) if (rc !== undefined) parts[part as PosePart] = make('representation', rc);
      representation = parts;
    }
    return new MultiPoseModel({
      representation,
      strategy: make('strategy', c.strategy, { inputSizes: representationSizes(representation) }),
      ...(c.poseReadout && { poseReadout: make('readout', c.poseReadout) }),
      combination: make('combination', c.combination),
      ...(c.readout && { readout: make('readout', c.readout) }),
    });
  } catch (error) {
    created.forEach((component) => component.dispose());
    throw error;
  }
}

function required(component: object, role: string): ComponentConfig {
  const config = configOf(component);
  if (config === undefined) {
    throw new PosePoolError(
      'E_SERIALIZATION',
      `The model's ${role} (${component.constructor.name}) was constructed directly, so its config is unknown. Create it with registry.create() to make the model serializable.`,
    );
  }
  return config;
}

/**
 * The config of a model whose components were all created through a registry.
 *
 * @param model - the model
 * @returns its config; {@link buildModel} rebuilds the same architecture
 * @throws PosePoolError `E_SERIALIZATION` when a component was constructed directly
 * @example
 * ```ts
 * JSON.stringify(modelConfigOf(model));
 * ```
 */
export function modelConfigOf(model: MultiPoseModel): ModelConfig {
  const shared = model.representationFor('complex');
  const parts = (['complex', 'protein', 'ligand'] as const).filter((p) => model.representationFor(p) !== undefined);
  const instances = parts.map((p) => model.representationFor(p));
  if (!model.sharedRepresentation && new Set(instances).size < instances.length) {
    throw new PosePoolError('E_SERIALIZATION', 'Two parts of this split model share one representation instance, which a config cannot express. Use one shared representation for all parts, or one instance per part.');
  }
  return {
    representation: model.sharedRepresentation
      ? required(shared!, 'representation')
      : Object.fromEntries(parts.map((p) => [p, required(model.representationFor(p)!, `${p} representation`)])),
    strategy: required(model.strategy, 'strategy'),
    ...(model.poseReadout && { poseReadout: required(model.poseReadout, 'pose readout') }),
    combination: required(model.combination, 'combination'),
    ...(model.readout && { readout: required(model.readout, 'readout') }),
  };
}
