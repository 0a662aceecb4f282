import { Command } from '@commander-js/extra-typings';
import { POSEPOOL_VERSION } from '@posepool/core';

import { cvCommand } from './commands/cv.js';
import { evaluateCommand } from './commands/evaluate.js';
import { gradcheckCommand, listCommand, schemaCommand } from './commands/inspect.js';
import { predictCommand } from './commands/predict.js';
import { trainCommand } from './commands/train.js';
import { EXIT, describeError } from './errors.js';

/**
 * The `posepool` program: train, cv, evaluate, predict, gradcheck, list, schema.
 *
 * @returns the commander program (throws instead of exiting)
 * @example
 * ```ts
 * await createProgram().parseAsync(['list'], { from: 'user' });
 * ```
 */
export function createProgram() {
  const program = new Command('posepool')
    .description('Train, evaluate and predict multi-pose binding-affinity models from folders of docked poses.')
    .version(POSEPOOL_VERSION)
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({ outputError: (text, write) => write(`posepool: ${text.replace(/\s*\n\s*/g, ' ').trim()} (see --help)\n`) })
    .addHelpText('after', '\nExample:\n  $ posepool train && posepool evaluate runs/<date-time> --split validation\n');
  for (const command of [trainCommand(), cvCommand(), evaluateCommand(), predictCommand(), gradcheckCommand(), listCommand(), schemaCommand()]) {
    program.addCommand(command.exitOverride().showSuggestionAfterError().configureOutput(program.configureOutput()));
  }
  return program;
}

/**
 * Runs the command line.
 *
 * @param argv - the arguments after the executable
 * @returns the exit code: 0 ok, 1 failure, 2 usage
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2));
 * ```
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return EXIT.usage;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    const { code, line } = describeError(error);
    if (line !== '') process.stderr.write(`${line}\n`);
    if (process.env.POSEPOOL_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return code;
  }
}
