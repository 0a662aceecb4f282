/**
 * PosePool core: multi-pose binding-affinity models on TensorFlow.js with the single-pose
 * backward passes decoupled from the combination's, so training keeps one pose graph in memory.
 *
 * @example
 * ```ts
 * import { useBackend, createRegistry, corePlugin, MultiPoseModel, squaredError } from '@posepool/core';
 * ```
 *
 * @packageDocumentation
 */
// The data
export { atomCount, validatePose, type Compound, type Pose, type PosePart, type RadiusGraph } from './pose.js';
export { posePart, sameAtoms } from './pose-parts.js';
export { poseRadiusGraph, radiusGraph, radiusGraphKey, radiusGraphOptions, subsetRadiusGraph, type RadiusGraphOptions } from './neighbors/radius-graph.js';

// Component interfaces and building blocks
export { assertInDomain, assertPoseWeights, poseWeightsOf, type Combination } from './components/combination.js';
export type { Readout } from './components/readout.js';
export type { Representation, SharedStage } from './components/representation.js';
export type { InputSizes, Strategy } from './components/strategy.js';
export { Module, ModuleGroup, Parameter, type NamedVariables } from './nn/module.js';
export { checkParameterBudget, spendParameterBudget, withParameterBudget } from './nn/parameter-budget.js';
export { Embedding } from './nn/embedding.js';
export { Linear, type LinearInit } from './nn/linear.js';
export { checkpoint } from './nn/checkpoint.js';

// The standard components
export { ComplexOnlyStrategy, ConcatStrategy, DeltaStrategy, LigandOnlyStrategy, strategyOptions, type StrategyOptions } from './standard/strategies.js';
export { PIC50Readout, PKiReadout, pic50Options } from './standard/readouts.js';
export { SinglePrediction } from './standard/single-prediction.js';
export { corePlugin } from './standard/plugin.js';

// Models
export { SinglePoseModel, representationSizes, type SinglePoseModelParts, type Representations } from './model/single-pose-model.js';
export { MultiPoseModel, type CompoundPrediction, type MultiPoseModelParts } from './model/multi-pose-model.js';
export { createLigandOnlyModel, ligandOnlyCompound } from './model/ligand-only.js';
export { buildModel, modelConfigOf, modelConfigSchema, type ModelConfig } from './model/config.js';

// Training: the decoupled-gradient engine
export {
  valueAndGrads,
  resolveMode,
  disposeSharedStage,
  GRADIENT_MODES,
  type CompoundGradients,
  type DecoupledModel,
  type GradientMode,
  type GradientOptions,
} from './engine/decoupled.js';
export {
  censoredSquaredError,
  gaussianNll,
  type GaussianNllOptions,
  squaredError,
  poseLabelSquaredError,
  poseCrossEntropy,
  type PoseCrossEntropyOptions,
  poseRangePenalty,
  sumOfLosses,
  type Loss,
  type LossInputs,
} from './engine/losses.js';
export { GradientAccumulator, applyGradients, assertGradientMap } from './engine/accumulator.js';

// Plugins, saving and loading, backends
export {
  COMPONENT_KINDS,
  Registry,
  configOf,
  providerOf,
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
export { parseOptions } from './registry/options.js';
export { loadModel, saveModel, MODEL_FILE, WEIGHTS_FILE, type LoadModelOptions } from './serialization/model-directory.js';
export { readConfinedFile, type ConfinedFileLimits } from './serialization/confined-file.js';
export { backendMemoryLimit, useBackend, BACKEND_NAMES, type BackendName, type BackendOptions } from './backend/backend.js';
export { registerPosePoolKernels, type KernelOptions } from './backend/kernels.js';
export { gatherMultiplyScatter } from './backend/messages.js';
export { shiftedSoftplus } from './backend/shifted-softplus.js';
export { PosePoolError, type PosePoolErrorCode } from './errors.js';
export { POSEPOOL_VERSION } from './version.js';
