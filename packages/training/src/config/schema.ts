import { BACKEND_NAMES, GRADIENT_MODES, modelConfigSchema } from '@posepool/core';
import { z } from 'zod';

const positive = z.number().positive().finite();
const fraction = z.number().min(0).max(1);

/**
 * The default model: a small SchNet scoring ΔG as E(complex) − E(protein) − E(ligand) (the
 * extensive, atom-count part cancels), a Boltzmann-weighted mean over poses, pK out. It trains on
 * the bundled tyk2 set in about a minute and a half on two cores.
 */
const defaultModel = {
  representation: { name: 'schnet', options: { hiddenChannels: 32, numFilters: 32, numInteractions: 2, numGaussians: 25, cutoff: 5, maxNumNeighbors: 16, seed: 1 } },
  strategy: { name: 'delta', options: { seed: 1 } },
  combination: { name: 'boltzmann', options: { temperature: 1 } },
  readout: { name: 'pki', options: {} },
};

const dataSchema = z
  .strictObject({
    folders: z.array(z.string().min(1)).default([]).describe('Dataset folders (a protein or pocket PDB, SD files of poses, a CSV of measurements). Command-line DATA replaces them.'),
    targetColumn: z.string().min(1).optional().describe('CSV column of the target; default: the first of pIC50_or_pK, pIC50, pKi, pK, pKd, dG.'),
    idColumn: z.string().min(1).optional().describe('CSV column of the compound id; default: the first of ligand_id, compound_id, id, name.'),
    errorColumn: z.string().min(1).optional().describe("CSV column of each target's standard error (σ, in the target's units) for loss.gaussianNll; an empty cell leaves that compound without one."),
    pocketCutoff: positive.nullable().default(6).describe('Keep protein residues within this distance (Å) of any pose; null keeps all.'),
    protein: z.string().min(1).nullable().default(null).describe('Protein file in each folder; null: pocket.pdb if present, else protein.pdb, else the only PDB. protein.pdb with pocketCutoff null trains on whole structures.'),
    keepHydrogens: z.boolean().default(false).describe('Keep hydrogen atoms.'),
    ligandFeatures: z.boolean().default(false).describe("Attach RDKit's 74 canonical atom features and bonds to the ligand atoms, for 2D ligand models (representation gat on the ligand part)."),
    cacheDir: z.string().min(1).nullable().default(null).describe('Featurization cache folder; null: no cache.'),
    poseFilter: z
      .strictObject({
        tag: z.string().min(1).describe('SD tag to test, e.g. pose_source.'),
        values: z.array(z.string()).min(1).describe('Keep poses whose tag has one of these values.'),
      })
      .nullable()
      .default(null)
      .describe('Keep only poses whose SD tag has one of the values.'),
    topPoses: z
      .strictObject({
        tag: z.string().min(1).describe('Numeric SD tag to rank by, e.g. vina_score.'),
        k: z.number().int().positive().describe('How many poses to keep.'),
        order: z.enum(['ascending', 'descending']).default('ascending').describe('ascending keeps the smallest values (best docking scores).'),
      })
      .nullable()
      .default(null)
      .describe('Keep at most the top k poses of each compound by a numeric SD tag (poses without the tag go last).'),
  })
  .describe('Where the data is and how it becomes poses.');

const finite = z.number().finite();
const weight = positive.default(1).describe('Multiplies the term.');

const lossSchema = z
  .strictObject({
    kind: z.enum(['squared-error', 'censored-squared-error']).default('censored-squared-error').describe('Loss on the combined prediction; the censored form treats "<" and ">" measurements as bounds.'),
    weight: z.number().min(0).finite().default(1).describe('Multiplies the kind term; 0 leaves it out (to train on gaussianNll alone).'),
    poseLabel: z
      .strictObject({ label: z.string().min(1), weight: positive.default(1) })
      .nullable()
      .default(null)
      .describe('Adds a squared error of each pose prediction against this SD-tag pose label.'),
    gaussianNll: z
      .strictObject({
        weight,
        defaultError: positive
          .nullable()
          .default(null)
          .describe("σ (in the target's units) for a compound without an error value (an empty cell, or no data.errorColumn); null: a training or validation compound without one stops the run before training, naming it."),
      })
      .nullable()
      .default(null)
      .describe(
        "Adds weight × the Gaussian negative log-likelihood of the combined prediction, 0.5·((ŷ − y)/σ)² + ln σ + 0.5·ln 2π, with σ the compound's measurement error from data.errorColumn (or defaultError). A censored measurement costs only its ln σ part on its satisfied side, as in censored-squared-error, whatever kind says.",
      ),
    poseRange: z
      .strictObject({
        min: finite.describe('Lower bound, in the per-pose units (what the combination receives, e.g. kT).'),
        max: finite.describe('Upper bound, at least min.'),
        weight,
      })
      .refine((range) => range.min <= range.max, { message: 'max must be at least min', path: ['max'] })
      .nullable()
      .default(null)
      .describe('Adds weight × Σ over poses of relu(min − ŷ_i)² + relu(ŷ_i − max)²: zero while every pose prediction lies in [min, max].'),
    poseCrossEntropy: z
      .strictObject({
        label: z.string().min(1).describe('Numeric SD tag of the poses, e.g. rmsd_to_reference.'),
        threshold: finite.describe('A pose is correct when its label is below this, e.g. 2 (Å).'),
        weight,
        temperature: positive.default(1).describe('T in the per-pose units (kT for a Boltzmann-style energy head).'),
      })
      .nullable()
      .default(null)
      .describe(
        'Adds weight × the cross-entropy between the pose weights softmax(−ŷ_i / T) and the uniform distribution over the correct poses (label < threshold). A compound whose poses do not all carry the label, or with no correct pose, adds nothing; the run stops before training when no training compound carries it.',
      ),
  })
  .refine((loss) => loss.weight > 0 || loss.gaussianNll !== null, {
    message: 'the loss needs a term on the combined prediction: a weight above 0 or gaussianNll',
    path: ['weight'],
  })
  .describe(
    'The training loss: the sum of its terms for each compound, averaged over the epoch. The validation loss (history, early stopping, the best epoch, reduce-on-plateau) is the mean over the validation compounds of the terms on the combined prediction only (weight × kind, and gaussianNll), without the per-pose terms (poseLabel, poseRange, poseCrossEntropy).',
  );

const augmentSchema = z
  .strictObject({
    jitter: z
      .number()
      .min(0)
      .finite()
      .default(0)
      .describe(
        "Gaussian noise (Å, σ per coordinate) added to the atom positions of each training compound, drawn afresh every epoch from the seed, the epoch and the compound's key (folder/id), so resumed and multi-worker runs give the same weights. Receptor atoms get one displacement per compound and epoch, the same in every pose (receptor filters stay shared across poses); ligand atoms get their own in each pose. 0: off.",
      ),
  })
  .describe('Augmentation of the training compounds; validation, test and prediction compounds are never changed.');

const optimizerSchema = z
  .strictObject({
    name: z.enum(['adam', 'adamw', 'sgd']).default('adam'),
    learningRate: positive.default(3e-3),
    beta1: fraction.default(0.9).describe('adam, adamw'),
    beta2: fraction.default(0.999).describe('adam, adamw'),
    epsilon: positive.default(1e-7).describe('adam, adamw'),
    weightDecay: z.number().min(0).default(0).describe('adamw: decoupled decay θ ← θ − lr·weightDecay·θ before each step.'),
    momentum: z.number().min(0).max(1).default(0).describe('sgd: momentum (0: plain SGD).'),
  })
  .describe('The optimizer.');

const scheduleSchema = z
  .strictObject({
    name: z.enum(['constant', 'cosine', 'step', 'reduce-on-plateau']).default('constant'),
    warmupEpochs: z.number().int().min(0).default(0).describe('Linear warm-up from lr/(warmupEpochs+1) over these epochs.'),
    minLearningRate: z.number().min(0).default(0).describe('cosine: the floor; reduce-on-plateau: the floor.'),
    stepEpochs: z.number().int().positive().default(10).describe('step: epochs between decays.'),
    factor: z.number().positive().lt(1).default(0.5).describe('step and reduce-on-plateau: multiplier.'),
    patience: z.number().int().positive().default(3).describe('reduce-on-plateau: epochs without improvement of the validation loss.'),
  })
  .describe('Learning rate per epoch.');

const splitSchema = z
  .strictObject({
    kind: z.enum(['random', 'scaffold', 'temporal', 'file']).default('random').describe('random by compound; scaffold: Bemis–Murcko groups; temporal: by a date column; file: ids listed in a file.'),
    validation: fraction.default(0.2).describe('Fraction of compounds for validation.'),
    test: fraction.default(0).describe('Fraction of compounds held out for testing.'),
    dateColumn: z.string().min(1).default('date').describe('temporal: CSV column with sortable dates (ISO 8601).'),
    file: z.string().min(1).optional().describe('file: a CSV or text file with `id,split` rows (split: train, validation or test), optionally `folder,id,split`.'),
  })
  .describe('How compounds are split into train, validation and test.');

// Transfer learning: its own section (and its own block here), apart from the loss and the
// data sections, so that each can change without touching the others.
const initSchema = z
  .strictObject({
    model: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe(
        "A saved model directory or a finished run directory whose weights start this run (`posepool train --init` replaces it); null: a fresh initialisation. The run's model must have the same parameter paths and shapes; without a model section the saved model's is used.",
      ),
    reinitialize: z
      .array(z.string().min(1))
      .default([])
      .describe("Parameter path prefixes (e.g. strategy.head) that keep their fresh initialisation instead of the saved weights. centerTarget shifts the output bias only when it is re-initialised here."),
    freeze: z.array(z.string().min(1)).default([]).describe('Parameter path prefixes (e.g. representation) that receive no update, and no optimizer state change, during the first freezeEpochs epochs.'),
    freezeEpochs: z.number().int().min(0).default(0).describe('Epochs during which the freeze prefixes are frozen; they train normally afterwards.'),
  })
  .refine((init) => init.freeze.length === 0 || init.freezeEpochs > 0, { message: 'init.freeze needs init.freezeEpochs > 0 (the epochs it lasts)', path: ['freezeEpochs'] })
  .describe('Transfer learning: start from the weights of a saved model, re-initialise some parameters, freeze others for the first epochs.');

/**
 * Schema of a run config: strict (an unknown key is an error at its path), every field with
 * its default. {@link runConfigJsonSchema} exports it as JSON Schema.
 *
 * @example
 * ```ts
 * const config = runConfigSchema.parse({ epochs: 5, optimizer: { name: 'adamw', weightDecay: 1e-4 } });
 * config.batchSize; // 4
 * ```
 */
export const runConfigSchema = z
  .strictObject({
    model: modelConfigSchema.default(defaultModel).describe('The multi-pose model: representation, strategy, readouts, combination (names from `posepool list`).'),
    plugins: z.array(z.string().min(1)).default([]).describe('Packages (or paths) whose exported plugins are registered before the model is built.'),
    data: dataSchema.prefault({}),
    gradients: z
      .strictObject({
        mode: z.enum(GRADIENT_MODES).default('auto'),
        memoryBudgetMiB: positive.default(256).describe('auto: use stored gradients while N·|θ| fits this budget.'),
      })
      .prefault({})
      .describe('How per-pose gradients are combined.'),
    loss: lossSchema.prefault({}),
    augment: augmentSchema.prefault({}),
    optimizer: optimizerSchema.prefault({}),
    schedule: scheduleSchema.prefault({}),
    clipNorm: positive.nullable().default(null).describe('Clip each mini-batch gradient to this global norm; null: no clipping.'),
    batchSize: z.number().int().positive().default(4).describe('Compounds per optimizer step.'),
    epochs: z.number().int().positive().default(15),
    checkpointEveryBatches: z.number().int().positive().nullable().default(null).describe('Also checkpoint every this many mini-batches inside an epoch; null: at epoch ends only.'),
    earlyStopping: z
      .strictObject({
        patience: z.number().int().positive().nullable().default(null).describe('Stop after this many epochs without an improvement of the validation loss (the training loss without a validation set); null: never.'),
        minDelta: z.number().min(0).default(0).describe('The smallest decrease that counts as an improvement.'),
      })
      .prefault({}),
    split: splitSchema.prefault({}),
    centerTarget: z.boolean().default(true).describe("Start the output at the training set's mean target (shifts the last bias of the network before training)."),
    seed: z.number().int().default(1).describe('Seeds the split, the shuffles, the coordinate jitter and the bootstrap.'),
    backend: z.enum(BACKEND_NAMES).default('wasm'),
    workers: z
      .union([z.literal('auto'), z.number().int().positive()])
      .default(1)
      .describe("Threads computing the compounds of a mini-batch (and predictions) in parallel, each with its own backend and model replica; 'auto': os.availableParallelism(), never more than batchSize. The result does not depend on it."),
    init: initSchema.prefault({}),
    // Ensembles: their own field.
    ensemble: z
      .number()
      .int()
      .min(1)
      .default(1)
      .describe("Members to train (--ensemble of posepool train and cv replaces it): member i with seed + i and every model seed + i, on one split, in members/i of the run directory; predictions are the members' mean with their spread (standard deviation). 1: a single model."),
  })
  .refine((config) => config.loss.gaussianNll === null || config.loss.gaussianNll.defaultError !== null || config.data.errorColumn !== undefined, {
    message: "gaussianNll needs each compound's σ: set data.errorColumn, or loss.gaussianNll.defaultError",
    path: ['loss', 'gaussianNll'],
  })
  .describe('A PosePool training run.');

/** A run config as written in a file (everything optional). */
export type RunConfigInput = z.input<typeof runConfigSchema>;
/** A resolved run config: every default filled in. */
export type RunConfig = z.output<typeof runConfigSchema>;

/**
 * JSON Schema (draft 2020-12) of a run config file, for editors and `posepool schema`.
 *
 * @returns the schema; fields with defaults are not required
 * @example
 * ```ts
 * JSON.stringify(runConfigJsonSchema(), null, 2);
 * ```
 */
export function runConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(runConfigSchema, { io: 'input' }) as Record<string, unknown>;
}
