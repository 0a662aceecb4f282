// Plain worker_threads, not piscina or tinypool: those hand each task to any idle thread, while
// here every worker keeps state across tasks (its model replica and the compounds it was sent
// once), gets exactly one request per step, and all workers must stop together on the first
// failure. That is a few dozen lines over `Worker`, without a task queue to work around.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

import * as tf from '@tensorflow/tfjs';
import { PosePoolError, modelConfigOf, type MultiPoseModel, type Plugin } from '@posepool/core';

import type { RunConfig } from '../config/schema.js';
import type { StepEntry } from '../train/step.js';
import type { GradientResult, PredictionResult, WorkerFailure, WorkerInit, WorkerReply, WorkerRequest } from './protocol.js';

/** What {@link ComputePool.start} needs. */
export interface PoolOptions {
  /** Worker threads to start (at least 1). */
  readonly workers: number;
  /** The main thread's model: workers rebuild it from its config and get its weights before each request. */
  readonly model: MultiPoseModel;
  /** The run config: backend, plugin specifiers, loss and gradient options; augmentation and seed for training (none without them). */
  readonly config: Pick<RunConfig, 'backend' | 'plugins' | 'loss' | 'gradients'> & Partial<Pick<RunConfig, 'augment' | 'seed'>>;
  /** Where plugin package names resolve. */
  readonly cwd: string;
  /** Every compound the pool will be asked about: sent to each worker once. */
  readonly entries: readonly StepEntry[];
  /** Plugins the caller registered as objects: workers cannot receive them, so any is an error. */
  readonly pluginObjects?: readonly Plugin[];
}

/** One compound's loss and gradients (tensors keyed by parameter path, yours to dispose). */
export interface PooledGradients {
  readonly loss: number;
  readonly grads: tf.NamedTensorMap;
}

// From source (this file is .ts), a worker needs the export condition of `pnpm posepool` and a
// TypeScript loader. On Node 20, loader hooks registered with --import do not reach worker
// threads, so the worker registers tsx's in-thread require hook itself before loading worker.ts.
// A compiled install runs dist/workers/worker.js as it is.
const fromSource = fileURLToPath(import.meta.url).endsWith('.ts');

/** A worker running worker.ts (source) or worker.js (compiled), with `workerData`. */
function startWorker(workerData: WorkerInit): Worker {
  if (!fromSource) return new Worker(new URL('./worker.js', import.meta.url), { workerData });
  const execArgv = process.execArgv.some((a) => a.includes('@posepool/source')) ? process.execArgv : [...process.execArgv, '--conditions=@posepool/source'];
  const hook = createRequire(import.meta.url).resolve('tsx/cjs/api');
  const entry = fileURLToPath(new URL('./worker.ts', import.meta.url));
  return new Worker(`require(${JSON.stringify(hook)}).register(); require(${JSON.stringify(entry)});`, { eval: true, execArgv, workerData });
}

interface Pending {
  readonly keys: readonly string[];
  readonly resolve: (results: ReadonlyArray<GradientResult | PredictionResult>) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Worker threads that compute compounds in parallel, each with its own backend and a replica of
 * the model. Results come back per compound in the order asked, whichever worker computed them,
 * so sums over them do not depend on the number of workers. The first failure stops every worker.
 *
 * @example
 * ```ts
 * const pool = await ComputePool.start({ workers: 2, model, config, cwd: process.cwd(), entries });
 * try {
 *   const steps = await pool.gradients(['tyk2/ejm_31', 'tyk2/ejm_42']);
 * } finally {
 *   await pool.close();
 * }
 * ```
 */
export class ComputePool {
  readonly #workers: Worker[];
  readonly #model: MultiPoseModel;
  readonly #poses: ReadonlyMap<string, number>;
  readonly #home: ReadonlyMap<string, number>;
  readonly #names: ReadonlyMap<string, string>;
  readonly #pending = new Map<number, Pending>();
  #next = 1;
  #failure: Error | undefined;
  /** The compound each failure happened at. */
  readonly #failedAt = new WeakMap<Error, string>();

  private constructor(workers: Worker[], model: MultiPoseModel, entries: readonly StepEntry[]) {
    this.#workers = workers;
    this.#model = model;
    this.#poses = new Map(entries.map((e) => [e.key, e.compound.poses.length]));
    this.#home = new Map(entries.map((e, i) => [e.key, i]));
    this.#names = new Map(entries.map((e) => [e.key, `compound '${e.compound.id}' of ${e.folder}`]));
  }

  /**
   * Starts the workers and waits until each has built its model.
   *
   * @param options - workers, model, run config, compounds
   * @returns the ready pool
   * @throws PosePoolError (code `E_WORKER`) when a worker cannot start; none is left running; `E_USAGE` for plugin objects
   */
  static async start(options: PoolOptions): Promise<ComputePool> {
    const objects = options.pluginObjects ?? [];
    if (objects.length > 0) {
      throw new PosePoolError('E_USAGE', `Plugins passed as objects cannot reach worker threads (${objects.map((p) => p.name).join(', ')}). List their modules in the run config's plugins, or use one worker.`);
    }
    const init: WorkerInit = {
      backend: options.config.backend,
      model: modelConfigOf(options.model),
      plugins: options.config.plugins,
      cwd: options.cwd,
      loss: options.config.loss,
      gradients: options.config.gradients,
      augment: options.config.augment ?? { jitter: 0 },
      seed: options.config.seed ?? 0,
      variables: Object.keys(options.model.namedVariables()),
      entries: options.entries.map(({ compound, folder, key }) => ({ compound, folder, key })),
    };
    // workerData is cloned into each worker once: typed arrays are copied, never sent again. (Transferring would detach the main thread's own copy.)
    const workers = Array.from({ length: options.workers }, () => startWorker(init));
    const pool = new ComputePool(workers, options.model, options.entries);
    try {
      await Promise.all(workers.map((worker, index) => pool.#listen(worker, index)));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Number of worker threads. */
  get size(): number {
    return this.#workers.length;
  }

  /** Resolves when the worker is ready; afterwards routes its replies to the pending requests. */
  #listen(worker: Worker, index: number): Promise<void> {
    return new Promise((ready, fail) => {
      const stop = (error: Error): void => {
        this.#failure ??= error;
        fail(error);
        for (const pending of this.#pending.values()) pending.reject(error);
        this.#pending.clear();
      };
      worker.on('message', (reply: WorkerReply) => {
        if (reply.type === 'ready') return ready();
        if (reply.type === 'failed' && reply.id === undefined) return stop(this.#error(reply.failure, `Worker thread ${index + 1} could not start`));
        const pending = this.#pending.get(reply.id!);
        if (pending === undefined) return;
        this.#pending.delete(reply.id!);
        if (reply.type === 'results') pending.resolve(reply.results);
        else {
          const error = this.#error(reply.failure, `Worker thread ${index + 1} failed`);
          this.#failure ??= error;
          pending.reject(error);
        }
      });
      worker.on('error', (error) => stop(new PosePoolError('E_WORKER', `Worker thread ${index + 1} crashed: ${error.message}`, { cause: error })));
      worker.on('exit', (code) => {
        if (this.#failure === undefined) stop(new PosePoolError('E_WORKER', `Worker thread ${index + 1} exited (code ${code}) while it was needed.`));
      });
    });
  }

  /** A worker's failure as a PosePoolError naming the compound (E_NONFINITE keeps its message: it already does). */
  #error(failure: WorkerFailure, context: string): PosePoolError {
    const cause = Object.assign(new Error(failure.message), { stack: failure.stack });
    const where = failure.key === undefined ? undefined : (this.#names.get(failure.key) ?? failure.key);
    const message = failure.code === 'E_NONFINITE' || where === undefined ? (where === undefined ? `${context}: ${failure.message}` : failure.message) : `${context} on ${where}: ${failure.message}`;
    const error = new PosePoolError(failure.code ?? 'E_WORKER', message, { cause });
    if (failure.key !== undefined) this.#failedAt.set(error, failure.key);
    return error;
  }

  /**
   * Shares `keys` out: each compound to its home worker (its position among the pool's compounds,
   * modulo the workers, so that a worker meets the same compounds again and keeps their neighbour
   * lists warm), then compounds moved from the most to the least loaded worker (in poses) while
   * that lowers the largest load. Each share keeps the order of `keys`.
   */
  #share(keys: readonly string[]): number[][] {
    const owner = keys.map((key) => this.#home.get(key)! % this.#workers.length);
    const poses = keys.map((key) => this.#poses.get(key)!);
    const load = this.#workers.map((_, w) => owner.reduce((sum, o, i) => sum + (o === w ? poses[i]! : 0), 0));
    for (;;) {
      const [most, least] = [load.indexOf(Math.max(...load)), load.indexOf(Math.min(...load))];
      const gap = load[most]! - load[least]!;
      const movable = owner.flatMap((o, i) => (o === most && poses[i]! < gap ? [i] : []));
      if (movable.length === 0) break;
      const i = movable.reduce((best, j) => (poses[j]! > poses[best]! ? j : best));
      owner[i] = least;
      load[most]! -= poses[i]!;
      load[least]! += poses[i]!;
    }
    return this.#workers.map((_, w) => keys.flatMap((_, i) => (owner[i] === w ? [i] : [])));
  }

  /** Sends the current weights and each worker's share; returns the results in the order of `keys`. */
  async #run(kind: WorkerRequest['kind'], keys: readonly string[], epoch?: number): Promise<Array<GradientResult | PredictionResult>> {
    if (this.#failure !== undefined) throw this.#failure;
    const variables = Object.values(this.#model.namedVariables());
    const weights = new Float32Array(variables.reduce((n, v) => n + v.size, 0));
    let offset = 0;
    for (const v of variables) {
      weights.set(v.dataSync() as Float32Array, offset);
      offset += v.size;
    }
    const out = new Array<GradientResult | PredictionResult>(keys.length);
    const settled = await Promise.allSettled(
      this.#share(keys).map(async (indices, w) => {
        if (indices.length === 0) return;
        const id = this.#next++;
        const share = indices.map((i) => keys[i]!);
        const results = await new Promise<ReadonlyArray<GradientResult | PredictionResult>>((resolve, reject) => {
          this.#pending.set(id, { keys: share, resolve, reject });
          this.#workers[w]!.postMessage({ id, kind, weights, keys: share, ...(epoch !== undefined && { epoch }) } satisfies WorkerRequest);
        });
        indices.forEach((i, k) => (out[i] = results[k]!));
      }),
    );
    // Every worker has answered: report the failure at the earliest compound, as one thread would meet it first.
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as Error] : []));
    if (failures.length > 0) {
      const at = (e: Error): number => {
        const key = this.#failedAt.get(e);
        return key === undefined ? Infinity : keys.indexOf(key);
      };
      throw failures.reduce((first, e) => (at(e) < at(first) ? e : first));
    }
    return out;
  }

  /**
   * Each compound's loss and gradients with the model's current weights, checked for NaN and Inf
   * as in the main thread.
   *
   * @param keys - dataset keys of compounds given at start
   * @param training - `epoch`: the compounds are training compounds of that 0-based epoch, jittered as the run config's `augment` says (each worker jitters its own copy, as `augmentedEntry` does in one thread); absent: as they are
   * @returns one result per key, in order; the gradients are tensors of this thread
   * @throws PosePoolError naming the compound (`E_NONFINITE`, the component's code, or `E_WORKER`)
   */
  async gradients(keys: readonly string[], training: { readonly epoch?: number } = {}): Promise<PooledGradients[]> {
    const results = (await this.#run('gradients', keys, training.epoch)) as GradientResult[];
    const variables = Object.entries(this.#model.trainableVariables());
    return results.map(({ loss, grads }) => {
      let offset = 0;
      const map: tf.NamedTensorMap = {};
      for (const [path, v] of variables) {
        map[path] = tf.tensor(grads.subarray(offset, offset + v.size), v.shape, 'float32');
        offset += v.size;
      }
      return { loss, grads: map };
    });
  }

  /**
   * Each compound's prediction with the model's current weights (what `model.predict` returns).
   *
   * @param keys - dataset keys of compounds given at start
   * @returns one prediction per key, in order
   * @throws PosePoolError naming the compound
   */
  async predictions(keys: readonly string[]): Promise<PredictionResult[]> {
    return (await this.#run('predictions', keys)) as PredictionResult[];
  }

  /** Terminates every worker (pending requests fail). Safe to call twice. */
  async close(): Promise<void> {
    this.#failure ??= new PosePoolError('E_WORKER', 'The worker pool is closed.');
    for (const pending of this.#pending.values()) pending.reject(this.#failure);
    this.#pending.clear();
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
