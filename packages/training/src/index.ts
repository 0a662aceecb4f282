/**
 * PosePool training runs: strict run configs (YAML or JSON), dataset folders to compounds that
 * remember their folder, seeded splits, the training loop with checkpoints that resume exactly,
 * metrics with bootstrap intervals, predictions with pose weights, SVG plots. The `posepool`
 * command is a thin shell over these calls.
 *
 * @example
 * ```ts
 * import { train } from '@posepool/training';
 * await train({ epochs: 5 }, { data: ['examples/data/tyk2'], out: 'runs/tyk2', onEpoch: (r) => console.log(r.epoch, r.trainLoss) });
 * ```
 *
 * @packageDocumentation
 */
export { runConfigSchema, runConfigJsonSchema, type RunConfig, type RunConfigInput } from './config/schema.js';
export { readRunConfig, readRunConfigInput, resolveRunConfig, runConfigToYaml, type ConfigLocator } from './config/load.js';
export { loadDataset, withPoseLabels, type DataOptions, type Dataset, type DatasetEntry } from './data/dataset.js';
export { murckoScaffold } from './data/scaffold.js';
export { FOLD_KINDS, assignFolds, type FoldKind, type FoldOptions } from './data/folds.js';
export { SPLIT_NAMES, compoundDates, scaffoldGroups, splitDataset, type Split, type SplitName } from './data/split.js';
export {
  CV_FILES,
  crossValidate,
  resumeCrossValidation,
  type CrossValidationMetrics,
  type CrossValidationOptions,
  type CrossValidationPlan,
  type CrossValidationResult,
  type FoldMetrics,
  type FoldStart,
} from './cv/cross-validate.js';
export { disposeOpened, ensembleRows, formatSpreadMetrics, memberConfig, memberDirectories, predictOpened, spreadMetrics, type SpreadMetrics } from './ensemble/ensemble.js';
export { evaluate, type EvaluateOptions, type EvaluationResult } from './evaluate/evaluate.js';
export { poseMetrics, type PoseMetricOptions, type PoseMetrics } from './evaluate/pose-metrics.js';
export { baselineRows, evaluateRows, formatPoseMetrics, formatReport, parityPlot, type Evaluation, type EvaluationGroup } from './evaluate/report.js';
export { gradcheck, type GradcheckReport, type GradcheckTarget } from './gradcheck.js';
export { METRIC_NAMES, metric, metricReport, type BootstrapOptions, type MetricInterval, type MetricName, type MetricReport } from './metrics/metrics.js';
export { learningCurveSpec, paritySpec, renderSvg, type ParityPoint } from './plots/plots.js';
export { importPlugins, isPluginPath, listComponents, runRegistry, type ComponentListing } from './plugins.js';
export { predict, type PredictOptions } from './predict/predict.js';
export { predictEntries, predictEntriesInParallel, predictionsFromCsv, predictionsToCsv, predictionsToJson, type CompoundPredictionRow, type ParallelPredictionOptions, type PosePrediction } from './predict/predictions.js';
export { inShard, parseShard, type Shard } from './predict/shard.js';
export { Random, seedOf, type RandomState } from './random.js';
export { reportHtml } from './report/html.js';
export { metricsTable, type IntervalCell, type MetricsRow, type MetricsTable } from './report/metrics-table.js';
export { readReportData, type ReportCompound, type ReportData, type ReportPose } from './report/report-data.js';
export { writeReport } from './report/report.js';
export { reportStructures, type CompoundStructures, type ReportStructures } from './report/structures.js';
export { removePartials, writeDirectoryAtomic, writeFileAtomic } from './run/atomic.js';
export { openModel, type OpenedModel } from './run/open-model.js';
export { RUN_FILES, readHistory, readStatus, writeStatus, type RunStatus } from './run/run-directory.js';
export { initialTrainingState, readCheckpoint, restoreWeights, snapshotWeights, writeCheckpoint, type Checkpoint, type EpochRecord, type TrainingState } from './train/checkpoint.js';
export { centerTarget } from './train/center.js';
export { initModelDirectory, initializeFrom, initializeRun, parametersUnder, savedModelConfig, underPrefix } from './train/init.js';
export { clipByGlobalNorm, runEpochs, type BatchProgress, type LoopContext } from './train/loop.js';
export { combinedLoss, measurementError, runLoss } from './train/losses.js';
export { augmentedEntry, jitterCompound, type JitterOptions } from './train/augment.js';
export { RunOptimizer, loadTensor, saveTensor, type OptimizerState, type SavedTensor } from './train/optimizer.js';
export { LearningRateSchedule, type ScheduleState } from './train/schedule.js';
export { compoundStep, type StepEntry } from './train/step.js';
export { ComputePool, type PoolOptions, type PooledGradients } from './workers/pool.js';
export { workerCount, type PredictionResult } from './workers/protocol.js';
export { resumeRun, train, type EnsembleMetrics, type RunMetrics, type RunResult, type RunStart, type TrainOptions } from './train/train.js';
