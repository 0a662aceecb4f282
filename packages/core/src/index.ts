/**
 * PosePool core: multi-pose binding-affinity models on TensorFlow.js with the single-pose
 * backward passes decoupled from the combination's, so training keeps one pose graph in memory.
 *
 * @example
 * ```ts
 * import { useBackend, createRegistry, corePlugin, GroupedModel, squaredError } from '@posepool/core';
 * ```
 *
 * @packageDocumentation
 */
export { useBackend, BACKEND_NAMES, type BackendName } from './backend/backend.js';
export { registerPosePoolKernels } from './backend/kernels.js';
export { assertPoseWeights, type Combination } from './components/combination.js';
export { GradientAccumulator, assertGradientMap } from './engine/accumulator.js';
export {
  computeGradients,
  resolveMode,
  GRADIENT_MODES,
  type GradientMode,
  type GradientOptions,
  type GroupGradients,
  type MultiPoseModel,
} from './engine/decoupled.js';
export { censoredSquaredError, squaredError, poseLabelSquaredError, sumOfLosses, type Loss, type LossInputs } from './engine/losses.js';
export { PosePoolError, type PosePoolErrorCode } from './errors.js';
export { buildGroupedModel, groupedModelConfig, groupedModelConfigSchema, type GroupedModelConfig } from './model/config.js';
export { Embedding } from './nn/embedding.js';
export { Linear, type LinearInit } from './nn/linear.js';
export { GroupedModel, Model, representationSizes, type GroupPrediction, type GroupedModelParts, type ModelParts, type Representations } from './model/model.js';
export { createLigandOnlyModel, ligandOnlyCompound } from './model/ligand-only.js';
export { SinglePrediction } from './standard/single-prediction.js';
export { corePlugin } from './standard/plugin.js';
export type { Readout } from './components/readout.js';
export { PIC50Readout, PKiReadout } from './standard/readouts.js';
export type { Representation } from './components/representation.js';
export type { InputSizes, Strategy } from './components/strategy.js';
export { ComplexOnlyStrategy, ConcatStrategy, DeltaStrategy, LigandOnlyStrategy, type StrategyOptions } from './standard/strategies.js';
export { Module, ModuleGroup, Parameter } from './nn/module.js';
export { poseRadiusGraph, radiusGraph, radiusGraphKey, type RadiusGraphOptions } from './neighbors/radius-graph.js';
export { atomCount, posePart, validatePose, type Compound, type Pose, type PosePart, type RadiusGraph } from './pose.js';
export {
  COMPONENT_KINDS,
  Registry,
  configOf,
  createRegistry,
  defineComponent,
  definePlugin,
  type CombinationOptionsMap,
  type ComponentConfig,
  type ComponentDefinition,
  type ComponentKind,
  type ComponentOptionsMaps,
  type ComponentTypes,
  type ContextArg,
  type CreateContexts,
  type KnownName,
  type Plugin,
  type ReadoutOptionsMap,
  type RegisterOptions,
  type RepresentationOptionsMap,
  type StrategyOptionsMap,
} from './registry/registry.js';
export { loadGroupedModel, saveGroupedModel, MODEL_FILE, WEIGHTS_FILE } from './serialization/model-directory.js';
export { POSEPOOL_VERSION } from './version.js';
