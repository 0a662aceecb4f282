import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { Command, Option } from '@commander-js/extra-typings';
import type { EvaluationGroup } from '@posepool/training';

import { library, print } from '../library.js';
import { jsonOption, pluginOption, positiveInteger, workersOption } from '../options.js';
import { createProgress } from '../progress.js';

/**
 * `posepool evaluate`.
 *
 * @returns the command
 * @example
 * ```ts
 * program.addCommand(evaluateCommand());
 * ```
 */
export function evaluateCommand() {
  return new Command('evaluate')
    .description('metrics with bootstrap 95% intervals, per folder and pooled, a baseline, and plots')
    .argument('<run-or-model>', 'a run directory or a model directory')
    .argument('[data...]', "dataset folders (default: the run's own)")
    .addOption(new Option('--split <subset>', "only this subset of the run's split").choices(['all', 'train', 'validation', 'test'] as const).default('all' as const))
    .option('--baseline <tag>', "also score an SD tag's best (lowest) pose value, negated, e.g. vina_score")
    .option('-o, --out <dir>', 'where metrics.json, predictions.csv, plots/ and report.html go (default: <run>/evaluation, or ./evaluation)')
    .addOption(new Option('--seed <n>', "bootstrap seed (default: the run's seed)").argParser(positiveInteger))
    .addOption(pluginOption())
    .addOption(workersOption())
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
Examples:
  $ posepool evaluate runs/tyk2 --split test --baseline vina_score
  $ posepool evaluate runs/tyk2/model data/p38 data/mcl1 -o eval-p38-mcl1
`,
    )
    .action(async (path, data, options) => {
      const lib = await library();
      const out = options.out ?? (existsSync(join(path, lib.RUN_FILES.config)) ? join(path, 'evaluation') : 'evaluation');
      const progress = createProgress(process.stderr, options.json === true);
      const { evaluation, label } = await lib.evaluate(path, {
        ...(data.length > 0 && { data }),
        split: options.split,
        ...(options.baseline !== undefined && { baseline: options.baseline }),
        ...(options.seed !== undefined && { seed: options.seed }),
        plugins: await lib.importPlugins(options.plugin),
        ...(options.workers !== undefined && { workers: options.workers }),
        out,
      });
      if (options.json === true) {
        await print(JSON.stringify({ out, label, ...evaluation }));
        return;
      }
      const groups: Array<[string, EvaluationGroup]> = [['model', evaluation.model]];
      if (evaluation.baseline !== undefined) groups.push([`−best ${evaluation.baseline.tag}`, evaluation.baseline]);
      const folders = ['pooled', ...Object.keys(evaluation.model.folders)];
      const [who, where] = [Math.max(...groups.map(([name]) => name.length)), Math.max(...folders.map((f) => f.length))];
      const lines = [`${label} (95% bootstrap intervals)`];
      for (const [name, group] of groups) {
        for (const folder of folders) {
          const report = folder === 'pooled' ? group.pooled : group.folders[folder];
          if (report !== undefined) lines.push(`  ${name.padEnd(who)}  ${folder.padEnd(where)}  ${lib.formatReport(report)}`);
        }
      }
      if (evaluation.poses !== undefined) lines.push(`  ${lib.formatPoseMetrics(evaluation.poses)}`);
      if (evaluation.spread !== undefined) lines.push(`  ${lib.formatSpreadMetrics(evaluation.spread)}`);
      lines.push(`wrote ${out}/metrics.json, predictions.csv, plots/, report.html`);
      progress.line(lines.join('\n'));
    });
}
