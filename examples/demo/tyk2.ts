// Reads the bundled tyk2 set (examples/data/tyk2) into PosePool compounds: pocket heavy atoms
// cropped per compound to whole residues near its poses, then the ligand's heavy atoms.
// A reader for these three files only; general structure readers belong to @posepool/featurizers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Compound, Pose } from '@posepool/core';

const ATOMIC_NUMBERS: Record<string, number> = { H: 1, C: 6, N: 7, O: 8, F: 9, P: 15, S: 16, Cl: 17, Br: 35, I: 53 };

function atomicNumber(symbol: string, where: string): number {
  const normalized = symbol.length > 1 ? symbol[0]!.toUpperCase() + symbol.slice(1).toLowerCase() : symbol.toUpperCase();
  const z = ATOMIC_NUMBERS[normalized];
  if (z === undefined) throw new Error(`${where}: unknown element '${symbol}'.`);
  return z;
}

function number(text: string, where: string, what: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new Error(`${where}: ${what} '${text.trim()}' is not a number.`);
  return value;
}

interface Pocket {
  z: number[];
  pos: number[];
  /** Residue index of each atom. */
  residue: number[];
}

function readPocket(path: string): Pocket {
  const pocket: Pocket = { z: [], pos: [], residue: [] };
  const residues = new Map<string, number>();
  readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
    if (!line.startsWith('ATOM') && !line.startsWith('HETATM')) return;
    const where = `${path}:${i + 1}`;
    const key = line.slice(21, 27); // chain, residue number, insertion code
    if (!residues.has(key)) residues.set(key, residues.size);
    pocket.z.push(atomicNumber(line.slice(76, 78).trim(), where));
    pocket.pos.push(number(line.slice(30, 38), where, 'x'), number(line.slice(38, 46), where, 'y'), number(line.slice(46, 54), where, 'z'));
    pocket.residue.push(residues.get(key)!);
  });
  if (pocket.z.length === 0) throw new Error(`${path}: no ATOM or HETATM records.`);
  return pocket;
}

interface LigandPose {
  z: number[];
  pos: number[];
}

function readPoses(path: string): Map<string, LigandPose[]> {
  const lines = readFileSync(path, 'utf8').split('\n');
  const byLigand = new Map<string, LigandPose[]>();
  let start = 0;
  while (start < lines.length && lines.slice(start).some((l) => l.trim() !== '')) {
    const where = `${path}:${start + 4}`;
    const counts = lines[start + 3] ?? '';
    if (!counts.includes('V2000')) throw new Error(`${where}: expected a V2000 counts line, got '${counts.trim()}'.`);
    const atoms = number(counts.slice(0, 3), where, 'atom count');
    const pose: LigandPose = { z: [], pos: [] };
    for (let a = 0; a < atoms; a++) {
      const line = lines[start + 4 + a] ?? '';
      const at = `${path}:${start + 5 + a}`;
      const z = atomicNumber(line.slice(31, 34).trim(), at);
      if (z === 1) continue; // heavy atoms only
      pose.z.push(z);
      pose.pos.push(number(line.slice(0, 10), at, 'x'), number(line.slice(10, 20), at, 'y'), number(line.slice(20, 30), at, 'z'));
    }
    const end = lines.indexOf('$$$$', start);
    if (end < 0) throw new Error(`${path}:${start + 1}: record without a closing '$$$$'.`);
    const tag = lines.slice(start, end).findIndex((l) => l.startsWith('> <ligand_id>'));
    if (tag < 0) throw new Error(`${path}:${start + 1}: record without a ligand_id tag.`);
    const id = lines[start + tag + 1]!.trim();
    byLigand.set(id, [...(byLigand.get(id) ?? []), pose]);
    start = end + 1;
  }
  return byLigand;
}

function readAffinities(path: string): Map<string, number> {
  const [header, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  const columns = header!.split(',');
  const [idColumn, pkColumn] = [columns.indexOf('ligand_id'), columns.indexOf('pIC50_or_pK')];
  if (idColumn < 0 || pkColumn < 0) throw new Error(`${path}:1: needs the columns ligand_id and pIC50_or_pK.`);
  return new Map(rows.map((row, i) => {
    const cells = row.split(',');
    return [cells[idColumn]!, number(cells[pkColumn] ?? '', `${path}:${i + 2}`, 'pIC50_or_pK')];
  }));
}

/**
 * The tyk2 compounds, each pose = pocket residues within `cropAngstrom` of any of the
 * compound's poses, then the ligand's heavy atoms; target = pK.
 */
export function loadTyk2(dir: string, cropAngstrom = 6): Compound[] {
  const pocket = readPocket(join(dir, 'pocket.pdb'));
  const poses = readPoses(join(dir, 'poses.sdf'));
  const affinities = readAffinities(join(dir, 'affinities.csv'));
  return [...affinities].map(([id, pK]) => {
    const ligandPoses = poses.get(id);
    if (ligandPoses === undefined) throw new Error(`${join(dir, 'affinities.csv')}: ligand '${id}' has no poses in poses.sdf.`);
    const near = new Set<number>();
    for (let a = 0; a < pocket.z.length; a++) {
      const close = ligandPoses.some((p) =>
        p.z.some((_, l) => Math.hypot(pocket.pos[3 * a]! - p.pos[3 * l]!, pocket.pos[3 * a + 1]! - p.pos[3 * l + 1]!, pocket.pos[3 * a + 2]! - p.pos[3 * l + 2]!) < cropAngstrom),
      );
      if (close) near.add(pocket.residue[a]!);
    }
    const kept = pocket.z.map((_, a) => a).filter((a) => near.has(pocket.residue[a]!));
    return {
      id,
      target: pK,
      poses: ligandPoses.map((p): Pose => ({
        z: Int32Array.from([...kept.map((a) => pocket.z[a]!), ...p.z]),
        pos: Float32Array.from([...kept.flatMap((a) => pocket.pos.slice(3 * a, 3 * a + 3)), ...p.pos]),
        ligandMask: Uint8Array.from([...kept.map(() => 0), ...p.z.map(() => 1)]),
      })),
    };
  });
}
