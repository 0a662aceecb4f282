// Hostile and broken inputs made on the fly (the fixtures in ../fixtures/malformed are static):
// PDB byte-order marks and wrapping residue numbers, co-crystallised ligands, caches of every
// shape of damage, unwritable caches, file-system failures in folders.
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { featurizeFolder } from './dataset/folder.js';
import { InputError } from './errors.js';
import { readPdb } from './readers/pdb.js';

let work: string;
let n = 0;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'posepool-hostile-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

/** A copy of the valid folder, changed by `edit`. */
async function folder(edit: (dir: string) => Promise<void> = async () => undefined): Promise<string> {
  const dir = join(work, `case-${n++}`);
  await cp(fileURLToPath(new URL('../fixtures/valid', import.meta.url)), dir, { recursive: true });
  await edit(dir);
  return dir;
}

const atom = (serial: number, name: string, residue: string, number: number, [x, y, z]: number[], element: string, record = 'ATOM  '): string =>
  `${record}${String(serial % 100000).padStart(5)} ${name.padEnd(4)} ${residue.padEnd(3)} A${String(number).padStart(4)}    ${[x, y, z].map((v) => v!.toFixed(3).padStart(8)).join('')}  1.00  0.00          ${element.padStart(2)}`;

describe('PDB', () => {
  it('reads the first ATOM after a byte-order mark', async () => {
    const dir = await folder();
    const text = await readFile(join(dir, 'pocket.pdb'), 'utf8');
    await writeFile(join(dir, 'bom.pdb'), `\uFEFF${text}`);
    expect((await readPdb(join(dir, 'bom.pdb'))).z).toEqual((await readPdb(join(dir, 'pocket.pdb'))).z);
  });

  it('keeps residues apart when their numbers wrap past 9999', async () => {
    const dir = await folder();
    // 10 001 glycines along x: numbers 1…9999, then 0, 1 again (as large files wrap them).
    const lines: string[] = [];
    for (let r = 0; r < 10_001; r++) lines.push(atom(2 * r + 1, 'CA', 'GLY', (r + 1) % 10000, [(r % 100) * 3.8, Math.floor(r / 100) * 3.8, 0], 'C'), atom(2 * r + 2, 'N', 'GLY', (r + 1) % 10000, [(r % 100) * 3.8 + 1, Math.floor(r / 100) * 3.8, 0], 'N'));
    await writeFile(join(dir, 'big.pdb'), `${lines.join('\n')}\n`);
    const pdb = await readPdb(join(dir, 'big.pdb'));
    expect(pdb.residueLabels).toHaveLength(10_001);
    expect(pdb.residueLabels.slice(-2)).toEqual(['A:GLY 0', 'A:GLY 1 #2']);
    expect(pdb.residue[2 * 10_000]).toBe(10_000); // the second residue 1 is not the first one
  });

  it('keeps the first alternate location of a wrapped residue number even when the earlier one kept another', async () => {
    const dir = await folder();
    const lines = [atom(1, 'CA', 'SER', 5, [0, 0, 0], 'C'), atom(2, 'CB', 'SER', 5, [1, 0, 0], 'C'), atom(3, 'CA', 'GLY', 6, [4, 0, 0], 'C'), atom(4, 'CA', 'ALA', 5, [8, 0, 0], 'C'), atom(5, 'CB', 'ALA', 5, [9, 0, 0], 'C')];
    // Alternate locations: A for the first residue 5, B (the first shown) for the second.
    lines[1] = `${lines[1]!.slice(0, 16)}A${lines[1]!.slice(17)}`;
    lines[4] = `${lines[4]!.slice(0, 16)}B${lines[4]!.slice(17)}`;
    await writeFile(join(dir, 'alt.pdb'), `${lines.join('\n')}\n`);
    expect((await readPdb(join(dir, 'alt.pdb'))).z).toHaveLength(5);
  });
});

describe('co-crystallised ligands left in the protein file', () => {
  it('drops a HETATM group overlapping the poses, keeps ions and cofactors, and says so', async () => {
    const dir = await folder(async (d) => {
      const het = [
        atom(10, 'C1', 'LIG', 1001, [0.1, 0, 0], 'C', 'HETATM'),
        atom(11, 'C2', 'LIG', 1001, [1.4, 0.1, 0], 'C', 'HETATM'),
        atom(12, 'ZN', 'ZN', 1002, [0, 1.5, 0], 'ZN', 'HETATM'),
        atom(13, 'FE', 'HEM', 1003, [2.2, 1.0, 0.2], 'FE', 'HETATM'),
        atom(14, 'C1', 'HEM', 1003, [2.5, 1.3, 0.2], 'C', 'HETATM'),
      ];
      const text = (await readFile(join(d, 'pocket.pdb'), 'utf8')).replace('END\n', `${het.join('\n')}\nEND\n`);
      await writeFile(join(d, 'pocket.pdb'), text);
    });
    for (const pocketCutoff of [8, null]) {
      const { compounds, warnings } = await featurizeFolder(dir, { pocketCutoff });
      const lig = compounds[0]!;
      const proteinZ = Array.from(lig.poses[0]!.z.slice(0, lig.poses[0]!.ligandMask.indexOf(1)));
      expect(proteinZ).toContain(30); // the zinc ion
      expect(proteinZ).toContain(26); // the haem
      expect(proteinZ.filter((z) => z === 6)).toHaveLength(pocketCutoff === null ? 5 : 4); // 3 or 4 protein C + haem C, no LIG carbons
      expect(warnings).toEqual([expect.stringMatching(/pocket\.pdb: HETATM group 'A:LIG 1001' \(2 heavy atoms\) overlaps the poses of compounds lig_a, lig_b and was left out of them: it looks like a co-crystallised ligand/)]);
    }
  });
});

describe('featurization cache', () => {
  const graphs = [{ cutoff: 4, maxNeighbors: 8 }];

  /** Featurizes once into a fresh cache, damages the entry, and featurizes again. */
  async function recomputesOver(damage: (entry: string, bytes: Buffer) => Promise<void>): Promise<void> {
    const dir = await folder();
    const cacheDir = join(work, `cache-${n++}`);
    const first = await featurizeFolder(dir, { cacheDir, graphs });
    const [name] = await readdir(cacheDir);
    const entry = join(cacheDir, name!);
    await damage(entry, await readFile(entry));
    const again = await featurizeFolder(dir, { cacheDir, graphs });
    expect(again.fromCache).toBe(false);
    expect(again.compounds).toEqual(first.compounds);
  }

  const header = (bytes: Buffer): Record<string, any> => JSON.parse(bytes.subarray(16, 16 + bytes.readUInt32LE(12)).toString('utf8'));
  /** The entry with its header replaced (same arrays after it). */
  const withHeader = (bytes: Buffer, json: unknown): Buffer => {
    const text = Buffer.from(JSON.stringify(json));
    const start = (16 + bytes.readUInt32LE(12) + 3) & ~3;
    const head = Buffer.alloc((16 + text.length + 3) & ~3);
    bytes.copy(head, 0, 0, 16);
    head.writeUInt32LE(text.length, 12);
    text.copy(head, 16);
    return Buffer.concat([head, bytes.subarray(start)]);
  };

  const damages: Array<[string, (entry: string, bytes: Buffer) => Promise<void>]> = [
    ['random bytes', (e) => writeFile(e, Buffer.from(Array.from({ length: 4096 }, (_, k) => (k * 7919) % 251)))],
    ['the magic and nothing else', (e, b) => writeFile(e, b.subarray(0, 16))],
    ['a header length past the end', (e, b) => writeFile(e, Buffer.concat([b.subarray(0, 12), Buffer.from([0xff, 0xff, 0xff, 0x7f]), b.subarray(16)]))],
    ['a header that is JSON null', (e, b) => writeFile(e, withHeader(b, null))],
    ['a header of the wrong shape', (e, b) => writeFile(e, withHeader(b, { ...header(b), compounds: 'many' }))],
    ['huge atom counts', (e, b) => writeFile(e, withHeader(b, { ...header(b), compounds: header(b).compounds.map((c: any) => ({ ...c, poses: c.poses.map((p: any) => ({ ...p, atoms: 2 ** 30 })) })) }))],
    ['negative counts', (e, b) => writeFile(e, withHeader(b, { ...header(b), compounds: header(b).compounds.map((c: any) => ({ ...c, poses: c.poses.map((p: any) => ({ ...p, bonds: -2 })) })) }))],
    ['more graph edges than stored', (e, b) => writeFile(e, withHeader(b, { ...header(b), compounds: header(b).compounds.map((c: any) => ({ ...c, poses: c.poses.map((p: any) => ({ ...p, graphs: p.graphs.map((g: any) => ({ ...g, edges: g.edges + 1 })) })) })) }))],
    ['flipped array bytes', (e, b) => writeFile(e, Buffer.concat([b.subarray(0, b.length - 64), Buffer.alloc(64, 0xff)]))],
    ['a truncated file', (e, b) => writeFile(e, b.subarray(0, b.length - 5))],
    ['a folder in place of the file', (e) => rm(e).then(() => mkdir(e))],
    ['a symbolic link loop', (e) => rm(e).then(() => symlink(e, e))],
  ];
  for (const [what, damage] of damages) it(`recomputes over ${what}`, () => recomputesOver(damage));

  it('returns the result with a warning when the cache cannot be written', async () => {
    const dir = await folder();
    const notAFolder = join(work, `file-${n++}`);
    await writeFile(notAFolder, 'x');
    for (const cacheDir of [notAFolder, join(notAFolder, 'below')]) {
      const result = await featurizeFolder(dir, { cacheDir });
      expect(result.compounds).toHaveLength(2);
      expect(result.warnings).toEqual([expect.stringMatching(/^the result was not cached: .*file-\d+.*: cannot (create the cache folder|write the cache file): .*\. /)]);
    }
  });
});

describe('file-system failures in folders', () => {
  it('names the path and the problem, never a raw Node error', async () => {
    const loop = await folder(async (d) => {
      await rm(join(d, 'pocket.pdb'));
      await symlink(join(d, 'pocket.pdb'), join(d, 'pocket.pdb'));
    });
    const notFolder = join(await folder(), 'pocket.pdb');
    const isFolder = await folder(async (d) => {
      await rm(join(d, 'poses.sdf'));
      await mkdir(join(d, 'poses.sdf'));
    });
    const cases: Array<[string, RegExp]> = [
      [loop, /pocket\.pdb: cannot read.*: is a symbolic link loop\. Point the link at a real file\./],
      [notFolder, /pocket\.pdb: cannot list the folder: a part of the path is a file, not a folder/],
      [isFolder, /poses\.sdf: cannot read.*is a folder/],
    ];
    for (const [dir, message] of cases) {
      const error = await featurizeFolder(dir, { cacheDir: join(work, 'fs-cache') }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toMatch(message);
    }
  });
});

describe('records that never end', () => {
  it('stops an SD file that never says $$$$ at 100 000 lines', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'endless.sdf'), `title\n  prog\n\n${'    0.0000    0.0000    0.0000 C   0  0\n'.repeat(100_010)}`);
    const { readSdf } = await import('./readers/sdf.js');
    const error = await (async () => {
      for await (const record of readSdf(join(dir, 'endless.sdf'))) void record;
    })().catch((e: unknown) => e);
    expect((error as InputError).message).toMatch(/endless\.sdf:1: the record starting here runs past 100000 lines without a '\$\$\$\$' line/);
  });

  it('stops a MOL2 molecule at the atoms its counts line announces', async () => {
    const dir = await folder();
    const atoms = Array.from({ length: 5 }, (_, k) => `${k + 1} C${k} 0.0 0.0 0.0 C.3`).join('\n');
    await writeFile(join(dir, 'm.mol2'), `@<TRIPOS>MOLECULE\nm\n2 0\nSMALL\n\n@<TRIPOS>ATOM\n${atoms}\n`);
    const { readMol2 } = await import('./readers/mol2.js');
    const { elementSymbol } = await import('./elements.js');
    const error = await (async () => {
      for await (const m of readMol2(join(dir, 'm.mol2'), elementSymbol)) void m;
    })().catch((e: unknown) => e);
    expect((error as InputError).message).toMatch(/m\.mol2:9 \(record 'm'\): more ATOM lines than the 2 atoms the counts line announces/);
  });
});

describe('CSV', () => {
  it('refuses NUL bytes past the first 8 KiB', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'padded.csv'), `ligand_id,pIC50_or_pK\n${'#\n'.repeat(5000)}lig_a,7.5\n\0\0\0`);
    const { readAffinities } = await import('./dataset/affinities.js');
    await expect(readAffinities(join(dir, 'padded.csv'))).rejects.toThrow(/padded\.csv:5003: holds binary data \(a NUL byte\)/);
  });
});
