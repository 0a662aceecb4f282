import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { validatePose, type Compound, type Pose, type RadiusGraph } from '@posepool/core';
import { z } from 'zod';

import { fileSystemError } from '../fs-errors.js';
import type { FeaturizedFolder } from './folder.js';

/**
 * A compact binary cache of featurized folders. File layout: the 8 bytes `POSEPOOL`, a u32
 * format version, a u32 header length, a JSON header (ids, targets, array lengths, the skip
 * report, the files), then every array of every pose, 4-byte aligned, in header order. Loading
 * makes typed-array views on one buffer: no parsing, no copies. An interaction graph is stored
 * as its sources and each atom's neighbour count (edges are sorted by target); distances are
 * recomputed from the positions, exactly as `radiusGraph` computed them.
 *
 * A cache entry is untrusted: one that is not a regular file, too large, of another version or
 * key, with a header of the wrong shape, or with arrays that do not make valid poses (atomic
 * numbers, ligand mask, coordinates, bonds, graph indices) is ignored and recomputed.
 */
const MAGIC = 'POSEPOOL';
const FORMAT = 5;
/** Cache files larger than this are ignored (recomputed). */
const MAX_CACHE_BYTES = 2 ** 31 - 1;

const count = z.number().int().nonnegative().max(2 ** 31);
const finite = z.number().finite();
const headerSchema = z.object({
  key: z.string(),
  files: z.object({ protein: z.string(), poses: z.array(z.string()).readonly(), affinities: z.string().optional() }),
  skipped: z.array(z.object({ item: z.string(), reason: z.string() })),
  warnings: z.array(z.string()),
  compounds: z.array(
    z.object({
      id: z.string(),
      target: finite.optional(),
      targetQualifier: z.enum(['<', '>']).optional(),
      targetError: finite.optional(),
      labels: z.array(z.string()),
      tags: z.array(z.record(z.string(), z.string())),
      molblock: z.string(),
      poses: z.array(z.object({ atoms: count.min(1), bonds: count, featureSize: count.max(4096), graphs: z.array(z.object({ key: z.string(), edges: count })) })),
    }),
  ),
});
type Header = z.infer<typeof headerSchema>;
type CompoundHeader = Header['compounds'][number];
type PoseHeader = CompoundHeader['poses'][number];

async function fileDigest(file: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  } catch (error) {
    throw fileSystemError(file, error);
  }
  return hash.digest('hex');
}

/**
 * The cache key of a featurization: a SHA-256 over the format version, the options that change
 * the result, and the contents of every input file, so editing an input or an option misses.
 *
 * @param files - the input files
 * @param options - the result-changing options (JSON-serialisable)
 * @returns a hex digest
 *
 * @example
 * ```ts
 * const key = await cacheKey(['pocket.pdb', 'poses.sdf', 'affinities.csv'], { pocketCutoff: 8 });
 * ```
 */
export async function cacheKey(files: readonly string[], options: unknown): Promise<string> {
  const hash = createHash('sha256').update(`${MAGIC}/${FORMAT}\n${JSON.stringify(options)}\n`);
  for (const file of files) hash.update(`${await fileDigest(file)}\n`);
  return hash.digest('hex');
}

const align = (n: number): number => (n + 3) & ~3;

/** How many edges end at each atom. */
function neighbourCounts(target: Int32Array, atoms: number): Int32Array {
  const counts = new Int32Array(atoms);
  for (const t of target) counts[t]!++;
  return counts;
}

/** The graph back from sources and per-atom counts, distances from the positions. */
function expandGraph(source: Int32Array, counts: Int32Array, pos: Float32Array): RadiusGraph {
  const atoms = counts.length;
  if (counts.some((c) => c < 0) || counts.reduce((a, b) => a + b, 0) !== source.length || source.some((j) => j < 0 || j >= atoms)) throw new RangeError('inconsistent graph');
  const target = new Int32Array(source.length);
  const distance = new Float32Array(source.length);
  let e = 0;
  counts.forEach((count, i) => {
    for (let k = 0; k < count; k++, e++) {
      const j = source[e]!;
      target[e] = i;
      distance[e] = Math.sqrt((pos[3 * j]! - pos[3 * i]!) ** 2 + (pos[3 * j + 1]! - pos[3 * i + 1]!) ** 2 + (pos[3 * j + 2]! - pos[3 * i + 2]!) ** 2);
    }
  });
  return { source, target, distance };
}

/**
 * Encodes a featurized folder (see the file layout above).
 *
 * @example
 * ```ts
 * const bytes = encodeFolder(key, await featurizeFolder('data/tyk2'));
 * ```
 */
export function encodeFolder(key: string, result: FeaturizedFolder): Uint8Array {
  const arrays: Array<Int32Array | Float32Array | Uint8Array> = [];
  const compounds: CompoundHeader[] = result.compounds.map((c) => {
    const labels = Object.keys(c.poseLabels ?? {});
    const poses = c.poses.map((pose): PoseHeader => {
      const graphs = Object.entries(pose.graphs ?? {});
      arrays.push(pose.z, pose.pos, pose.ligandMask, pose.bonds ?? new Int32Array(0), pose.features ?? new Float32Array(0));
      for (const [, g] of graphs) arrays.push(g.source, neighbourCounts(g.target, pose.z.length));
      const featureSize = pose.features === undefined ? 0 : (pose.featureSize ?? 0);
      return { atoms: pose.z.length, bonds: pose.bonds?.length ?? 0, featureSize, graphs: graphs.map(([k, g]) => ({ key: k, edges: g.source.length })) };
    });
    for (const label of labels) arrays.push(c.poseLabels![label]!);
    return {
      id: c.id,
      ...(c.target !== undefined && { target: c.target }),
      ...(c.targetQualifier && { targetQualifier: c.targetQualifier }),
      ...(c.targetError !== undefined && { targetError: c.targetError }),
      labels,
      tags: [...(result.records.get(c.id)?.tags ?? [])],
      molblock: result.records.get(c.id)?.molblock ?? '',
      poses,
    };
  });
  const header = new TextEncoder().encode(JSON.stringify({ key, files: result.files, skipped: result.skipped, warnings: result.warnings, compounds } satisfies Header));
  const start = align(16 + header.length);
  const size = arrays.reduce((offset, a) => align(offset + a.byteLength), start);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, FORMAT, true);
  view.setUint32(12, header.length, true);
  bytes.set(header, 16);
  let offset = start;
  for (const a of arrays) {
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
    offset = align(offset + a.byteLength);
  }
  return bytes;
}

/**
 * Decodes {@link encodeFolder}'s bytes; undefined when they are not a cache of `key` (corrupt, other version).
 *
 * @example
 * ```ts
 * decodeFolder(bytes, key)?.compounds.length;
 * ```
 */
export function decodeFolder(bytes: Uint8Array, key: string): FeaturizedFolder | undefined {
  try {
    return decodeUnchecked(bytes, key);
  } catch {
    return undefined; // any shape of damage: recompute
  }
}

function decodeUnchecked(bytes: Uint8Array, key: string): FeaturizedFolder | undefined {
  if (bytes.length < 16 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) return undefined;
  // A large file read by Node owns its buffer: use it in place.
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const buffer = (whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) as ArrayBuffer;
  const view = new DataView(buffer);
  if (view.getUint32(8, true) !== FORMAT) return undefined;
  const length = view.getUint32(12, true);
  if (16 + length > buffer.byteLength) return undefined;
  const parsed = headerSchema.safeParse(JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 16, length))));
  if (!parsed.success || parsed.data.key !== key) return undefined;
  const header = parsed.data;
  let offset = align(16 + length);
  const take = <T extends Int32Array | Float32Array | Uint8Array>(Kind: new (b: ArrayBuffer, o: number, n: number) => T, n: number): T => {
    const bytesNeeded = n * (Kind === (Uint8Array as unknown) ? 1 : 4);
    if (offset + bytesNeeded > buffer.byteLength) throw new RangeError('truncated cache file');
    const array = new Kind(buffer, offset, n);
    offset = align(offset + bytesNeeded);
    return array;
  };
  const compounds = header.compounds.map((c): Compound => {
    const poses = c.poses.map((p, k): Pose => {
      const z = take(Int32Array, p.atoms);
      const pos = take(Float32Array, 3 * p.atoms);
      const ligandMask = take(Uint8Array, p.atoms);
      const bonds = take(Int32Array, p.bonds);
      const features = take(Float32Array, p.atoms * p.featureSize);
      if (z.some((e) => e < 1 || e > 118) || ligandMask.some((m) => m > 1) || !ligandMask.includes(1) || features.some((v) => !Number.isFinite(v))) throw new RangeError('invalid pose');
      const graphs: Record<string, RadiusGraph> = {};
      for (const g of p.graphs) graphs[g.key] = expandGraph(take(Int32Array, g.edges), take(Int32Array, p.atoms), pos);
      const pose: Pose = { z, pos, ligandMask, bonds, ...(p.featureSize > 0 && { features, featureSize: p.featureSize }), ...(p.graphs.length > 0 && { graphs }) };
      validatePose(pose, `cache, compound '${c.id}', pose ${k}`);
      return pose;
    });
    const poseLabels = Object.fromEntries(c.labels.map((label) => [label, take(Float32Array, poses.length)]));
    const { labels: _, poses: __, tags: ___, molblock: ____, ...rest } = c;
    return { ...rest, poses, ...(c.labels.length > 0 && { poseLabels }) } as Compound;
  });
  if (offset !== align(buffer.byteLength)) return undefined; // trailing bytes: not what was written
  const records = new Map(header.compounds.map((c) => [c.id, { tags: c.tags, molblock: c.molblock }]));
  return { compounds, records, skipped: header.skipped, warnings: header.warnings, files: header.files, fromCache: true };
}

/**
 * The cached result of `key` in `dir`, if present and intact.
 *
 * @example
 * ```ts
 * const cached = await readFolderCache('.posepool-cache', key);
 * ```
 */
export async function readFolderCache(dir: string, key: string): Promise<FeaturizedFolder | undefined> {
  const path = join(dir, `${key}.bin`);
  // Not there, not a regular file (a folder, a device), too large or unreadable: recompute.
  const info = await stat(path).catch(() => undefined);
  if (info === undefined || !info.isFile() || info.size > MAX_CACHE_BYTES) return undefined;
  const bytes = await readFile(path).catch(() => undefined);
  return bytes === undefined ? undefined : decodeFolder(bytes, key);
}

/**
 * Writes the cache of `key` atomically (temporary file + rename). Failures (a cache path that is
 * a file, not writable, full) are `InputError`s naming the path and the fix.
 *
 * @example
 * ```ts
 * await writeFolderCache('.posepool-cache', key, result);
 * ```
 */
export async function writeFolderCache(dir: string, key: string, result: FeaturizedFolder): Promise<void> {
  await mkdir(dir, { recursive: true }).catch((error: unknown) => {
    throw fileSystemError(dir, error, 'cannot create the cache folder');
  });
  const path = join(dir, `${key}.bin`);
  const temp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(temp, encodeFolder(key, result));
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw fileSystemError(path, error, 'cannot write the cache file');
  }
}
