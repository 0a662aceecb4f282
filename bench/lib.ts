// Helpers shared by the benchmark scripts: timing, atomic result files, the shared data folder.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Compound, Pose } from '@posepool/core';
import { randomPose, seededRandom } from '@posepool/core/testing';

const here = dirname(fileURLToPath(import.meta.url));

/** `../shared` beside the repository (benchmarks only; users and tests never need it). */
export const SHARED_DIR = resolve(here, '..', '..', 'shared');

/** @returns the path under `../shared`, or undefined (with a notice) when it is missing */
export function sharedPath(...parts: string[]): string | undefined {
  const path = join(SHARED_DIR, ...parts);
  if (existsSync(path)) return path;
  console.warn(`note: ${path} is missing; falling back to synthetic data (figures are not comparable to the committed ones).`);
  return undefined;
}

/** @returns the median of `values` */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** @returns milliseconds `f` took */
export function timeMs(f: () => void): number {
  const start = performance.now();
  f();
  return performance.now() - start;
}

/** Facts about this machine, stored with every result. */
export function machine(): Record<string, unknown> {
  return { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', platform: process.platform };
}

/** @returns the path of `bench/results/<name>.json` */
export function resultsPath(name: string): string {
  return join(here, 'results', `${name}.json`);
}

/** Writes `bench/results/<name>.json` atomically (temp file + rename) and returns its path. */
export async function writeResult(name: string, result: unknown): Promise<string> {
  const path = resultsPath(name);
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, `${JSON.stringify(result, null, 2)}\n`);
  await rename(temp, path);
  return path;
}

/** The tyk2 complex of the PyG SchNet fixture (304 atoms, 21 ligand atoms), or a synthetic one of the same size. */
export function benchmarkPose(): { pose: Pose; source: string } {
  const fixture = sharedPath('fixtures', 'pyg-schnet-small.json');
  if (fixture === undefined) return { pose: randomPose({ atoms: 304, ligandAtoms: 21, seed: 1 }), source: 'synthetic: 304 random atoms at 0.05 atoms/Å³' };
  const json = JSON.parse(readFileSync(fixture, 'utf8')) as { poses: Record<string, { z: number[]; pos: number[][]; lig: boolean[] }> };
  const [name, p] = Object.entries(json.poses).find(([key]) => key.startsWith('tyk2'))!;
  return {
    pose: { z: Int32Array.from(p.z), pos: Float32Array.from(p.pos.flat()), ligandMask: Uint8Array.from(p.lig, Number) },
    source: `../shared/fixtures/pyg-schnet-small.json poses.${name} (PLB tyk2, pocket + ligand heavy atoms)`,
  };
}

/** N poses of one compound: the receptor as it is, the ligand turned and moved rigidly (up to 30°, 1 Å), as docking poses differ. */
export function benchmarkCompound(pose: Pose, n: number, seed = n): Compound {
  const random = seededRandom(seed);
  const ligand = Array.from(pose.ligandMask.keys()).filter((i) => pose.ligandMask[i]);
  const centre = [0, 1, 2].map((k) => ligand.reduce((s, i) => s + pose.pos[3 * i + k]!, 0) / ligand.length);
  const poses = Array.from({ length: n }, (_, p): Pose => {
    if (p === 0) return pose;
    const [a, b, c] = [0, 1, 2].map(() => (random() - 0.5) * (Math.PI / 3));
    const [ca, sa, cb, sb, cc, sc] = [Math.cos(a!), Math.sin(a!), Math.cos(b!), Math.sin(b!), Math.cos(c!), Math.sin(c!)];
    const r = [cb * cc, -cb * sc, sb, sa * sb * cc + ca * sc, -sa * sb * sc + ca * cc, -sa * cb, -ca * sb * cc + sa * sc, ca * sb * sc + sa * cc, ca * cb];
    const shift = [0, 1, 2].map(() => random() - 0.5);
    const pos = pose.pos.slice();
    for (const i of ligand) {
      const d = [0, 1, 2].map((k) => pose.pos[3 * i + k]! - centre[k]!);
      for (let k = 0; k < 3; k++) pos[3 * i + k] = centre[k]! + shift[k]! + r[3 * k]! * d[0]! + r[3 * k + 1]! * d[1]! + r[3 * k + 2]! * d[2]!;
    }
    return { ...pose, pos };
  });
  return { id: seed === n ? `tyk2-x${n}` : `tyk2-x${n}-${seed}`, poses, target: 7 };
}
