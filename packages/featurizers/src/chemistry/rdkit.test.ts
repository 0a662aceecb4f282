import { describe, expect, it } from 'vitest';

import { InputError } from '../errors.js';
import { CHEMISTRY_LIMITS, smilesPose } from './atom-features.js';
import { loadRDKit, withRDKit } from './rdkit.js';

const failure = (run: () => Promise<unknown>): Promise<InputError> =>
  run().then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(InputError);
      return e as InputError;
    },
  );

describe('RDKit inputs', () => {
  it.each([
    ['', /\(SMILES\) \(record ''\): the SMILES is empty/],
    ['   ', /the SMILES is empty/],
    ['*C', /atom 1 of the molecule '\*C' is a dummy atom \('\*', atomic number 0\)/],
    ['C1CC', /RDKit cannot read or sanitize the molecule 'C1CC'/],
    ['C'.repeat(CHEMISTRY_LIMITS.smiles + 1), /the SMILES has 4097 characters, more than the 4096 accepted/],
  ])('smilesPose of bad input %# is an InputError naming the input', async (smiles, message) => {
    expect((await failure(() => smilesPose(smiles))).message).toMatch(message);
  });

  it('turns a fault inside RDKit into an InputError and loads a fresh module for the next call', async () => {
    const before = await loadRDKit();
    const error = await failure(() =>
      withRDKit({ file: '(SMILES)' }, 'C'.repeat(100), () => {
        throw new (globalThis as unknown as { WebAssembly: { RuntimeError: new (message: string) => Error } }).WebAssembly.RuntimeError('memory access out of bounds');
      }),
    );
    expect(error.message).toMatch(/RDKit failed on the molecule 'C{60}… \(100 characters\)' \(memory access out of bounds\)/);
    expect(await loadRDKit()).not.toBe(before);
    expect((await smilesPose('CCO')).z).toEqual(Int32Array.from([6, 6, 8]));
  });

  it('survives the largest SMILES it accepts', async () => {
    const outcome = await smilesPose('C'.repeat(CHEMISTRY_LIMITS.smiles)).then(
      (pose) => pose.z.length,
      (e: unknown) => e,
    );
    if (typeof outcome !== 'number') expect(outcome).toBeInstanceOf(InputError);
    expect((await smilesPose('CCO')).z).toHaveLength(3);
  });
});
