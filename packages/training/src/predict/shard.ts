import { PosePoolError } from '@posepool/core';

/** Which part of the compounds a job predicts. */
export interface Shard {
  /** 0-based shard index. */
  readonly index: number;
  /** Number of shards. */
  readonly count: number;
}

/**
 * Parses `--shard`: `i/n` (0-based i < n), or `auto`, which reads Slurm's
 * `SLURM_ARRAY_TASK_ID` / `SLURM_ARRAY_TASK_COUNT` (ids from `SLURM_ARRAY_TASK_MIN`, default 0), or a
 * Kubernetes Indexed Job's `JOB_COMPLETION_INDEX` with the count given separately.
 *
 * @param text - the flag's value
 * @param env - the environment
 * @param count - the shard count for Kubernetes (`--shard-count`)
 * @returns the shard
 * @throws PosePoolError `E_USAGE` naming the bad value and the expected form
 * @example
 * ```ts
 * parseShard('2/8'); // { index: 2, count: 8 }
 * parseShard('auto', { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '4' }); // { index: 3, count: 4 }
 * ```
 */
export function parseShard(text: string, env: Readonly<Record<string, string | undefined>> = process.env, count?: number): Shard {
  const check = (index: number, n: number, from: string): Shard => {
    if (!Number.isInteger(n) || n < 1 || !Number.isInteger(index) || index < 0 || index >= n) {
      throw new PosePoolError('E_USAGE', `--shard ${text}: ${from} gives shard ${index} of ${n}; need 0 ≤ i < n. Write --shard i/n, e.g. --shard 0/4.`);
    }
    return { index, count: n };
  };
  if (text === 'auto') {
    if (env.SLURM_ARRAY_TASK_ID !== undefined) {
      const min = Number(env.SLURM_ARRAY_TASK_MIN ?? 0);
      if (env.SLURM_ARRAY_TASK_COUNT === undefined) throw new PosePoolError('E_USAGE', '--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not. Submit with sbatch --array, or pass --shard i/n.');
      return check(Number(env.SLURM_ARRAY_TASK_ID) - min, Number(env.SLURM_ARRAY_TASK_COUNT), 'Slurm');
    }
    if (env.JOB_COMPLETION_INDEX !== undefined) {
      if (count === undefined) throw new PosePoolError('E_USAGE', '--shard auto: JOB_COMPLETION_INDEX is set; give the job\'s completions with --shard-count N.');
      return check(Number(env.JOB_COMPLETION_INDEX), count, 'JOB_COMPLETION_INDEX');
    }
    throw new PosePoolError('E_USAGE', '--shard auto: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set. Run inside a job array, or pass --shard i/n.');
  }
  const match = /^(\d+)\/(\d+)$/.exec(text);
  if (match === null) throw new PosePoolError('E_USAGE', `--shard ${text}: expected i/n (e.g. 0/4) or auto.`);
  return check(Number(match[1]), Number(match[2]), 'it');
}

/**
 * Whether a compound belongs to a shard: by a 32-bit FNV-1a hash of its key, so the partition
 * depends on nothing but the key and the count, and the shards' union is every compound once.
 *
 * @param key - the compound's `folder/id`
 * @param shard - the shard
 * @returns true when the compound is in the shard
 * @example
 * ```ts
 * entries.filter((e) => inShard(e.key, { index: 0, count: 4 }));
 * ```
 */
export function inShard(key: string, shard: Shard): boolean {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash % shard.count === shard.index;
}
