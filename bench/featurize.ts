// Featurization speed: cold (read, crop, assemble, interaction graphs for SchNet's defaults) and
// warm (from the binary cache) time per pose over the benchmark folders in ../shared/data (or
// the bundled tyk2 set when ../shared is missing), and streaming of a large SD file.
// Writes bench/results/featurize.json. Run: pnpm bench
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { featurizeFolder, readSdf } from '@posepool/featurizers';

import { machine, median, sharedPath, writeResult } from './lib.js';

const here = dirname(fileURLToPath(import.meta.url));
const shared = sharedPath('data');
const targets = shared === undefined ? [['tyk2', join(here, '..', 'examples', 'data', 'tyk2')]] : ['cdk8', 'mcl1', 'p38', 'ptp1b', 'tyk2'].map((t) => [t, join(shared, t)]);
const graphs = [{ cutoff: 10, maxNeighbors: 32 }];
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

const work = await mkdtemp(join(tmpdir(), 'posepool-featurize-bench-'));
const perTarget: Record<string, unknown> = {};
let [coldTotal, warmTotal, poseTotal] = [0, 0, 0];
for (const [name, dir] of targets) {
  const cold: number[] = [];
  const warm: number[] = [];
  let poses = 0;
  let atoms: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const cacheDir = join(work, `${name}-${r}`);
    let start = performance.now();
    const result = await featurizeFolder(dir!, { graphs, cacheDir });
    cold.push(performance.now() - start);
    start = performance.now();
    const again = await featurizeFolder(dir!, { graphs, cacheDir });
    warm.push(performance.now() - start);
    if (!again.fromCache) throw new Error('the second run did not load from the cache');
    poses = result.compounds.reduce((n, c) => n + c.poses.length, 0);
    atoms = result.compounds.flatMap((c) => c.poses.map((p) => p.z.length)).sort((a, b) => a - b);
  }
  const [c, w] = [median(cold), median(warm)];
  // Without cropping: every residue of the full protein when there is one (protein.pdb), else of the pocket file.
  const full = await featurizeFolder(dir!, { pocketCutoff: null, ...(shared !== undefined && { protein: 'protein.pdb' }) });
  const fullAtoms = full.compounds.flatMap((compound) => compound.poses.map((p) => p.z.length)).sort((a, b) => a - b);
  const summary = (sorted: number[]) => ({ min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted.at(-1) });
  perTarget[name!] = {
    compounds: full.compounds.length,
    poses,
    atomsPerPose: summary(atoms),
    atomsPerPoseWithoutCropping: summary(fullAtoms),
    coldMs: c,
    warmMs: w,
    coldMsPerPose: c / poses,
    warmMsPerPose: w / poses,
  };
  console.log(`${name!.padEnd(6)} ${full.compounds.length} compounds, ${poses} poses, atoms/pose ${atoms[0]}–${atoms.at(-1)} (8 Å pocket; ${fullAtoms[0]}–${fullAtoms.at(-1)} uncropped): cold ${(c / poses).toFixed(2)} ms/pose, warm ${(w / poses).toFixed(3)} ms/pose`);
  [coldTotal, warmTotal, poseTotal] = [coldTotal + c, warmTotal + w, poseTotal + poses];
}

// Streaming: an SD file of about 200 MB (the tyk2 poses repeated) read record by record.
const source = await readFile(join(here, '..', 'examples', 'data', 'tyk2', 'poses.sdf'));
const big = join(work, 'big.sdf');
const out = createWriteStream(big);
const copies = Math.ceil((200 * 2 ** 20) / source.length);
for (let k = 0; k < copies; k++) if (!out.write(source)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
await new Promise<void>((resolve) => out.end(() => resolve()));
const bytes = (await stat(big)).size;
global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
let peakHeap = heapBefore;
let records = 0;
const start = performance.now();
for await (const record of readSdf(big)) {
  void record;
  // Live heap after a collection, so garbage awaiting collection does not count as growth.
  if (++records % 20000 === 0) {
    global.gc?.();
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
}
const streamSeconds = (performance.now() - start) / 1000;
await rm(work, { recursive: true, force: true });
console.log(`streamed ${records} records (${(bytes / 2 ** 20).toFixed(0)} MiB) in ${streamSeconds.toFixed(1)} s, heap grew ${((peakHeap - heapBefore) / 2 ** 20).toFixed(1)} MiB`);

const ratio = warmTotal / coldTotal;
const path = await writeResult('featurize', {
  benchmark: 'featurize',
  command: 'pnpm bench',
  date: new Date().toISOString(),
  machine: machine(),
  data: shared === undefined ? 'examples/data/tyk2 (../shared/data missing)' : '../shared/data (5 targets)',
  options: { pocketCutoff: 8, keepHydrogens: false, graphs, uncropped: 'protein.pdb, pocketCutoff null (atom counts only)' },
  targets: perTarget,
  coldMsPerPose: coldTotal / poseTotal,
  warmMsPerPose: warmTotal / poseTotal,
  ratios: { warm_over_cold: ratio },
  targetsToMeet: { warm_over_cold: '<= 0.1' },
  streaming: { file: 'tyk2 poses.sdf repeated', bytes, records, seconds: streamSeconds, liveHeapGrowthBytes: peakHeap - heapBefore, measuredAfterGc: global.gc !== undefined },
  notes: ['cold: read PDB, SD file and CSV, crop pockets (8 Å), assemble poses, build the 10 Å / 32-neighbour interaction graph of every pose, write the cache; warm: hash the inputs and load the cache.'],
});
console.log(`cold ${(coldTotal / poseTotal).toFixed(2)} ms/pose, warm ${(warmTotal / poseTotal).toFixed(3)} ms/pose, warm/cold ${ratio.toFixed(3)}`);
console.log(`wrote ${path}`);
