import { createRequire } from 'node:module';

import type { MainModule } from '@rdkit/rdkit';

import { InputError, type InputLocation } from '../errors.js';

let rdkit: Promise<MainModule> | undefined;

/**
 * RDKit's WebAssembly module, loaded once on first use (and again after a fault, see
 * {@link withRDKit}).
 *
 * @example
 * ```ts
 * const RDKit = await loadRDKit();
 * RDKit.version(); // '2026.09.1'
 * ```
 */
export function loadRDKit(): Promise<MainModule> {
  // @rdkit/rdkit is a CommonJS module whose export is the factory: require it as such.
  const factory = createRequire(import.meta.url)('@rdkit/rdkit') as () => Promise<MainModule>;
  rdkit ??= factory();
  return rdkit;
}

/**
 * Runs RDKit work on one input. A failure inside RDKit (a WebAssembly trap, a memory fault, a
 * stack overflow on a huge input) becomes an {@link InputError} naming the input, and the module
 * is dropped so the next call loads a fresh one: one bad molecule cannot break every later call
 * in the process.
 *
 * @param where - names the input in errors
 * @param input - the molecule's text, quoted (shortened) in the error
 * @param work - the RDKit calls
 * @returns what `work` returns
 * @throws InputError naming the input
 * @example
 * ```ts
 * const atoms = await withRDKit({ file: '(smiles)' }, 'CCO', (RDKit) => RDKit.get_mol('CCO')?.get_num_atoms());
 * ```
 */
export async function withRDKit<T>(where: InputLocation, input: string, work: (RDKit: MainModule) => T): Promise<T> {
  const RDKit = await loadRDKit();
  try {
    return work(RDKit);
  } catch (cause) {
    if (cause instanceof InputError) throw cause;
    rdkit = undefined; // its memory may be corrupt: start afresh next time
    const shown = input.length > 60 ? `${input.slice(0, 60)}… (${input.length} characters)` : input;
    throw new InputError(where, `RDKit failed on the molecule '${shown.replace(/\n/g, '⏎')}' (${cause instanceof Error ? cause.message : String(cause)})`, 'Check the molecule; very large molecules are not supported.', { cause });
  }
}
