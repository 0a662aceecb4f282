import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { Command, Option } from '@commander-js/extra-typings';
import type { CrossValidationResult, EvaluationGroup, FoldStart } from '@posepool/training';

import { UsageError } from '../errors.js';
import { library, print } from '../library.js';
import { jsonOption, pluginOption, positiveInteger } from '../options.js';
import { createProgress } from '../progress.js';

/** The bundled example set, present in a clone of the repository. */
const EXAMPLE = fileURLToPath(new URL('../../../../examples/data/tyk2', import.meta.url));
const timestamp = (): string => new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

/**
 * `posepool cv`.
 *
 * @returns the command
 * @example
 * ```ts
 * program.addCommand(cvCommand());
 * ```
 */
export function cvCommand() {
  return new Command('cv')
    .description('K-fold cross-validation: one run per fold, per-fold and pooled metrics with bootstrap 95% intervals')
    .argument('[data...]', 'dataset folders; default: the bundled tyk2 example')
    .option('-c, --config <file>', 'run config (YAML or JSON); see posepool schema')
    .option('-o, --out <dir>', 'cross-validation directory to create (default: cv/<date-time>)')
    .addOption(new Option('--folds <k>', 'number of folds (default: 5)').argParser(positiveInteger))
    .addOption(new Option('--split <kind>', 'how compounds are dealt into folds (within each folder)').choices(['scaffold', 'random', 'temporal'] as const).default('scaffold' as const))
    .addOption(new Option('--repeats <r>', 'repeat with fold seeds seed, seed+1, …').argParser(positiveInteger).default(1))
    .addOption(new Option('--group-by <what>', 'folder: one fold per folder (leave one target out)').choices(['folder'] as const))
    .option('--baseline <tag>', "also score an SD tag's best (lowest) pose value, negated, e.g. vina_score")
    .addOption(new Option('--ensemble <k>', "every fold trains k members with seeds seed, seed+1, …; its predictions are their mean and spread (replaces the config's ensemble)").argParser(positiveInteger))
    .option('--resume <dir>', 'continue a stopped cross-validation (finished folds are kept)')
    .addOption(pluginOption())
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
Examples:
  $ posepool cv data/p38 data/tyk2 -c run.yaml --folds 5 --split scaffold --baseline vina_score -o cv/two
  $ posepool cv data/* --group-by folder -o cv/leave-one-target-out
  $ posepool cv data/tyk2 --ensemble 5 -o cv/tyk2-ensemble   # five members per fold: mean and spread
  $ posepool cv --resume cv/two                      # after a crash or kill

With --ensemble K (or ensemble: K in the run config), every fold trains K members: its predictions are their
mean with a spread column, and the metrics add the spread metrics (as posepool evaluate).
An ensemble's unfinished fold trains again from nothing on --resume.
`,
    )
    .action(async (data, options) => {
      if (options.resume !== undefined && (data.length > 0 || options.config !== undefined || options.out !== undefined || options.folds !== undefined || options.groupBy !== undefined || options.baseline !== undefined || options.ensemble !== undefined)) {
        throw new UsageError("--resume takes the cross-validation's own config, data and folds: drop DATA, --config, --out, --folds, --group-by, --baseline and --ensemble.");
      }
      if (options.groupBy === 'folder' && options.folds !== undefined) throw new UsageError('--group-by folder makes one fold per folder: drop --folds.');
      const lib = await library();
      const progress = createProgress(process.stderr, options.json === true);
      const out = options.resume ?? options.out ?? `cv/${timestamp()}`;
      // Ctrl-C or a scheduler's SIGTERM: the cv directory says so (finished folds and the fold's checkpoint are on disk) and how to go on.
      const interrupted = (signal: 'SIGINT' | 'SIGTERM'): void => {
        const hint = `resume with: posepool cv --resume ${out}`;
        void (existsSync(out) ? lib.writeStatus(out, { state: 'failed', reason: `interrupted by ${signal}; ${hint}` }) : Promise.resolve()).finally(() => {
          progress.stop();
          process.stderr.write(`posepool: interrupted by ${signal}; ${hint}\n`);
          process.exit(signal === 'SIGINT' ? 130 : 143);
        });
      };
      process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
      const callbacks = {
        plugins: await lib.importPlugins(options.plugin),
        onFold: (f: FoldStart) => progress.line(`repeat ${f.repeat}/${f.repeats}, fold ${f.fold}/${f.folds}: ${f.action === 'done' ? 'finished before, kept' : f.action === 'resume' ? 'resuming' : 'training'} (${f.dir})`),
        onBatch: (p: { epoch: number; epochs: number; batch: number; batches: number; loss: number }) => {
          if (p.batch === 1) progress.start(`epoch ${p.epoch}/${p.epochs}`, p.batches);
          progress.update(p.batch, `loss ${p.loss.toFixed(3)}`);
        },
      };
      let result: CrossValidationResult;
      if (options.resume !== undefined) {
        result = await lib.resumeCrossValidation(options.resume, callbacks);
      } else {
        const config = options.config === undefined ? lib.resolveRunConfig({}) : await lib.readRunConfig(options.config);
        const folders = data.length > 0 ? data : config.data.folders.length > 0 ? config.data.folders : existsSync(EXAMPLE) ? [EXAMPLE] : [];
        if (folders.length === 0) throw new UsageError('No DATA folder given and the bundled example is not installed here. Pass dataset folders: posepool cv DATA...');
        result = await lib.crossValidate(
          { ...config, plugins: [...config.plugins, ...options.plugin], ...(options.ensemble !== undefined && { ensemble: options.ensemble }) },
          {
            ...callbacks,
            data: folders,
            out,
            split: options.split,
            repeats: options.repeats,
            ...(options.folds !== undefined && { folds: options.folds }),
            ...(options.groupBy !== undefined && { groupBy: options.groupBy }),
            ...(options.baseline !== undefined && { baseline: options.baseline }),
          },
        );
      }
      progress.stop();
      const { metrics } = result;
      if (options.json === true) {
        await print(JSON.stringify({ out: result.dir, ...metrics }));
        return;
      }
      const lines = [`cross-validation ${result.dir} (held-out predictions, 95% bootstrap intervals)`];
      for (const f of metrics.folds) lines.push(`  repeat ${f.repeat} fold ${f.fold}  ${lib.formatReport(f.model.pooled)}`);
      const groups: Array<[string, EvaluationGroup]> = [['model', metrics.pooled.model]];
      if (metrics.pooled.baseline !== undefined) groups.push([`−best ${metrics.pooled.baseline.tag}`, metrics.pooled.baseline]);
      for (const [name, group] of groups) {
        lines.push(`  ${name} pooled  ${lib.formatReport(group.pooled)}`);
        for (const [folder, report] of Object.entries(group.folders)) lines.push(`  ${name} ${folder}  ${lib.formatReport(report)}`);
      }
      if (metrics.pooled.poses !== undefined) lines.push(`  ${lib.formatPoseMetrics(metrics.pooled.poses)}`);
      if (metrics.pooled.spread !== undefined) lines.push(`  ${lib.formatSpreadMetrics(metrics.pooled.spread)}`);
      lines.push(`wrote ${result.dir}/metrics.json, predictions.csv (out of fold), folds/`);
      progress.line(lines.join('\n'));
    });
}
