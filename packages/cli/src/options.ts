import { InvalidArgumentError, Option } from '@commander-js/extra-typings';

/**
 * Collects a repeatable flag's values.
 *
 * @param value - this occurrence's value
 * @param previous - the values so far
 * @returns all values
 * @example
 * ```ts
 * new Option('--plugin <package>').argParser(collect).default([] as string[]);
 * ```
 */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * `--plugin PKG`, repeatable.
 *
 * @returns the option
 * @example
 * ```ts
 * command.addOption(pluginOption());
 * ```
 */
export function pluginOption() {
  return new Option('--plugin <package>', 'import a package (or ./path) and register its plugin; repeatable').argParser(collect).default([] as string[]);
}

/**
 * `--json`: machine-readable output on stdout, no progress.
 *
 * @returns the option
 * @example
 * ```ts
 * command.addOption(jsonOption());
 * ```
 */
export function jsonOption() {
  return new Option('--json', 'print JSON on stdout (one object per line for train), no progress');
}

/**
 * Parses a positive integer flag value.
 *
 * @param value - the text
 * @returns the number
 * @throws InvalidArgumentError (exit 2)
 * @example
 * ```ts
 * new Option('--seed <n>').argParser(positiveInteger);
 * ```
 */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`'${value}' is not a positive integer.`);
  return n;
}

/** Parses `--workers`: `auto` or a positive integer. */
function parseWorkers(value: string): 'auto' | number {
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected 'auto' or a positive integer, got '${value}'.`);
  return n;
}

/**
 * `--workers auto|N`: threads computing compounds in parallel (replaces the run config's `workers`).
 *
 * @returns the option
 * @example
 * ```ts
 * command.addOption(workersOption());
 * ```
 */
export function workersOption() {
  return new Option('--workers <n|auto>', "threads computing compounds in parallel, each with its own model replica; 'auto': one per core (default: the run config's workers)").argParser(parseWorkers);
}
