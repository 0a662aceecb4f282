import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Command, Option } from '@commander-js/extra-typings';
import type { BatchProgress, EpochRecord, RunResult, RunStart } from '@posepool/training';

import { UsageError } from '../errors.js';
import { library, print } from '../library.js';
import { jsonOption, pluginOption, positiveInteger, workersOption } from '../options.js';
import { createProgress } from '../progress.js';

/** The bundled example set, present in a clone of the repository. */
const EXAMPLE = fileURLToPath(new URL('../../../../examples/data/tyk2', import.meta.url));

const timestamp = (): string => new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
const fixed = (v: number | null | undefined, digits = 3): string => (v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(digits));

/**
 * `posepool train`.
 *
 * @returns the command
 * @example
 * ```ts
 * program.addCommand(trainCommand());
 * ```
 */
export function trainCommand() {
  return new Command('train')
    .description('train a model on dataset folders; writes a run directory')
    .argument('[data...]', 'dataset folders (a pocket/protein PDB, SD files of poses, a CSV of measurements); default: the bundled tyk2 example')
    .option('-c, --config <file>', 'run config (YAML or JSON); see posepool schema')
    .option('-o, --out <dir>', 'run directory to create (default: runs/<date-time>)')
    .option('--resume <run>', 'continue a stopped run from its last checkpoint (its own config and data)')
    .option('--init <model>', "start from the weights of a saved model or finished run directory (replaces the config's init.model); without a model section in the config, its architecture too")
    .addOption(new Option('--ensemble <k>', "train k members with seeds seed, seed+1, … on one split (members/0 … members/k-1); predict and evaluate give their mean and spread (replaces the config's ensemble)").argParser(positiveInteger))
    .addOption(pluginOption())
    .addOption(workersOption())
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
Examples:
  $ posepool train                                   # default model on the bundled tyk2 set
  $ posepool train data/p38 data/tyk2 -c run.yaml -o runs/two-targets
  $ posepool train --resume runs/two-targets         # after a crash or kill
  $ posepool train data/jak1 --init runs/two-targets -c fine-tune.yaml -o runs/jak1   # fine-tune a pre-trained model
  $ posepool train data/tyk2 --ensemble 5 -o runs/tyk2-ensemble   # five members: mean and spread
`,
    )
    .action(async (data, options) => {
      if (options.resume !== undefined && (data.length > 0 || options.config !== undefined || options.out !== undefined || options.init !== undefined || options.ensemble !== undefined)) {
        throw new UsageError('--resume takes the run\'s own config, data, directory, starting weights and members: drop DATA, --config, --out, --init and --ensemble.');
      }
      const lib = await library();
      const progress = createProgress(process.stderr, options.json === true);
      const emit = (event: object): Promise<void> => (options.json === true ? print(JSON.stringify(event)) : Promise.resolve());
      // Ctrl-C or a scheduler's SIGTERM: the run directory says so (its checkpoint is already on disk) and how to go on.
      let runDir: string | undefined;
      const interrupted = (signal: 'SIGINT' | 'SIGTERM'): void => {
        const hint = runDir === undefined ? '' : `; resume with: posepool train --resume ${runDir}`;
        void (runDir === undefined ? Promise.resolve() : lib.writeStatus(runDir, { state: 'failed', reason: `interrupted by ${signal}${hint}` })).finally(() => {
          progress.stop();
          process.stderr.write(`posepool: interrupted by ${signal}${hint}\n`);
          process.exit(signal === 'SIGINT' ? 130 : 143);
        });
      };
      process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
      const callbacks = {
        onData: (folder: string, done: number, total: number) => {
          if (done === 1) progress.start(`featurizing ${folder}`, total);
          progress.update(done);
          if (done === total) progress.line(`featurized ${folder}: ${total} compounds`);
        },
        onStart: (start: RunStart) => {
          runDir = start.ensemble?.dir ?? start.dir;
          const { train, validation, test } = start.compounds;
          progress.line(
            `${start.ensemble === undefined ? 'run' : `member ${start.ensemble.member + 1} of ${start.ensemble.members}:`} ${start.dir}: ${train} train / ${validation} validation / ${test} test compounds, ${start.parameters} parameters${start.init === null ? '' : `, starting from ${start.init}`}${start.startEpoch > 0 ? `, resuming after epoch ${start.startEpoch}` : ''}`,
          );
          for (const s of start.skipped) progress.line(`skipped ${s.item}: ${s.reason}`);
          for (const w of start.warnings) progress.line(`warning: ${w}`);
          void emit({ event: 'start', ...start });
        },
        onBatch: (p: BatchProgress) => {
          if (p.batch === 1) progress.start(`epoch ${p.epoch}/${p.epochs}`, p.batches);
          progress.update(p.batch, `loss ${fixed(p.loss)}`);
        },
        onEpoch: (r: EpochRecord) => {
          progress.line(
            `epoch ${r.epoch}  train loss ${fixed(r.trainLoss)}  validation loss ${fixed(r.validationLoss)}  RMSE ${fixed(r.validation?.rmse)}  r ${fixed(r.validation?.pearson, 2)}  ` +
              `lr ${r.learningRate.toExponential(1)}  ${r.seconds.toFixed(1)} s  ${r.posesPerSecond.toFixed(1)} poses/s`,
          );
          void emit({ event: 'epoch', ...r });
        },
      };
      let run: RunResult;
      if (options.resume !== undefined) {
        run = await lib.resumeRun(options.resume, { ...callbacks, plugins: await lib.importPlugins(options.plugin), ...(options.workers !== undefined && { workers: options.workers }) });
      } else {
        // As written, not resolved: train() tells from it whether the config sets a model section (else --init's model gives the architecture).
        const written = options.config === undefined ? {} : await lib.readRunConfigInput(options.config);
        const config = lib.resolveRunConfig(written);
        const folders = data.length > 0 ? data : config.data.folders.length > 0 ? config.data.folders : existsSync(EXAMPLE) ? [EXAMPLE] : [];
        if (folders.length === 0) throw new UsageError('No DATA folder given and the bundled example is not installed here. Pass dataset folders: posepool train DATA...');
        run = await lib.train(
          { ...written, plugins: [...config.plugins, ...options.plugin], ...(options.workers !== undefined && { workers: options.workers }) },
          { ...callbacks, data: folders, out: options.out ?? `runs/${timestamp()}`, ...(options.init !== undefined && { init: options.init }), ...(options.ensemble !== undefined && { ensemble: options.ensemble }) },
        );
      }
      progress.stop();
      const summary = Object.entries(run.metrics.splits)
        .map(([name, group]) => `${name} RMSE ${fixed(group.pooled.rmse.value, 2)} r ${fixed(group.pooled.pearson.value, 2)} (n=${group.pooled.n})`)
        .join('; ');
      const metrics = run.metrics;
      const kept = 'members' in metrics ? `mean of ${metrics.members.length} members` : `weights of epoch ${metrics.bestEpoch} of ${metrics.epochs}`;
      progress.line(`done: ${run.dir} (${kept}); ${summary}`);
      if ('members' in metrics) for (const [name, spread] of Object.entries(metrics.spread)) progress.line(`  ${name}: ${lib.formatSpreadMetrics(spread)}`);
      progress.line(`report: ${join(run.dir, lib.RUN_FILES.report)}`);
      await emit({ event: 'done', dir: run.dir, metrics: run.metrics });
    });
}
