import { Command, Option } from '@commander-js/extra-typings';

import { UsageError } from '../errors.js';
import { library, print } from '../library.js';
import { jsonOption, pluginOption } from '../options.js';

/**
 * `posepool list`: the registered components, plugins included.
 *
 * @returns the command
 * @example
 * ```ts
 * program.addCommand(listCommand());
 * ```
 */
export function listCommand() {
  return new Command('list')
    .description('list the registered components (representations, strategies, readouts, combinations)')
    .addOption(pluginOption())
    .addOption(jsonOption())
    .addHelpText('after', '\nExample:\n  $ posepool list --plugin posepool-plugin-power-mean\n')
    .action(async (options) => {
      const lib = await library();
      const rows = lib.listComponents(await lib.importPlugins(options.plugin));
      if (options.json === true) return print(JSON.stringify(rows));
      const width = Math.max(...rows.map((r) => r.name.length));
      return print(rows.map((r) => `${r.kind.padEnd(14)} ${r.name.padEnd(width)}  ${r.plugin.padEnd(26)} ${r.description}`).join('\n'));
    });
}

/**
 * `posepool schema`: the run config's JSON Schema.
 *
 * @returns the command
 * @example
 * ```ts
 * program.addCommand(schemaCommand());
 * ```
 */
export function schemaCommand() {
  return new Command('schema')
    .description('print the JSON Schema of run config files')
    .addHelpText('after', '\nExample:\n  $ posepool schema > run.schema.json   # then "# yaml-language-server: $schema=run.schema.json" in run.yaml\n')
    .action(async () => {
      const lib = await library();
      await print(JSON.stringify(lib.runConfigJsonSchema(), null, 2));
    });
}

/**
 * `posepool gradcheck`: the plugin authors' checks on one component.
 *
 * @returns the command
 * @example
 * ```ts
 * program.addCommand(gradcheckCommand());
 * ```
 */
export function gradcheckCommand() {
  return new Command('gradcheck')
    .description("run @posepool/core/testing's gradient checks on a registered or plugin component")
    .addOption(new Option('--combination <name>', 'check a combination').conflicts('representation'))
    .addOption(new Option('--representation <name>', 'check a representation (in a complex-only, mean-combined model)'))
    .addOption(pluginOption())
    .addOption(jsonOption())
    .addHelpText('after', '\nExamples:\n  $ posepool gradcheck --combination boltzmann\n  $ posepool gradcheck --representation my-net --plugin ./plugins/my-net.js\n')
    .action(async (options) => {
      if ((options.combination === undefined) === (options.representation === undefined)) throw new UsageError('Give one of --combination NAME or --representation NAME.');
      const lib = await library();
      const registry = lib.runRegistry(await lib.importPlugins(options.plugin));
      const report = lib.gradcheck(options.combination !== undefined ? { combination: options.combination } : { representation: options.representation! }, registry);
      if (options.json === true) await print(JSON.stringify(report));
      else {
        const lines = report.results.map((r) => `${r.passed ? 'ok  ' : 'FAIL'} ${r.name}  (worst ${r.worst.toPrecision(2)} of the tolerance)${r.detail ? `: ${r.detail}` : ''}`);
        if (report.failure !== undefined) lines.push(`FAIL ${report.failure}`);
        lines.push(`${report.component}: ${report.passed ? `all ${report.results.length} checks passed` : 'checks failed'}`);
        await print(lines.join('\n'));
      }
      if (!report.passed) process.exitCode = 1;
    });
}
