// Runs the real `posepool` bin in a child process, as `pnpm posepool` does in a clone.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const TYK2 = fileURLToPath(new URL('../../examples/data/tyk2', import.meta.url));
const BIN = ['--conditions=@posepool/source', '--import', 'tsx', fileURLToPath(new URL('../../packages/cli/src/bin.ts', import.meta.url))];

export interface BinResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts `posepool ARGS` (cwd: the repository root unless given). */
export function startBin(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): ChildProcess {
  return spawn(process.execPath, [...BIN, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, NO_COLOR: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `posepool ARGS` to the end. */
export function runBin(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<BinResult> {
  const child = startBin(args, options);
  let [stdout, stderr] = ['', ''];
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A tiny model and short run for tests (seconds on two cores). */
export const TINY_CONFIG = `# A tiny run for tests
model:
  representation: { name: schnet, options: { hiddenChannels: 8, numFilters: 8, numInteractions: 1, numGaussians: 8, cutoff: 5, maxNumNeighbors: 8, seed: 1 } }
  strategy: { name: complex-only, options: { seed: 1 } }
  combination: { name: boltzmann }
  readout: { name: pki }
data:
  topPoses: { tag: vina_score, k: 3 }
epochs: 3
batchSize: 3
checkpointEveryBatches: 1
split: { validation: 0.2, test: 0.2 }
`;
