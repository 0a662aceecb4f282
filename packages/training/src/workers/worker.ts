// A worker thread's entry: its own backend and a replica of the run's model, built from the
// model config and the plugin specifiers; it computes the compounds the main thread asks for
// with the weights the main thread sends.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

import * as tf from '@tensorflow/tfjs';
import { PosePoolError, buildModel, useBackend, type MultiPoseModel } from '@posepool/core';

import { importPlugins, runRegistry } from '../plugins.js';
import { augmentedEntry } from '../train/augment.js';
import { runLoss } from '../train/losses.js';
import { compoundStep, type StepEntry } from '../train/step.js';
import type { GradientResult, PredictionResult, WorkerFailure, WorkerInit, WorkerReply, WorkerRequest } from './protocol.js';

const port = parentPort!;
const init = workerData as WorkerInit;
const post = (reply: WorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(reply, transfer);

const failure = (error: unknown, key?: string): WorkerFailure => {
  const e = error instanceof Error ? error : new Error(String(error));
  return { ...(key !== undefined && { key }), ...(e instanceof PosePoolError && { code: e.code }), message: e.message, ...(e.stack !== undefined && { stack: e.stack }) };
};

// From source this thread loads TypeScript through tsx's require hook only (see pool.ts): a
// TypeScript plugin file is required, anything else imported.
const load = (url: string): Promise<unknown> =>
  import(url).catch((error: unknown) => {
    if ((error as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    return createRequire(import.meta.url)(fileURLToPath(url)) as unknown;
  });

async function start(): Promise<MultiPoseModel> {
  tf.enableProdMode();
  await useBackend(init.backend);
  const model = buildModel(init.model, runRegistry(await importPlugins(init.plugins, init.cwd, load)));
  const paths = Object.keys(model.namedVariables());
  if (paths.join('\n') !== init.variables.join('\n')) throw new Error(`the replica's variables (${paths.length}) differ from the main thread's (${init.variables.length}); the model config does not rebuild the same model`);
  return model;
}

function assignWeights(model: MultiPoseModel, flat: Float32Array): void {
  let offset = 0;
  for (const v of Object.values(model.namedVariables())) {
    const size = v.size;
    tf.tidy(() => v.assign(tf.tensor(flat.subarray(offset, offset + size), v.shape, 'float32')));
    offset += size;
  }
}

const loss = runLoss(init.loss);

function gradients(model: MultiPoseModel, entry: StepEntry, epoch: number | undefined): GradientResult {
  const variables = Object.entries(model.trainableVariables());
  const computed = epoch === undefined ? entry : augmentedEntry(entry, init, epoch);
  const { loss: value, grads } = compoundStep(model, computed, loss, { mode: init.gradients.mode, memoryBudgetBytes: init.gradients.memoryBudgetMiB * 2 ** 20 });
  try {
    const flat = new Float32Array(variables.reduce((n, [, v]) => n + v.size, 0));
    let offset = 0;
    for (const [path, v] of variables) {
      flat.set(grads[path]!.dataSync() as Float32Array, offset);
      offset += v.size;
    }
    return { loss: value, grads: flat };
  } finally {
    tf.dispose(grads);
  }
}

function predictions(model: MultiPoseModel, entry: StepEntry): PredictionResult {
  const { combined, poses, weights } = model.predict(entry.compound);
  return { combined, poses, weights };
}

const byKey = new Map(init.entries.map((e) => [e.key, e]));
const ready = start();
ready.then(
  () => post({ type: 'ready' }),
  (error: unknown) => post({ type: 'failed', failure: failure(error) }),
);

port.on('message', (request: WorkerRequest) => {
  void ready.then((model) => {
    assignWeights(model, request.weights);
    const results: Array<GradientResult | PredictionResult> = [];
    for (const key of request.keys) {
      try {
        const entry = byKey.get(key);
        if (entry === undefined) throw new Error(`compound ${key} was not sent to this worker`);
        results.push(request.kind === 'gradients' ? gradients(model, entry, request.epoch) : predictions(model, entry));
      } catch (error) {
        post({ type: 'failed', id: request.id, failure: failure(error, key) });
        return;
      }
    }
    post({ type: 'results', id: request.id, results }, results.map((r) => ('grads' in r ? r.grads : r.poses).buffer as ArrayBuffer));
  });
});
