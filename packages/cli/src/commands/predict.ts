import { extname } from 'node:path';

import { Command, Option } from '@commander-js/extra-typings';

import { UsageError } from '../errors.js';
import { library, print } from '../library.js';
import { jsonOption, pluginOption, positiveInteger, workersOption } from '../options.js';
import { createProgress } from '../progress.js';

/**
 * `posepool predict`.
 *
 * @returns the command
 * @example
 * ```ts
 * program.addCommand(predictCommand());
 * ```
 */
export function predictCommand() {
  return new Command('predict')
    .description('predict compounds (and each pose with its weight w_i) with a run or a model directory')
    .argument('<model>', "a run directory (from 'posepool train') or a model directory")
    .argument('[data...]', "dataset folders (default: the run's own); a folder without a CSV is predicted without measurements")
    .requiredOption('-o, --out <file>', 'output: .csv (one row per pose) or .json; {shard} becomes the shard index')
    .option('--shard <i/n|auto>', 'predict only shard i of n (0-based); auto reads SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX')
    .addOption(new Option('--shard-count <n>', 'the number of shards with JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs)').argParser(positiveInteger))
    .addOption(pluginOption())
    .addOption(workersOption())
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
Examples:
  $ posepool predict runs/tyk2 data/new-series -o preds.csv
  $ posepool predict runs/tyk2 data/screen --shard auto -o 'preds-{shard}.csv'   # in a Slurm job array

A model trained with an ensemble (ensemble: K, or train --ensemble K) gives the members' mean as
predicted and their spread (standard deviation over the members) in a spread column after it
(a spread field in .json); pose_prediction and pose_weight are the members' means:
  folder,id,measured,predicted,spread,pose,pose_prediction,pose_weight
`,
    )
    .action(async (model, data, options) => {
      const format = extname(options.out).toLowerCase();
      if (format !== '.csv' && format !== '.json') throw new UsageError(`--out ${options.out}: expected a file name ending in .csv or .json.`);
      const lib = await library();
      const shard = options.shard === undefined ? undefined : lib.parseShard(options.shard, process.env, options.shardCount);
      const out = options.out.replaceAll('{shard}', String(shard?.index ?? 0));
      const progress = createProgress(process.stderr, options.json === true);
      const rows = await lib.predict(model, {
        ...(data.length > 0 && { data }),
        ...(shard && { shard }),
        plugins: await lib.importPlugins(options.plugin),
        ...(options.workers !== undefined && { workers: options.workers }),
        onProgress: (done, total) => {
          if (done === 1) progress.start('predicting', total);
          progress.update(done);
        },
      });
      progress.stop();
      await lib.writeFileAtomic(out, format === '.csv' ? lib.predictionsToCsv(rows) : lib.predictionsToJson(rows));
      if (options.json === true) await print(JSON.stringify({ out, compounds: rows.length, ...(shard && { shard }) }));
      else progress.line(`wrote ${out}: ${rows.length} compounds${shard ? ` (shard ${shard.index}/${shard.count})` : ''}`);
    });
}
