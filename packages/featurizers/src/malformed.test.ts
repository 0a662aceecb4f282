import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { readAffinities } from './dataset/affinities.js';
import { featurizeFolder } from './dataset/folder.js';
import { InputError } from './errors.js';
import { elementSymbol } from './elements.js';
import { readMmcif } from './readers/mmcif.js';
import { readMol2 } from './readers/mol2.js';
import { readPdb } from './readers/pdb.js';
import { readSdf } from './readers/sdf.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/malformed/${name}`, import.meta.url));

async function failure(run: () => Promise<unknown>): Promise<InputError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

const readAll = async (file: string): Promise<void> => {
  for await (const record of readSdf(file)) void record;
};

/** [fixture, reader, expected message (after "file:line: ")]. */
const cases: Array<[string, (file: string) => Promise<unknown>, RegExp]> = [
  ['truncated-record.sdf', readAll, /:1 \(record 'lig_a'\): record without 'M {2}END'\. The connection table is truncated\./],
  ['no-m-end.sdf', readAll, /:1 \(record 'lig_a'\): record without 'M {2}END'/],
  ['wrong-atom-count.sdf', readAll, /:4 \(record 'lig_a'\): the counts line announces 5 atoms and 2 bonds, but only 5 lines precede 'M {2}END'/],
  ['non-numeric-coordinate.sdf', readAll, /:6 \(record 'lig_a'\): x coordinate 'abc' is not a number/],
  ['nan-coordinate.sdf', readAll, /:6 \(record 'lig_a'\): x coordinate 'NaN' is not a number/],
  ['unknown-element.sdf', readAll, /:7 \(record 'lig_a'\): unknown element 'Xx'/],
  ['bond-to-missing-atom.sdf', readAll, /:9 \(record 'lig_a'\): bond between atoms 2 and 9, but the molecule has 3 atoms/],
  ['empty.sdf', readAll, /empty\.sdf: the SDF file is empty/],
  ['binary.sdf', readAll, /binary\.sdf: looks like a binary file, not SDF text/],
  ['bad-charge-line.sdf', readAll, /:10 \(record 'lig_a'\): malformed 'M {2}CHG' line/],
  ['no-records.sdf', readAll, /no-records\.sdf: no molecule records/],
  ['charge-on-missing-atom.sdf', readAll, /:10 \(record 'lig_a'\): 'M {2}CHG' names atom 7, but the molecule has 3 atoms/],
  ['v3000-count-mismatch.sdf', readAll, /:4 \(record 'lig_v3'\): COUNTS announces 3 atoms and 1 bonds, the blocks hold 2 and 1/],
  ['no-atoms.pdb', (f) => readPdb(f), /no-atoms\.pdb: no ATOM or HETATM records/],
  ['bad-coordinate.pdb', (f) => readPdb(f), /bad-coordinate\.pdb:2: x coordinate '1\.0x0' \(columns 31–38\) is not a number/],
  ['truncated-atom-line.pdb', (f) => readPdb(f), /truncated-atom-line\.pdb:2: ATOM record is 40 characters long; coordinates need columns 31–54/],
  ['unknown-element.pdb', (f) => readPdb(f), /unknown-element\.pdb:1: unknown element 'Qq'/],
  ['duplicate-ids.csv', (f) => readAffinities(f), /duplicate-ids\.csv:4 \(record 'lig_a'\): duplicate id \(first on line 2\)/],
  ['non-numeric-target.csv', (f) => readAffinities(f), /non-numeric-target\.csv:3 \(record 'lig_b'\): pIC50_or_pK 'n\/a' is not a number/],
  ['missing-target-column.csv', (f) => readAffinities(f), /missing-target-column\.csv:1: no target column \(looked for .*; the header has: ligand_id, activity_label\)/],
  ['header-only.csv', (f) => readAffinities(f), /header-only\.csv: has a header but no rows/],
  ['missing.sdf', readAll, /missing\.sdf: SDF file not found/],
  ['ligand-without-poses', (f) => featurizeFolder(f), /affinities\.csv:3 \(record 'lig_z'\): has a row but no poses in the SD files/],
  ['poses-without-row', (f) => featurizeFolder(f), /affinities\.csv \(record 'lig_q'\): has poses in .*poses\.sdf but no row/],
  ['duplicate-pose', (f) => featurizeFolder(f), /poses\.sdf:18 \(record 'lig_a'\): duplicate pose 0 \(first at line 1\)/],
  ['no-protein', (f) => featurizeFolder(f), /no-protein: no PDB or mmCIF file for the protein/],
  ['mol2-undefined-bond-atom.mol2', async (f) => { for await (const m of readMol2(f, elementSymbol)) void m; }, /:13 \(record 'lig_a'\): bond between atoms 2 and 7, which the ATOM section does not define/],
  ['mmcif-bad-coordinate.cif', (f) => readMmcif(f), /mmcif-bad-coordinate\.cif:\d+: Cartn_y '3\.0q0' is not a number/],
  // Numbers are decimals, finite and plausible, in every format.
  ['hex-coordinate.sdf', readAll, /:6 \(record 'lig_a'\): x coordinate '0x1F00' is not a number\. Write a decimal number/],
  ['mol2-binary-literal.mol2', async (f) => { for await (const m of readMol2(f, elementSymbol)) void m; }, /:9 \(record 'lig_a'\): y coordinate '0b101' is not a number/],
  ['huge-coordinate.pdb', (f) => readPdb(f), /huge-coordinate\.pdb:1: x coordinate 1\.00e\+30 is outside the plausible range -100000…100000/],
  ['mmcif-infinite-coordinate.cif', (f) => readMmcif(f), /mmcif-infinite-coordinate\.cif:\d+: Cartn_x 'Infinity' is not a number/],
  ['hex-target.csv', (f) => readAffinities(f), /hex-target\.csv:3 \(record 'lig_b'\): pIC50_or_pK '0x10' is not a number/],
  ['charge-out-of-range.sdf', readAll, /:10 \(record 'lig_a'\): charge 99 is outside the plausible range -15…15/],
  ['hex-pose-index', (f) => featurizeFolder(f), /poses\.sdf:1 \(record 'lig_a'\): pose_index '0x0' is not an integer/],
  // Records: merged by a missing $$$$, or beyond V2000's limits; NUL bytes past the first 8 KiB.
  ['missing-dollar-sign.sdf', readAll, /:11 \(record 'crystal'\): a second molecule starts inside this record .* A '\$\$\$\$' line is missing between two records/],
  ['missing-dollar-sign-after-tags.sdf', readAll, /:19 \(record 'lig_a'\): a second molecule starts inside this record/],
  ['v2000-over-999.sdf', readAll, /:4 \(record 'lig_a'\): the counts line '1000999 .*' is not in the V2000 layout .* write larger molecules as V3000/],
  ['nul-padded.sdf', readAll, /nul-padded\.sdf:9055: holds binary data \(a NUL byte\), not text/],
  // Poses of one compound: always checked, errors at the pose's own record.
  ['hydrogen-only-ligand', (f) => featurizeFolder(f, { pocketCutoff: null }), /poses\.sdf:1 \(record 'lig_a'\): the ligand has only hydrogen atoms \(3\), and hydrogens are dropped/],
  ['pose-atom-count-mismatch', (f) => featurizeFolder(f, { pocketCutoff: null }), /poses\.sdf:18 \(record 'lig_a'\): this pose has 4 ligand atoms, the compound's first pose \(line 1\) has 3/],
  ['pose-element-order', (f) => featurizeFolder(f), /poses\.sdf:18 \(record 'lig_a'\): ligand atom 2 is N here but C in the compound's first pose \(line 1\)/],
];

describe('malformed inputs give errors naming the file, line and problem', () => {
  for (const [name, read, message] of cases) {
    it(name, async () => {
      const error = await failure(() => read(fixture(name)));
      expect(error.message).toMatch(message);
      expect(error.code).toBe('E_INPUT');
      expect(error.file).toContain(name.replace(/\/.*/, '').split('.')[0]);
    });
  }
});

describe("onError: 'skip'", () => {
  it('skips a bad record, reports it, and keeps every other pose', async () => {
    const { compounds, skipped } = await featurizeFolder(fixture('bad-record-among-good'), { onError: 'skip' });
    expect(compounds.map((c) => [c.id, c.poses.length])).toEqual([['lig_a', 1], ['lig_b', 1]]);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.reason).toMatch(/poses\.sdf:\d+ \(record 'lig_a'\): x coordinate 'abc' is not a number/);
  });

  it('skips a malformed CSV row and keeps the other compounds', async () => {
    const { cp, mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'posepool-csv-'));
    await cp(fileURLToPath(new URL('../fixtures/valid', import.meta.url)), dir, { recursive: true });
    await writeFile(join(dir, 'affinities.csv'), 'ligand_id,pIC50_or_pK\nlig_a,7.5\nlig_b,NA\n');
    const { compounds, skipped } = await featurizeFolder(dir, { onError: 'skip' });
    expect(compounds.map((c) => c.id)).toEqual(['lig_a']);
    expect(skipped.map((s) => s.reason)).toEqual([expect.stringMatching(/affinities\.csv:3 \(record 'lig_b'\): pIC50_or_pK 'NA' is not a number/), expect.stringMatching(/record 'lig_b'\): has poses in .* but no row/)]);
    // The reader returns its skipped rows; an output array in the options is no longer part of the API.
    const table = await readAffinities(join(dir, 'affinities.csv'), { onError: 'skip' });
    expect(table.rows.map((r) => r.id)).toEqual(['lig_a']);
    expect(table.skipped.map((e) => e.line)).toEqual([3]);
    await expect(readAffinities(join(dir, 'affinities.csv'))).rejects.toThrow(/affinities\.csv:3/);
    // @ts-expect-error rowErrors was an output array hiding in the options (it turned 'fail' into collecting and entered the cache key)
    await featurizeFolder(dir, { rowErrors: [] }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a folder without measurements as compounds without targets when they are optional', async () => {
    const { cp, mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'posepool-screen-'));
    await cp(fileURLToPath(new URL('../fixtures/valid', import.meta.url)), dir, { recursive: true });
    await rm(join(dir, 'affinities.csv'));
    await expect(featurizeFolder(dir)).rejects.toThrow(/no CSV of measurements/);
    const measured = await featurizeFolder(fileURLToPath(new URL('../fixtures/valid', import.meta.url)));
    const screen = await featurizeFolder(dir, { measurements: 'optional' });
    expect(screen.files.affinities).toBeUndefined();
    expect(screen.compounds.map((c) => [c.id, c.target])).toEqual(measured.compounds.map((c) => [c.id, undefined]));
    expect(screen.compounds.map((c) => Array.from(c.poses[0]!.pos))).toEqual(measured.compounds.map((c) => Array.from(c.poses[0]!.pos)));
    await rm(dir, { recursive: true, force: true });
  });

  it('skips compounds without poses or rows and lists them', async () => {
    const a = await featurizeFolder(fixture('ligand-without-poses'), { onError: 'skip' });
    expect(a.compounds.map((c) => c.id)).toEqual(['lig_a']);
    expect(a.skipped.map((s) => s.item)).toEqual(["compound 'lig_z'"]);
    const b = await featurizeFolder(fixture('poses-without-row'), { onError: 'skip' });
    expect(b.compounds.map((c) => c.id)).toEqual(['lig_a']);
    expect(b.skipped.map((s) => s.item)).toEqual(["compound 'lig_q'"]);
  });
});
